"""The tickets REST API, as the people of ``pacto.testing`` use it.

The helpers at the top (``ApiClient``, ``NOW``, the fixtures) are shared with the other API
tests, which import them from here.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client

from pacto.accounts.actions import do_create_token
from pacto.accounts.models import ApiToken
from pacto.testing import PROBLEM_DETAILS, SAO_PAULO
from pacto.tickets.actions import (
    do_change_status,
    do_open_ticket,
    do_reply,
)
from pacto.tickets.clocks import recompute_open_tickets
from pacto.tickets.models import Message, Ticket

# Thursday 15 January 2026, 10:00 in São Paulo: a business day, inside business hours.
NOW = dt.datetime(2026, 1, 15, 10, 0, tzinfo=SAO_PAULO)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    """Actions and endpoints read ``timezone.now()``: pin it, so due times are exact and the
    world's 2026 contracts are active whatever the date the tests run on."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW.astimezone(dt.UTC))
    cache.clear()  # rate-limit counters of earlier tests
    return NOW


class ApiClient:
    """Requests as one person, with a personal API token of theirs (``None``: anonymous)."""

    def __init__(self, user=None, scope: str = "write"):
        self.user = user
        self.client = Client(HTTP_HOST="localhost")
        self.headers = {}
        if user is not None:
            self.token, secret = do_create_token(user, name="tests", scope=scope)
            self.headers = {"authorization": f"Bearer {secret}"}

    def request(self, method: str, path: str, json=None):
        kwargs = {"headers": self.headers}
        if json is not None:
            kwargs.update(data=json, content_type="application/json")
        return getattr(self.client, method.lower())(path, **kwargs)

    def get(self, path: str, **params):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, json=None):
        return self.request("POST", path, {} if json is None else json)


def problem(**overrides) -> dict:
    """A problem report carrying every detail the senhasegura policy requires (§7.6)."""
    return {
        "subject": "The vault does not show passwords",
        "body": "Since the upgrade the vault answers **Error 500**.",
        "severity": "high",
        "version": "3.31",
        **PROBLEM_DETAILS,
        **overrides,
    }


def open_ticket(actor, *, at=NOW, **kwargs) -> Ticket:
    fields = {"subject": "Vault error", "body": "Error 500", "severity": "high"}
    fields.update(version="3.31", details=PROBLEM_DETAILS)
    fields.update(kwargs)
    return do_open_ticket(actor, now=at, **fields)


def fields(response) -> list[tuple[str, str]]:
    return [(d["field"], d["rule"]) for d in response.json()["detail"]]


# ----------------------------------------------------------------------------- opening


def test_creating_a_ticket_as_alice_returns_clocks_with_the_senhasegura_first_response_due_time(
    world,
):
    response = ApiClient(world.alice).post("/api/tickets", problem(severity="high"))

    assert response.status_code == 201, response.json()
    ticket = response.json()
    assert ticket["policy"] == "senhasegura@7.0"
    assert ticket["plan"] == "standard-8x5"
    assert ticket["channel"] == "api"
    assert ticket["lock_version"] == 0
    (clock,) = [c for c in ticket["clocks"] if c["metric"] == "first_response"]
    # §8: High on Standard 8x5 is "4 business hours": 10:00 + 4 h = 14:00 the same day.
    assert clock["state"] == "running"
    assert clock["target"] == "4 business hours"
    assert clock["calendar"] == "business"
    assert dt.datetime.fromisoformat(clock["due_at"]) == NOW.replace(hour=14)
    assert clock["remaining_seconds"] == 4 * 3600
    assert clock["explanation"] and clock["segments"] and clock["warnings"]


def test_the_ticket_body_is_sanitized_and_kept_as_text(world):
    body = '<p onclick="steal()">Hi</p><script>alert(1)</script>'
    response = ApiClient(world.alice).post("/api/tickets", problem(body=body, body_format="html"))

    (message,) = response.json()["messages"]
    assert message["body_html"] == "<p>Hi</p>"
    assert message["body_text"] == "Hi"


