"""Software-issue and release notices reach exactly the organizations they concern, once.

senhasegura §9: "Whenever a software issue is identified by the manufacturer, the customer will
be notified of the issue, temporary palliative solution and definitive correction." senhasegura
§11: "Whenever a new software release version is available, customers will be notified via
ticket."
"""

from __future__ import annotations

import datetime as dt

import pytest

from pacto.catalog.actions import (
    do_create_engineering_item,
    do_create_known_issue,
    do_create_release,
    do_update_known_issue,
)
from pacto.catalog.models import NoticeDelivery, Publication
from pacto.catalog.notices import (
    affected_organizations,
    do_publish_known_issue,
    do_publish_release,
    do_update_engineering_item,
)
from pacto.catalog.tests.fixtures import NOW
from pacto.contracts.actions import do_add_inventory
from pacto.errors import ActionError, NotAllowed
from pacto.notifications.models import Outbox
from pacto.testing import PROBLEM_DETAILS
from pacto.tickets.actions import (
    do_link_engineering_item,
    do_link_known_issue,
    do_open_ticket,
)
from pacto.tickets.models import Ticket, TicketEvent

LATER = NOW + dt.timedelta(days=3)


def vault_issue(catalogue, **overrides):
    fields = {
        "product": catalogue.pam,
        "title": "Vault search fails after the upgrade",
        "symptoms": "Searching the vault answers Error 500.",
        "cause": "An index is not rebuilt by the upgrade.",
        "ranges": [{"module": catalogue.core, "introduced": "4.1", "fixed": "4.4"}],
        "now": NOW,
    }
    return do_create_known_issue(catalogue.world.sam, **{**fields, **overrides})


def notice_tickets(organization=None):
    tickets = Ticket.objects.filter(type=Ticket.Type.NOTICE)
    return tickets.filter(organization=organization) if organization else tickets


def test_a_known_issue_affecting_4_1_to_4_3_notifies_the_organization_on_4_2_once(catalogue):
    w = catalogue.world
    issue = vault_issue(catalogue)

    result = do_publish_known_issue(w.sam, issue, "issue", now=NOW)

    assert result.organizations == [w.azul]
    notice = notice_tickets(w.azul).get()
    assert notice.requester == w.alice  # the focal point
    assert notice.clocks.count() == 0  # a notice runs no SLA target
    assert "Error 500" in notice.messages.get().body_text
    emailed = set(
        Outbox.objects.filter(kind="known_issue_notice", channel="email").values_list(
            "recipient", flat=True
        )
    )
    assert emailed == {"alice@azul.example", "amelia@azul.example"}  # authorized contacts
    delivery = NoticeDelivery.objects.get()
    assert (delivery.organization, delivery.ticket_number, delivery.version) == (
        w.azul,
        notice.pk,
        "senhasegura PAM Core 4.2",
    )
    assert delivery.publication.published_by == w.sam


def test_it_never_notifies_an_organization_on_4_4_or_one_whose_contract_expired(catalogue):
    w = catalogue.world
    issue = vault_issue(catalogue)

    do_publish_known_issue(w.sam, issue, "issue", now=NOW)

    assert not notice_tickets(w.verde).exists()  # runs 4.4: fixed
    assert not notice_tickets(catalogue.ouro).exists()  # runs 4.2, contract expired
    assert not Outbox.objects.filter(recipient__in=["carol@verde.example", "otto@ouro.example"])
    assert set(affected_organizations(issue, NOW.date())) == {w.azul}


def test_publishing_again_notifies_nobody(catalogue):
    w = catalogue.world
    issue = vault_issue(catalogue)
    do_publish_known_issue(w.sam, issue, "issue", now=NOW)
    outbox = Outbox.objects.count()

    again = do_publish_known_issue(w.maria, issue, "issue", now=LATER)

    assert again.told == 0 and again.already_told == 1
    assert Outbox.objects.count() == outbox
    assert notice_tickets().count() == 1
    assert Publication.objects.get().published_by == w.sam  # the first publication stays


