"""The ticket endpoints answer from rows in hand (``pacto.tickets.answers``); what they answer
must be exactly what the documented schema (``TicketDetailOut``) gives for the same ticket
and viewer: every field, the clocks, the conversation and the history, internal parts for
staff only."""

from __future__ import annotations

import json
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from ninja.responses import NinjaJSONEncoder

from pacto.accounts.actions import do_create_staff, do_create_token
from pacto.testing import client_for, customer_on, open_ticket
from pacto.tickets import actions
from pacto.tickets.answers import SHOWN, detail_answer, respond, ticket_answer
from pacto.tickets.api import RELATED
from pacto.tickets.models import Ticket
from pacto.tickets.schemas import TicketDetailOut, TicketOut


def _reference(ticket_id: int, viewer, schema=TicketDetailOut) -> dict:
    ticket = Ticket.objects.select_related(*RELATED).prefetch_related("clocks").get(pk=ticket_id)
    request = SimpleNamespace(auth=viewer)
    dumped = schema.from_orm(ticket, context={"request": request}).model_dump()
    return json.loads(json.dumps(dumped, cls=NinjaJSONEncoder))


def _answered(ticket_id: int, viewer) -> dict:
    ticket = Ticket.objects.select_related(*RELATED).get(pk=ticket_id)
    return json.loads(respond(detail_answer(ticket, viewer)).content)


def _busy_ticket(world, clock):
    """A ticket with a bit of everything: replies both ways, an internal note with a file, a
    public file, a status change, a reassignment and a severity change."""
    ticket = open_ticket(world.alice, subject="Vault error after the upgrade")
    clock.advance(minutes=20)
    actions.do_reply(world.fiona, ticket, "We are looking at it.")
    actions.do_reply(
        world.fiona, ticket, "Customer runs 3.31 with the HA pair", public=False,
        attachments=[SimpleUploadedFile("internal.txt", b"secret", "text/plain")],
    )  # fmt: skip
    actions.do_reply(
        world.alice, ticket, "Logs attached",
        attachments=[SimpleUploadedFile("vault.log", b"ERROR 500", "text/plain")],
    )  # fmt: skip
    actions.do_assign(world.fiona, ticket, world.sam)
    actions.do_change_severity(world.sam, ticket, "urgent", reason="production down")
    actions.do_change_status(world.sam, ticket, "waiting-on-customer", reason="need the HA logs")
    return ticket


def test_the_answer_is_the_schemas_for_staff_and_for_the_customer(world, clock, media_root):
    ticket = _busy_ticket(world, clock)
    for viewer in (world.fiona, world.maria, world.alice, world.amelia):
        answered = _answered(ticket.pk, viewer)
        assert answered == _reference(ticket.pk, viewer), viewer.email
    staff, customer = _answered(ticket.pk, world.fiona), _answered(ticket.pk, world.alice)
    assert any(not m["public"] for m in staff["messages"])
    assert all(m["public"] for m in customer["messages"])
    assert "internal.txt" in json.dumps(staff) and "internal.txt" not in json.dumps(customer)
    assert "vault.log" in json.dumps(customer)


def test_a_page_row_is_the_schemas(world, clock):
    ticket = _busy_ticket(world, clock)
    row = Ticket.objects.select_related(*RELATED).get(pk=ticket.pk)
    answered = json.loads(respond(ticket_answer(row)).content)
    assert answered == _reference(ticket.pk, world.fiona, TicketOut)
    assert [c["metric"] for c in answered["clocks"]] == sorted(
        c["metric"] for c in answered["clocks"]
    )


def test_checklists_and_engineer_details_for_staff_only(db, clock):
    """Xecuritas: the troubleshooting checklist and what the engineer still has to record."""
    contact = customer_on("xecuritas", "Xisto Logistica")
    ticket = open_ticket(
        contact,
        severity="sev2",
        version="7.1",
        details={"hardware_os": "Linux", "obtained_result": "queue", "circumstances": "patch"},
    )
    staff = do_create_staff(email="xavier@vendor.example", full_name="Xavier", role="agent")
    staff_view = _answered(ticket.pk, staff)
    assert staff_view == _reference(ticket.pk, staff)
    assert staff_view["checklists"] and staff_view["to_record"]
    customer_view = _answered(ticket.pk, contact)
    assert customer_view == _reference(ticket.pk, contact)
    assert customer_view["checklists"] == [] and customer_view["to_record"] == []