def test_a_body_is_markdown_by_default_rendered_and_kept_as_written(world):
    body = "Fails on `vault search`, see https://status.azul.example\n\n<script>alert(1)</script>"
    response = ApiClient(world.alice).post("/api/tickets", problem(body=body))

    (message,) = response.json()["messages"]
    assert message["body_html"] == (
        "<p>Fails on <code>vault search</code>, see "
        '<a href="https://status.azul.example" rel="noopener noreferrer nofollow">'
        "https://status.azul.example</a></p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    )
    assert message["body_text"] == body


def test_a_body_format_other_than_markdown_or_html_is_a_422(world):
    response = ApiClient(world.alice).post("/api/tickets", problem(body_format="rtf"))

    assert response.status_code == 422
    assert "body_format" in response.content.decode()


def test_bob_who_is_not_authorized_gets_403_with_a_message_saying_how_to_get_access(world):
    response = ApiClient(world.bob).post("/api/tickets", problem())

    assert response.status_code == 403
    (error,) = response.json()["detail"]
    assert error["rule"] == "authorized_contact"
    assert "Ask an authorized contact of your organization" in error["message"]
    assert not Ticket.objects.exists()


def test_a_partner_with_an_expired_certification_is_refused(world):
    response = ApiClient(world.peggy).post("/api/tickets", problem(organization=world.azul.pk))

    assert response.status_code == 403
    (error,) = response.json()["detail"]
    assert error["rule"] == "partner_certified"
    assert "certification" in error["message"]


def test_a_certified_partner_opens_a_ticket_for_the_customer_it_serves(world):
    response = ApiClient(world.paul).post("/api/tickets", problem(organization=world.azul.pk))

    assert response.status_code == 201
    assert response.json()["organization"]["name"] == "Banco Azul"
    assert response.json()["partner"]["name"] == "Parceira Integradora"


def test_an_unknown_severity_is_422_naming_severity_and_the_rule_defined_in_policy(world):
    response = ApiClient(world.alice).post("/api/tickets", problem(severity="catastrophic"))

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["field"], error["rule"]) == ("severity", "defined_in_policy")
    assert "urgent, high, medium, low" in error["message"]


def test_a_missing_required_detail_is_422_naming_the_field(world):
    response = ApiClient(world.alice).post("/api/tickets", problem(steps=""))

    assert response.status_code == 422
    assert fields(response) == [("steps", "required_by_policy")]


def test_malformed_input_is_422_naming_each_field(world):
    response = ApiClient(world.alice).post(
        "/api/tickets", {"subject": 7, "body": "x", "access_request": {"email": "a@b.example"}}
    )

    assert response.status_code == 422
    assert ("subject", "string_type") in fields(response)
    assert ("access_request.full_name", "missing") in fields(response)


def test_a_body_that_is_not_json_is_422(world):
    response = ApiClient(world.alice).request("POST", "/api/tickets", "{not json")

    assert response.status_code == 422
    assert fields(response) == [("body", "json")]


def test_text_with_a_nul_character_is_422_not_a_database_error(world):
    response = ApiClient(world.alice).post("/api/tickets", problem(subject="a\x00b"))

    assert response.status_code == 422


def test_an_organization_alice_cannot_see_is_404(world):
    response = ApiClient(world.alice).post("/api/tickets", problem(organization=world.verde.pk))

    assert response.status_code == 404
    assert fields(response) == [("organization", "exists")]


def test_an_agent_logs_a_phone_ticket_for_a_contact(world):
    response = ApiClient(world.fiona).post(
        "/api/tickets", problem(requester=world.alice.pk, channel="phone", severity="urgent")
    )

    assert response.status_code == 201
    assert response.json()["requester"]["email"] == "alice@azul.example"
    assert response.json()["channel"] == "phone"


# ----------------------------------------------------------------------------- reading


def test_a_ticket_of_another_customer_is_404_not_403(world):
    ticket = open_ticket(world.carol)

    response = ApiClient(world.alice).get(f"/api/tickets/{ticket.pk}")

    assert response.status_code == 404
    assert response.json() == {
        "detail": [{"field": "ticket", "rule": "exists", "message": "ticket not found"}]
    }