def test_each_step_tells_the_organization_once_on_the_same_notice_ticket(catalogue):
    w = catalogue.world
    issue = vault_issue(catalogue)
    do_publish_known_issue(w.sam, issue, "issue", now=NOW)
    issue = do_update_known_issue(
        w.sam, issue, workaround="Rebuild the index from the console.", now=NOW
    )

    do_publish_known_issue(w.sam, issue, "workaround", now=LATER)
    do_publish_known_issue(w.sam, issue, "workaround", now=LATER)
    issue = do_update_known_issue(w.sam, issue, fixed_in=catalogue.versions["4.4"], now=LATER)
    do_publish_known_issue(w.sam, issue, "fix", now=LATER)

    notice = notice_tickets(w.azul).get()
    bodies = [m.body_text for m in notice.messages.all()]
    assert len(bodies) == 3
    assert "Rebuild the index" in bodies[1]
    assert "senhasegura PAM Core 4.4" in bodies[2]
    steps = NoticeDelivery.objects.values_list("publication__step", flat=True)
    assert sorted(steps) == ["fix", "issue", "workaround"]
    assert (
        Outbox.objects.filter(kind="known_issue_notice", recipient="alice@azul.example").count()
        == 3
    )


def test_a_step_cannot_be_published_before_it_is_written(catalogue):
    w = catalogue.world
    issue = vault_issue(catalogue)

    with pytest.raises(ActionError) as workaround_first:
        do_publish_known_issue(w.sam, issue, "workaround", now=NOW)
    with pytest.raises(NotAllowed):
        do_publish_known_issue(w.alice, issue, "issue", now=NOW)

    assert workaround_first.value.field == "workaround"
    assert not Publication.objects.exists()


def linked_ticket(catalogue, who=None, version="4.2"):
    w = catalogue.world
    return do_open_ticket(
        who or w.alice, subject="Search fails", body="Error 500 on search", severity="high",
        product_version=catalogue.versions[version], details=PROBLEM_DETAILS, now=NOW,
    )  # fmt: skip


def test_linked_tickets_are_told_at_each_step_and_resume_when_the_fix_ships(catalogue):
    w = catalogue.world
    issue = vault_issue(catalogue, workaround="Rebuild the index from the console.")
    ticket = linked_ticket(catalogue)

    do_link_known_issue(w.fiona, ticket, issue, wait_for_fix=True, now=NOW)
    ticket.refresh_from_db()
    assert ticket.known_issue == issue
    assert ticket.status_category == "waiting_on_third_party"
    assert "Rebuild the index" in ticket.messages.last().body_text  # confirmation, workaround

    do_publish_known_issue(w.sam, issue, "issue", now=NOW)
    do_publish_known_issue(w.sam, issue, "issue", now=LATER)
    replies = ticket.messages.filter(author=w.sam)
    assert replies.count() == 1

    issue = do_update_known_issue(w.sam, issue, fixed_in=catalogue.versions["4.4"], now=NOW)
    do_publish_known_issue(w.sam, issue, "fix", now=LATER)
    ticket.refresh_from_db()
    assert ticket.status_category == "open"  # back to the vendor: the fix shipped
    assert "4.4" in ticket.messages.last().body_text


def test_an_agent_removes_a_wrong_known_issue_link_and_the_ticket_stops_waiting_for_its_fix(
    catalogue, client
):
    w = catalogue.world
    issue = vault_issue(catalogue, workaround="Rebuild the index from the console.")
    ticket = linked_ticket(catalogue)
    do_link_known_issue(w.fiona, ticket, issue, wait_for_fix=True, now=NOW)
    client.force_login(w.fiona)
    page = client.get(f"/console/tickets/{ticket.pk}/").content.decode()
    assert "Not this known issue? Remove the link" in page

    refused = client.post(f"/console/tickets/{ticket.pk}/known-issue/unlink/", {"reason": " "})
    done = client.post(
        f"/console/tickets/{ticket.pk}/known-issue/unlink/",
        {"reason": "The logs show a disk quota error, not the index bug"},
    )

    assert refused.status_code == 422
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.known_issue is None
    assert ticket.status_category == "open"  # no longer waiting for that fix
    event = ticket.events.filter(kind=TicketEvent.Kind.KNOWN_ISSUE).last()
    assert event.data["unlinked"] and event.reason.startswith("The logs show")
    told = ticket.messages.last()
    assert told.public and f"not an instance of known issue {issue.slug}" in told.body_text
    assert "disk quota" not in told.body_text  # the reason stays the vendor's
    do_publish_known_issue(w.sam, issue, "issue", now=LATER)
    assert ticket.messages.filter(author=w.sam).count() == 0  # its steps no longer reach it


