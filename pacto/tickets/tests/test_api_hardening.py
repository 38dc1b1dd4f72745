"""Inputs an attacker or a careless script sends to the tickets API: each gets a clear 4xx,
never a server error, and nothing internal leaks to customers."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from pacto.tickets.actions import do_add_attachment, do_change_status, do_reply
from pacto.tickets.tests.test_api import (  # noqa: F401 (fixtures)
    ApiClient,
    fields,
    frozen_now,
    open_ticket,
    problem,
)

# ----------------------------------------------------------------------------- internal notes


def test_alice_sees_no_trace_of_a_file_attached_to_an_internal_note(world):
    ticket = open_ticket(world.alice)
    note = do_reply(world.fiona, ticket, "The customer's vault key is weak", public=False)
    upload = SimpleUploadedFile("vault-key-audit.txt", b"weak", content_type="text/plain")
    do_add_attachment(world.fiona, ticket, upload, message=note)

    seen_by_alice = ApiClient(world.alice).get(f"/api/tickets/{ticket.pk}")
    seen_by_fiona = ApiClient(world.fiona).get(f"/api/tickets/{ticket.pk}")

    assert seen_by_alice.status_code == 200
    assert "vault-key-audit" not in seen_by_alice.content.decode()
    assert [e["kind"] for e in seen_by_alice.json()["events"]] == ["opened"]
    assert "vault-key-audit.txt" in seen_by_fiona.content.decode()


def test_a_contact_may_not_attach_a_file_to_an_internal_note(world):
    import pytest

    from pacto.errors import NotAllowed

    ticket = open_ticket(world.alice)
    note = do_reply(world.fiona, ticket, "internal", public=False)
    upload = SimpleUploadedFile("x.txt", b"x", content_type="text/plain")

    with pytest.raises(NotAllowed):
        do_add_attachment(world.alice, ticket, upload, message=note)


# ----------------------------------------------------------------------------- numbers, dates


def test_an_organization_filter_beyond_any_id_is_a_422_naming_it(world):
    response = ApiClient(world.maria).get("/api/tickets", organization=10**30)

    assert response.status_code == 422
    assert fields(response) == [("organization", "less_than_equal")]


def test_a_due_before_filter_in_year_one_or_9999_is_a_422_naming_it(world):
    client = ApiClient(world.maria)
    for instant in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"):
        response = client.get("/api/tickets", due_before=instant)

        assert response.status_code == 422, instant
        assert [f for f, _rule in fields(response)] == ["due_before"]


def test_a_ticket_id_beyond_any_id_is_a_404(world):
    client = ApiClient(world.maria)

    assert client.get(f"/api/tickets/{10**30}").status_code == 404
    assert client.post(f"/api/tickets/{10**30}/replies", {"body": "hi"}).status_code == 404


def test_json_true_is_not_organization_1(world):
    response = ApiClient(world.paul).post("/api/tickets", problem(organization=True))

    assert response.status_code == 422
    assert fields(response) == [("organization", "int_type")]


def test_json_true_is_not_a_lock_version(world):
    ticket = open_ticket(world.alice)

    response = ApiClient(world.alice).post(
        f"/api/tickets/{ticket.pk}/replies", {"body": "hi", "lock_version": True}
    )

    assert response.status_code == 422
    assert fields(response) == [("lock_version", "int_type")]


def test_a_list_of_nulls_is_not_a_reason_to_authorize_or_revoke_a_contact(world):
    client = ApiClient(world.maria)
    for action in ("authorize", "revoke"):
        response = client.request("POST", f"/api/contacts/{world.bob.pk}/{action}", [None, None])

        assert response.status_code == 422, action
    world.bob.refresh_from_db()
    assert not world.bob.is_authorized


# ----------------------------------------------------------------------------- bodies


def test_a_5_mb_json_body_is_a_413(world):
    body = json.dumps(problem(body="x" * (5 * 1024 * 1024)))

    response = ApiClient(world.alice).client.post(
        "/api/tickets",
        body,
        content_type="application/json",
        headers=ApiClient(world.alice).headers,
    )

    assert response.status_code == 413
    assert fields(response) == [("body", "max_size")]


def test_a_multipart_body_without_a_boundary_is_a_400(world):
    client = ApiClient(world.maria)

    response = client.client.post(
        "/api/policies/validate", b"--x\r\n", content_type="multipart/form-data",
        headers=client.headers,
    )  # fmt: skip

    assert response.status_code == 400
    assert fields(response) == [("body", "multipart")]


# ----------------------------------------------------------------------------- closed tickets


def closed_ticket(world):
    ticket = open_ticket(world.alice)
    do_change_status(world.fiona, ticket, "solved", reason="fixed")
    do_change_status(world.fiona, ticket, "closed", reason="confirmed")
    return ticket


def test_a_closed_ticket_refuses_alices_escalation_like_a_reply(world):
    ticket = closed_ticket(world)

    response = ApiClient(world.alice).post(
        f"/api/tickets/{ticket.pk}/escalate", {"reason": "Nobody answers"}
    )

    assert response.status_code == 422
    assert fields(response) == [("status", "not_closed")]
    assert ticket.events.filter(kind="escalated").count() == 0


def test_a_closed_ticket_refuses_alices_severity_request(world):
    ticket = closed_ticket(world)

    response = ApiClient(world.alice).post(
        f"/api/tickets/{ticket.pk}/severity-requests",
        {"severity": "urgent", "justification": "Production is down for every user now"},
    )

    assert response.status_code == 422
    assert fields(response) == [("status", "not_closed")]


# ----------------------------------------------------------------------------- logs


def test_every_change_to_a_ticket_is_logged_with_the_ticket_and_its_organization(world):
    from structlog.testing import capture_logs

    with capture_logs() as logs:
        ticket = open_ticket(world.alice)
        do_reply(world.fiona, ticket, "Looking into it.")

    events = [e for e in logs if e["event"] == "ticket_event"]
    assert [e["kind"] for e in events] == ["opened", "agent_reply", "status"]
    assert {(e["ticket"], e["organization"]) for e in events} == {(ticket.pk, world.azul.pk)}