def test_every_change_answers_the_ticket_as_it_now_is(world, clock):
    """The answer to a change is built from the changed instance and the clocks the action
    stored, not read back: it must still equal a fresh read."""
    ticket = open_ticket(world.alice)
    client = client_for()
    _, token = do_create_token(world.fiona, name="t", scope="write")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    steps = [
        (f"/api/tickets/{ticket.pk}/replies", {"body": "On it"}),
        (f"/api/tickets/{ticket.pk}/notes", {"body": "internal"}),
        (f"/api/tickets/{ticket.pk}/assignee", {"assignee": world.sam.pk}),
        (f"/api/tickets/{ticket.pk}/severity", {"severity": "urgent", "reason": "down"}),
    ]
    for path, body in steps:
        clock.advance(minutes=7)
        response = client.post(path, json.dumps(body), content_type="application/json", **headers)
        assert response.status_code == 200, response.content
        assert response.json() == _reference(ticket.pk, world.fiona), path
    assert response.json()["severity"] == "urgent"
    assert response.json()["assignee"]["id"] == world.sam.pk


def _pages(client, path: str, headers: dict) -> list[dict]:
    items, before = [], None
    while True:
        query = {"limit": 20, **({"before": before} if before else {})}
        page = client.get(path, query, **headers).json()
        items = page["items"] + items
        before = page["before"]
        if before is None:
            return items


def test_a_long_conversation_is_answered_in_part_and_paged_in_full(world, clock):
    """The answer carries the newest messages and history entries; the earlier ones come a
    page at a time, each exactly once, internal notes for staff only; strangers get 404."""
    ticket = open_ticket(world.alice)
    for n in range(SHOWN + 10):
        clock.advance(minutes=1)
        actions.do_reply(world.fiona, ticket, f"reply {n}", public=n % 3 != 0)
    for viewer in (world.fiona, world.alice):
        assert _answered(ticket.pk, viewer) == _reference(ticket.pk, viewer)
    client = client_for()
    tokens = {u.email: do_create_token(u, name="t", scope="read")[1] for u in (
        world.fiona, world.alice, world.carol)}  # fmt: skip

    def headers(user):
        return {"HTTP_AUTHORIZATION": f"Bearer {tokens[user.email]}"}

    staff = client.get(f"/api/tickets/{ticket.pk}", **headers(world.fiona)).json()
    assert len(staff["messages"]) == SHOWN and staff["messages"][-1]["body_text"] == "reply 59"
    assert staff["messages_before"] is not None and staff["events_before"] is not None
    every = _pages(client, f"/api/tickets/{ticket.pk}/messages", headers(world.fiona))
    assert [m["body_text"] for m in every] == ["Error 500"] + [f"reply {n}" for n in range(60)]
    assert every[-SHOWN:] == staff["messages"]
    public = _pages(client, f"/api/tickets/{ticket.pk}/messages", headers(world.alice))
    assert [m["body_text"] for m in public] == ["Error 500"] + [
        f"reply {n}" for n in range(60) if n % 3
    ]
    history = _pages(client, f"/api/tickets/{ticket.pk}/events", headers(world.alice))
    assert "note" not in {e["kind"] for e in history}
    assert len(_pages(client, f"/api/tickets/{ticket.pk}/events", headers(world.fiona))) > len(
        history
    )
    for path in ("messages", "events"):
        stranger = client.get(f"/api/tickets/{ticket.pk}/{path}", **headers(world.carol))
        assert stranger.status_code == 404
    bad = client.get(f"/api/tickets/{ticket.pk}/messages", {"limit": 0}, **headers(world.fiona))
    assert bad.status_code == 422 and "limit" in bad.content.decode()