def test_the_customer_cannot_unlink_and_the_api_names_the_missing_link(catalogue, client):
    from pacto.accounts.actions import do_create_token

    w = catalogue.world
    ticket = linked_ticket(catalogue)
    _, staff = do_create_token(w.fiona, name="t", scope="write")
    _, contact = do_create_token(ticket.requester, name="t", scope="write")
    url = f"/api/tickets/{ticket.pk}/known-issue/unlink"

    as_contact = client.post(
        url, {"reason": "x"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {contact}",
    )  # fmt: skip
    not_linked = client.post(
        url, {"reason": "wrong"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {staff}",
    )  # fmt: skip

    assert as_contact.status_code == 403
    assert not_linked.status_code == 422
    assert not_linked.json()["detail"][0]["field"] == "known_issue"


def test_a_release_notice_reaches_only_the_organizations_with_the_product(catalogue):
    w = catalogue.world
    do_add_inventory(w.fiona, w.verde_contract, module=catalogue.saner.modules.get(), now=NOW)
    release = do_create_release(
        w.maria, product=catalogue.saner, kind="update", title="SanerNow agent 6.2",
        notes="Security fixes for the agent.", now=NOW,
    )  # fmt: skip

    result = do_publish_release(w.maria, release, now=NOW)
    again = do_publish_release(w.maria, release, now=LATER)

    assert result.organizations == [w.verde]
    assert again.told == 0
    notice = notice_tickets().get()
    assert notice.organization == w.verde
    assert notice.status_category == "waiting_on_customer"
    assert "schedule" in notice.messages.get().body_text


def test_a_new_version_release_asks_every_customer_running_the_product_to_schedule_it(catalogue):
    w = catalogue.world
    release = do_create_release(
        w.maria, product=catalogue.pam, title="senhasegura PAM 4.4",
        notes="Faster vault search.", version=catalogue.versions["4.4"], now=NOW,
    )  # fmt: skip

    result = do_publish_release(w.maria, release, now=NOW)

    assert set(result.organizations) == {w.azul, w.verde}  # not Ouro Antigo: expired
    azul = notice_tickets(w.azul).get()
    assert azul.status_category == "waiting_on_customer"
    assert "schedule the update" in azul.messages.get().body_text


def test_a_customer_follows_the_engineering_item_linked_to_the_ticket(catalogue):
    w = catalogue.world
    ticket = linked_ticket(catalogue)
    item = do_create_engineering_item(
        w.sam, key="ENG-481", title="Rebuild the index on upgrade",
        tracker_url="https://tracker.vendor.example/ENG-481", now=NOW,
    )  # fmt: skip

    do_link_engineering_item(w.sam, ticket, item, now=NOW)
    do_update_engineering_item(
        w.sam, item, status="in_progress", body="Fix under review", now=LATER
    )

    kinds = list(
        Outbox.objects.filter(recipient="alice@azul.example", ticket=ticket).values_list(
            "kind", flat=True
        )
    )
    assert "engineering_linked" in kinds and "engineering_updated" in kinds
    history = ticket.events.filter(kind=TicketEvent.Kind.ENGINEERING)
    assert [e.data["status"] for e in history] == ["open", "in_progress"]
    assert history.last().reason == "Fix under review"
    with pytest.raises(ActionError):
        do_update_engineering_item(w.sam, item, status="in_progress", now=LATER)
