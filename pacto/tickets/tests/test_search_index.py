"""The full-text index of messages and subjects stays whole through the migrations: on
SQLite a migration that copies a table (adding a NOT NULL column does) drops its triggers,
and every message written after it would go unfound."""

from __future__ import annotations

import pytest
from django.db import connection

from pacto.testing import open_ticket
from pacto.tickets.actions import do_reply
from pacto.tickets.search import search


def test_the_index_triggers_exist_after_every_migration(db):
    if connection.vendor != "sqlite":
        pytest.skip("the triggers are SQLite's; PostgreSQL indexes the columns themselves")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {name for (name,) in cursor.fetchall()}
    assert {
        f"tickets_{table}_fts_{event}"
        for table in ("message", "ticket")
        for event in ("insert", "update", "delete")
    } <= triggers


def test_a_word_of_a_new_reply_is_found(world, clock):
    ticket = open_ticket(world.alice, subject="Vault error")
    do_reply(world.fiona, ticket, "The keystore rotation job failed.")

    _query, hits = search(world.fiona, "keystore", clock.now)

    assert [hit.ticket.pk for hit in hits] == [ticket.pk]
