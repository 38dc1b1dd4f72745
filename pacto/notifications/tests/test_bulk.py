"""The bulk writers the sweeps use: one statement for many rows, on both databases."""

import datetime as dt

from django.db import transaction

from pacto.notifications.bulk import insert_rows, update_rows
from pacto.notifications.models import Outbox
from pacto.notifications.outbox import enqueue_many


def test_it_inserts_many_rows_with_empty_columns_and_skips_existing_keys(db):
    with transaction.atomic():
        enqueue_many(
            {"kind": "status_changed", "dedupe_key": f"k{i}", "recipients": [f"r{i}@x.example"],
             "payload": {"n": i, "names": ["a", "b"]}}
            for i in range(3)
        )  # fmt: skip
        enqueue_many(
            [{"kind": "status_changed", "dedupe_key": "k1", "recipients": ["r1@x.example"]}]
        )
    rows = list(Outbox.objects.order_by("dedupe_key"))
    assert [r.dedupe_key for r in rows] == [f"k{i}:email:r{i}@x.example" for i in range(3)]
    assert rows[1].payload == {"n": 1, "names": ["a", "b"]}
    assert all(r.recipient_user is None and r.sent_at is None and r.ticket is None for r in rows)


def test_it_updates_many_rows_each_with_its_own_values(db):
    insert_rows(
        Outbox,
        [
            Outbox(channel="email", kind="k", dedupe_key=f"u{i}", recipient="a@x.example")
            for i in range(3)
        ],
    )
    rows = list(Outbox.objects.order_by("dedupe_key"))
    when = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)
    update_rows(
        Outbox,
        [
            (row, {"attempts": i, "payload": {"i": i}, "sent_at": when if i else None})
            for i, row in enumerate(rows)
        ],
    )
    assert [(r.attempts, r.payload, r.sent_at) for r in Outbox.objects.order_by("dedupe_key")] == [
        (0, {"i": 0}, None), (1, {"i": 1}, when), (2, {"i": 2}, when),
    ]  # fmt: skip
