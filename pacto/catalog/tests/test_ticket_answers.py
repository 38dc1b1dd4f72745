"""A ticket linked to a known issue and to engineering work is answered by the API exactly
as the documented schema shows it (see ``pacto/tickets/tests/test_answers.py``)."""

from __future__ import annotations

import pytest

from pacto.accounts.actions import do_create_token
from pacto.catalog.actions import do_create_engineering_item, do_create_known_issue
from pacto.catalog.notices import do_update_engineering_item
from pacto.testing import client_for
from pacto.tickets.actions import do_link_engineering_item, do_link_known_issue, do_open_ticket
from pacto.tickets.tests.test_answers import _reference

pytestmark = pytest.mark.usefixtures("clock")


def test_known_issue_and_engineering_item_are_answered_as_the_schema_shows_them(catalogue):
    w = catalogue.world
    ticket = do_open_ticket(
        w.alice, subject="Search fails", body="Error 500", severity="high",
        product_version=catalogue.versions["4.2"], details={"steps": "s", "expected_result": "e",
        "obtained_result": "o", "circumstances": "c"},
    )  # fmt: skip
    issue = do_create_known_issue(
        w.sam, product=catalogue.pam, title="Vault search fails", symptoms="Error 500",
        workaround="Rebuild the index", ranges=[{"module": catalogue.core, "introduced": "4.1"}],
    )  # fmt: skip
    item = do_create_engineering_item(w.sam, key="ENG-7", title="Index rebuild on upgrade")
    do_link_known_issue(w.fiona, ticket, issue)
    do_link_engineering_item(w.sam, ticket, item)
    do_update_engineering_item(w.sam, item, status="in_review", body="Patch in review")

    for viewer in (w.alice, w.fiona):
        _, token = do_create_token(viewer, name="t", scope="read")
        response = client_for().get(
            f"/api/tickets/{ticket.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        answered = response.json()
        assert answered == _reference(ticket.pk, viewer)
        assert answered["known_issue"]["workaround"] == "Rebuild the index"
        assert answered["engineering_item"]["updates"][-1]["body"] == "Patch in review"