def test_internal_notes_are_absent_for_contacts_and_present_for_staff(world):
    ticket = open_ticket(world.alice)
    noted = ApiClient(world.fiona).post(
        f"/api/tickets/{ticket.pk}/notes", {"body": "Customer runs an unsupported 3.2 build"}
    )
    assert noted.status_code == 200
    ApiClient(world.fiona).post(f"/api/tickets/{ticket.pk}/replies", {"body": "Looking at it"})

    for contact in (world.alice, world.amelia):
        seen = ApiClient(contact).get(f"/api/tickets/{ticket.pk}").json()
        assert [m["body_text"] for m in seen["messages"]] == ["Error 500", "Looking at it"]
        assert "note" not in [e["kind"] for e in seen["events"]]
        assert "unsupported" not in str(seen)
    replied = ApiClient(world.alice).post(f"/api/tickets/{ticket.pk}/replies", {"body": "Thanks"})
    assert "unsupported" not in str(replied.json())

    staff_view = ApiClient(world.sam).get(f"/api/tickets/{ticket.pk}").json()
    notes = [m for m in staff_view["messages"] if not m["public"]]
    assert [n["body_text"] for n in notes] == ["Customer runs an unsupported 3.2 build"]
    assert "note" in [e["kind"] for e in staff_view["events"]]


def test_a_contact_cannot_write_an_internal_note(world):
    ticket = open_ticket(world.alice)

    response = ApiClient(world.alice).post(f"/api/tickets/{ticket.pk}/notes", {"body": "psst"})

    assert response.status_code == 403
    assert not Message.objects.filter(public=False).exists()


