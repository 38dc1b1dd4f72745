"""A ticket linked to a known issue and to engineering work is answered by the API exactly
as the documented schema shows it (see ``pacto/tickets/tests/test_answers.py``)."""

from __future__ import annotations

import pytest

from pacto.accounts.actions import do_create_token
from pacto.catalog.tests.fixtures import ticket_with_known_issue
from pacto.testing import client_for
from pacto.tickets.tests.test_answers import _reference

pytestmark = pytest.mark.usefixtures("clock")


def test_known_issue_and_engineering_item_are_answered_as_the_schema_shows_them(catalogue):
    w = catalogue.world
    ticket, _issue = ticket_with_known_issue(catalogue)

    for viewer in (w.alice, w.fiona):
        _, token = do_create_token(viewer, name="t", scope="read")
        response = client_for().get(
            f"/api/tickets/{ticket.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        answered = response.json()
        assert answered == _reference(ticket.pk, viewer)
        assert answered["known_issue"]["workaround"] == "Rebuild the index"
        assert answered["engineering_item"]["updates"][-1]["body"] == "Patch in review"