def test_cursor_pagination_walks_all_pages_without_duplicates(world):
    opened = {open_ticket(world.alice, subject=f"Problem {i}").pk for i in range(7)}
    open_ticket(world.carol)  # another customer's: never listed for alice
    alice = ApiClient(world.alice)

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = alice.get("/api/tickets", **params).json()
        seen += [t["id"] for t in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert pages == 3
    assert seen == sorted(opened, reverse=True)  # newest first, each once


def test_a_cursor_that_was_not_issued_is_422(world):
    response = ApiClient(world.alice).get("/api/tickets", cursor="bm90LWEtY3Vyc29y")

    assert response.status_code == 422
    assert fields(response) == [("cursor", "valid_cursor")]


def test_the_list_filters_by_status_severity_and_organization(world):
    azul_high = open_ticket(world.alice)
    azul_low = open_ticket(world.alice, severity="low")
    verde = open_ticket(world.carol)
    do_change_status(world.fiona, azul_low, "pending", now=NOW)
    fiona = ApiClient(world.fiona)

    def ids(**params):
        return {t["id"] for t in fiona.get("/api/tickets", **params).json()["items"]}

    assert ids(status="pending") == {azul_low.pk}
    assert ids(severity="high") == {azul_high.pk, verde.pk}
    assert ids(organization=world.verde.pk) == {verde.pk}
    assert ids(severity="high", organization=world.azul.pk) == {azul_high.pk}


def test_the_list_filters_tickets_with_a_breached_clock(world):
    # Opened Tuesday 10:00 with High (4 business hours): due Tuesday 14:00, long past.
    late = open_ticket(world.alice, at=NOW - dt.timedelta(days=2))
    swept = open_ticket(world.alice, at=NOW - dt.timedelta(days=2), severity="urgent")
    recompute_open_tickets(NOW, Ticket.objects.filter(pk=swept.pk))  # the worker marked it
    on_time = open_ticket(world.alice)
    alice = ApiClient(world.alice)

    breached = alice.get("/api/tickets", breached="true").json()["items"]
    not_breached = alice.get("/api/tickets", breached="false").json()["items"]

    assert {t["id"] for t in breached} == {late.pk, swept.pk}
    assert {t["id"] for t in not_breached} == {on_time.pk}
    swept_clock = next(t for t in breached if t["id"] == swept.pk)["clocks"][0]
    assert swept_clock["state"] == "breached"


def test_the_list_filters_tickets_with_a_running_clock_due_before_a_time(world):
    high = open_ticket(world.alice)  # due 14:00
    medium = open_ticket(world.alice, severity="medium")  # 8 business hours: due 18:00
    answered = open_ticket(world.alice)
    do_reply(world.fiona, answered, "On it", now=NOW)  # first response met: not running
    alice = ApiClient(world.alice)

    def ids(due_before):
        return {t["id"] for t in alice.get("/api/tickets", due_before=due_before).json()["items"]}

    assert ids("2026-01-15T15:00:00-03:00") == {high.pk}
    assert ids("2026-01-15T23:00:00Z") == {high.pk, medium.pk}
    assert ids("2026-01-15T13:00:00-03:00") == set()


def test_a_due_before_without_a_time_zone_is_422(world):
    response = ApiClient(world.alice).get("/api/tickets", due_before="2026-01-15T15:00:00")

    assert response.status_code == 422
    assert fields(response) == [("due_before", "value_error")]


# ----------------------------------------------------------------------------- changing


def test_a_stale_lock_version_is_409_and_changes_nothing(world):
    ticket = open_ticket(world.alice)
    fiona = ApiClient(world.fiona)
    read = fiona.get(f"/api/tickets/{ticket.pk}").json()
    ApiClient(world.sam).post(f"/api/tickets/{ticket.pk}/replies", {"body": "Sam was faster"})

    response = fiona.post(
        f"/api/tickets/{ticket.pk}/status",
        {"status": "pending", "lock_version": read["lock_version"]},
    )

    assert response.status_code == 409
    assert fields(response) == [("lock_version", "current")]
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_a_current_lock_version_is_accepted_and_bumped(world):
    ticket = open_ticket(world.alice)

    response = ApiClient(world.fiona).post(
        f"/api/tickets/{ticket.pk}/severity",
        {"severity": "urgent", "reason": "Production down", "lock_version": 0},
    )

    assert response.status_code == 200
    assert response.json()["severity"] == "urgent"
    assert response.json()["lock_version"] == 1


def test_an_agent_works_a_ticket_and_the_customer_confirms_the_resolution(world):
    ticket = open_ticket(world.alice)
    fiona, alice = ApiClient(world.fiona), ApiClient(world.alice)
    path = f"/api/tickets/{ticket.pk}"

    assert fiona.post(f"{path}/assignee", {"assignee": world.sam.pk}).status_code == 200
    assert (
        fiona.post(f"{path}/line", {"line": "second", "reason": "needs a fix"}).status_code == 200
    )
    replied = ApiClient(world.sam).post(f"{path}/replies", {"body": "Fixed in 3.31.1"})
    first_response = next(c for c in replied.json()["clocks"] if c["metric"] == "first_response")
    assert first_response["state"] == "met"
    solved = ApiClient(world.sam).post(f"{path}/status", {"status": "solved", "reason": "fixed"})
    assert solved.json()["status_category"] == "solved"
    confirmed = alice.post(f"{path}/confirm")

    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "closed"
    assert confirmed.json()["assignee"]["email"] == "sam@vendor.example"
    assert confirmed.json()["support_line"] == "second"


def test_a_customer_reopens_a_solved_ticket_with_a_reason(world):
    ticket = open_ticket(world.alice)
    do_change_status(world.fiona, ticket, "solved", now=NOW)

    response = ApiClient(world.alice).post(
        f"/api/tickets/{ticket.pk}/reopen", {"reason": "It came back"}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "open"


def test_confirming_a_ticket_that_is_not_solved_is_422(world):
    ticket = open_ticket(world.alice)

    response = ApiClient(world.alice).post(f"/api/tickets/{ticket.pk}/confirm")

    assert response.status_code == 422
    assert fields(response) == [("status", "solved")]


def test_a_customer_asks_for_a_higher_severity_and_an_agent_decides(world):
    ticket = open_ticket(world.alice, severity="medium")
    alice = ApiClient(world.alice)

    unknown = alice.post(
        f"/api/tickets/{ticket.pk}/severity-requests", {"severity": "p1", "justification": "!"}
    )
    asked = alice.post(
        f"/api/tickets/{ticket.pk}/severity-requests",
        {"severity": "urgent", "justification": "Every login in production fails since 9:00"},
    )

    assert unknown.status_code == 422
    assert fields(unknown) == [("severity", "defined_in_policy")]
    assert asked.status_code == 200
    assert asked.json()["severity"] == "medium"  # an agent decides
    (request,) = [e for e in asked.json()["events"] if e["kind"] == "severity_request"]
    assert request["data"] == {"to": "urgent", "previous": "medium"}
    assert request["reason"] == "Every login in production fails since 9:00"


def test_a_contact_cannot_change_the_severity_itself(world):
    ticket = open_ticket(world.alice)

    response = ApiClient(world.alice).post(
        f"/api/tickets/{ticket.pk}/severity", {"severity": "urgent", "reason": "please"}
    )

    assert response.status_code == 403


def test_a_customer_escalates_to_the_account_manager(world):
    ticket = open_ticket(world.alice)

    response = ApiClient(world.alice).post(
        f"/api/tickets/{ticket.pk}/escalate", {"reason": "No answer yet", "to": "account_manager"}
    )

    assert response.status_code == 200
    assert response.json()["escalation_level"] == 1


def test_an_agent_approves_an_access_request_and_the_person_becomes_an_authorized_contact(
    world,
):
    ticket = open_ticket(
        world.amelia,
        type="access_request",
        subject="Access for Ana",
        body="Ana replaces Alice",
        access_request={"email": "ana@azul.example", "full_name": "Ana Nova"},
    )

    response = ApiClient(world.maria).post(f"/api/tickets/{ticket.pk}/access-request/approve")

    assert response.status_code == 200
    contact = response.json()["contact"]
    assert contact["email"] == "ana@azul.example"
    assert contact["is_authorized"] is True
    assert contact["organization_id"] == world.azul.pk
    assert response.json()["ticket"]["status_category"] == "solved"


def test_an_agent_replying_to_a_secpod_ticket_makes_it_pending_on_secpod(world):
    """secpod's "Open" is "not yet reviewed or assigned"; once an agent has answered, the
    ticket is "Pending | Action required from SecPod Support"."""
    ticket = open_ticket(world.carol)

    response = ApiClient(world.fiona).post(f"/api/tickets/{ticket.pk}/replies", {"body": "Hi"})

    assert response.status_code == 200
    assert response.json()["status"] == "pending"


# ----------------------------------------------------------------------------- authentication


def test_a_read_token_may_get_but_not_post(world):
    ticket = open_ticket(world.alice)
    reader = ApiClient(world.alice, scope="read")

    assert reader.get(f"/api/tickets/{ticket.pk}").status_code == 200
    response = reader.post(f"/api/tickets/{ticket.pk}/replies", {"body": "hello"})

    assert response.status_code == 403
    assert fields(response) == [("authorization", "token_scope")]
    assert ticket.messages.count() == 1


def test_a_revoked_token_is_refused_with_401(world):
    alice = ApiClient(world.alice)
    assert alice.get("/api/me").status_code == 200
    alice.token.revoked_at = NOW
    alice.token.save()

    response = alice.get("/api/me")

    assert response.status_code == 401
    assert fields(response) == [("authorization", "authenticated")]


def test_an_unknown_token_and_no_credentials_are_401_json(world):
    stranger = ApiClient()
    stranger.headers = {"authorization": "Bearer pacto_not-a-real-token"}

    assert stranger.get("/api/tickets").status_code == 401
    assert ApiClient().get("/api/tickets").status_code == 401
    assert ApiClient().post("/api/tickets", problem()).json()["detail"][0]["rule"] == (
        "authenticated"
    )


def test_a_token_is_stored_hashed_and_records_when_it_was_last_used(world):
    alice = ApiClient(world.alice)
    secret = alice.headers["authorization"].removeprefix("Bearer ")
    assert alice.token.last_used_at is None

    alice.get("/api/me")

    stored = ApiToken.objects.get(pk=alice.token.pk)
    assert stored.token_hash == ApiToken.digest(secret) != secret
    assert stored.last_used_at == NOW


def test_last_used_is_written_at_most_once_a_minute(world, monkeypatch):
    alice = ApiClient(world.alice)
    alice.get("/api/me")
    for later, expected in ((59, NOW), (60, NOW + dt.timedelta(seconds=60))):
        at = NOW + dt.timedelta(seconds=later)
        monkeypatch.setattr("django.utils.timezone.now", lambda at=at: at.astimezone(dt.UTC))
        alice.get("/api/me")
        assert ApiToken.objects.get(pk=alice.token.pk).last_used_at == expected


def test_a_token_of_a_deactivated_user_is_refused(world):
    alice = ApiClient(world.alice)
    world.alice.is_active = False
    world.alice.save()

    assert alice.get("/api/me").status_code == 401


def test_session_auth_without_a_csrf_token_on_post_is_refused(world):
    ticket = open_ticket(world.alice)
    browser = Client(enforce_csrf_checks=True, HTTP_HOST="localhost")
    browser.force_login(world.alice)

    assert browser.get(f"/api/tickets/{ticket.pk}").status_code == 200
    refused = browser.post(
        f"/api/tickets/{ticket.pk}/replies", {"body": "hi"}, content_type="application/json"
    )

    assert refused.status_code == 403
    assert fields(refused) == [("csrf", "csrf_token")]
    assert ticket.messages.count() == 1


def test_session_auth_with_the_csrf_token_may_post(world):
    ticket = open_ticket(world.alice)
    browser = Client(enforce_csrf_checks=True, HTTP_HOST="localhost")
    browser.force_login(world.alice)
    browser.get("/api/docs")  # any page that renders the token sets the CSRF cookie
    token = browser.cookies["csrftoken"].value

    response = browser.post(
        f"/api/tickets/{ticket.pk}/replies",
        {"body": "hi"},
        content_type="application/json",
        headers={"x-csrftoken": token},
    )

    assert response.status_code == 200


# ----------------------------------------------------------------------------- limits


def test_over_the_rate_limit_the_api_answers_429_json(world, settings, rate_window):
    settings.PACTO_API_RATE = f"3/{rate_window}"
    alice = ApiClient(world.alice)

    statuses = [alice.get("/api/me").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = alice.get("/api/me")
    assert fields(response) == [("request", "rate_limit")]
    assert int(response["Retry-After"]) >= 1
    assert ApiClient(world.carol).get("/api/me").status_code == 200  # counted per user


def test_repeated_failed_authentication_is_rate_limited_per_address(world, settings, rate_window):
    settings.PACTO_API_ANON_RATE = f"2/{rate_window}"
    stranger = ApiClient()

    statuses = [stranger.get("/api/me").status_code for _ in range(3)]

    assert statuses == [401, 401, 429]


# ----------------------------------------------------------------------------- schema


def test_the_openapi_schema_is_3_1_and_documents_the_error_shape_of_every_operation(world):
    schema = Client(HTTP_HOST="localhost").get("/api/openapi.json").json()

    assert schema["openapi"].startswith("3.1")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "403", "422", "429"):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/ErrorOut"}, (
                    method,
                    path,
                )
            if "{" in path:
                assert "404" in operation["responses"], (method, path)


def test_the_api_docs_are_served_without_a_cdn(world):
    response = Client(HTTP_HOST="localhost").get("/api/docs")

    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in response.content.decode()


def test_an_unknown_api_path_is_a_json_404(world):
    response = ApiClient(world.alice).get("/api/tikets")

    assert response.status_code == 404
    assert fields(response) == [("path", "exists")]


def test_a_change_without_its_body_is_422_naming_the_body(world):
    ticket = open_ticket(world.alice)
    alice = ApiClient(world.alice)

    response = alice.client.generic(
        "POST", f"/api/tickets/{ticket.pk}/replies", b"", headers=alice.headers
    )

    assert response.status_code == 422
    assert fields(response) == [("body", "missing")]
