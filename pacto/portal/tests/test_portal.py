"""The customer portal, as the people of ``pacto.testing`` use it."""

from __future__ import annotations

import re

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from pacto.accounts.models import User
from pacto.testing import (
    HOLIDAY_EVE,
    NOW,
    PROBLEM_DETAILS,
    client_for,
    open_ticket,
    problem_form,
    text,
)
from pacto.tickets.actions import do_change_status, do_reply
from pacto.tickets.models import Message, Ticket, TicketEvent

# ----------------------------------------------------------------------------- new ticket


def test_it_tells_alice_when_the_first_response_is_due_before_she_submits(world, clock):
    clock.set(HOLIDAY_EVE)

    response = client_for(world.alice).get("/tickets/new/?severity=high")

    assert response.status_code == 200
    page = text(response)
    # §8: High on Standard 8x5 is 4 business hours; Friday 20 November is a holiday, so the
    # four hours are Monday 09:00-13:00.
    assert "High on Standard 8x5: due Monday 23 November, 13:00 São Paulo time" in page
    assert "because Friday 20 November is a holiday" in page


def test_the_due_preview_follows_the_severity_alice_picks(world, clock):
    clock.set(HOLIDAY_EVE)

    response = client_for(world.alice).get(
        "/tickets/new/due/?severity=urgent&environment=production&type=problem",
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    page = text(response)
    assert "<html" not in response.content.decode()  # a fragment for htmx to swap
    assert "Urgent on Standard 8x5: due Monday 23 November, 11:00 São Paulo time" in page
    # §7.3: urgent cases need a phone call.
    assert "must also be reported by phone" in page


def test_the_form_asks_for_exactly_the_details_the_policy_requires(world, clock):
    senhasegura = client_for(world.alice).get("/tickets/new/").content.decode()
    secpod = client_for(world.carol).get("/tickets/new/").content.decode()

    # senhasegura §7.6: steps, version, expected and obtained result, circumstances.
    required = re.findall(r'<label for="id_(\w+)" class="required">', senhasegura)
    assert {"steps", "version", "expected_result", "obtained_result", "circumstances"} <= set(
        required
    )
    assert "Details senhasegura Support Policy requires for problem reports" in senhasegura
    # SecPod's policy requires none of them.
    assert "requires for problem reports" not in secpod
    assert 'class="required">Software version' not in secpod


def test_the_severity_choice_shows_the_policys_definitions_and_examples(world, clock):
    page = text(client_for(world.alice).get("/tickets/new/"))

    assert "A down situation, where a customer organization is unable to do production work" in page
    assert "Loss of Redundancy" in page  # an example of C2 - High
    assert "phone call required" in page


def test_alice_opens_a_ticket_and_lands_on_it_with_its_due_time(world, clock):
    upload = SimpleUploadedFile("vault.log", b"ERROR 500 key cache", content_type="text/plain")

    response = client_for(world.alice).post(
        "/tickets/new/", {**problem_form(), "attachment": upload}
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/"
    assert (ticket.requester, ticket.channel, ticket.severity) == (world.alice, "portal", "high")
    assert ticket.steps == PROBLEM_DETAILS["steps"]
    assert ticket.attachments.get().name == "vault.log"
    page = text(client_for(world.alice).get(response["Location"]))
    # 10:00 + 4 business hours = 14:00 the same day, in São Paulo where alice reads it.
    assert "Thu 15 Jan 2026 14:00" in page
    assert "vault.log" in page


def test_a_problem_report_without_the_required_details_is_refused(world, clock):
    response = client_for(world.alice).post("/tickets/new/", problem_form(steps="", version=""))

    assert response.status_code == 422
    assert not Ticket.objects.exists()
    assert "Your support policy requires this detail for problem reports." in text(response)


def test_a_question_needs_no_problem_details(world, clock):
    data = problem_form(
        type="question",
        severity="low",
        steps="",
        version="",
        expected_result="",
        obtained_result="",
        circumstances="",
    )

    response = client_for(world.alice).post("/tickets/new/", data)

    assert response.status_code == 302
    assert Ticket.objects.get().type == "question"


def test_the_preview_button_recomputes_without_javascript_and_opens_nothing(world, clock):
    clock.set(HOLIDAY_EVE)

    response = client_for(world.alice).post("/tickets/new/", {"severity": "low", "preview": "1"})

    assert response.status_code == 200  # shown again, not opened
    assert not Ticket.objects.exists()
    assert "Low on Standard 8x5: due Tuesday 24 November" in text(response)


def test_paul_opens_a_ticket_for_the_customer_his_partner_serves(world, clock):
    response = client_for(world.paul).post(
        f"/tickets/new/?organization={world.azul.pk}",
        {**problem_form(), "organization": world.azul.pk},
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.organization, ticket.partner) == (world.azul, world.parceira)


def test_bob_who_is_not_authorized_is_told_how_to_get_access(world, clock):
    response = client_for(world.bob).get("/tickets/new/")

    assert response.status_code == 403
    assert "request access for you" in text(response)


def test_peggy_whose_certification_expired_cannot_open_tickets(world, clock):
    response = client_for(world.peggy).get("/tickets/new/")

    assert response.status_code == 403
    assert "certification" in text(response)


# ----------------------------------------------------------------------------- lists


def test_alice_sees_her_tickets_with_status_severity_and_clock(world, clock):
    mine = open_ticket(world.alice, subject="Alice's vault")
    open_ticket(world.amelia, subject="Amelia's report")
    open_ticket(world.carol, subject="Carol's agents", severity="high", details={}, version="")

    page = text(client_for(world.alice).get("/tickets/"))

    assert "Alice's vault" in page and f"{mine.pk}" in page
    assert "Amelia's report" not in page and "Carol's agents" not in page
    assert "Running" in page and "4 h left" in page and "High" in page


def test_amelia_as_organization_admin_sees_the_organizations_tickets(world, clock):
    open_ticket(world.alice, subject="Alice's vault")
    open_ticket(world.paul, subject="Paul for Azul", organization=world.azul)
    open_ticket(world.carol, subject="Carol's agents", details={}, version="")

    mine = text(client_for(world.amelia).get("/tickets/"))
    organization = text(client_for(world.amelia).get("/tickets/?scope=organization"))

    assert "Alice's vault" not in mine
    assert "Alice's vault" in organization and "Paul for Azul" in organization
    assert "Carol's agents" not in organization


def test_times_are_shown_in_the_viewers_time_zone(world, clock):
    open_ticket(world.alice)
    world.alice.time_zone = "America/Sao_Paulo"
    world.alice.save()

    page = text(client_for(world.alice).get("/tickets/"))

    assert "Thu 15 Jan 2026 14:00" in page  # due 14:00 in São Paulo (17:00 UTC)
    assert "Times in America/Sao_Paulo." in page


# ----------------------------------------------------------------------------- ticket page


def test_the_ticket_page_shows_the_public_conversation_but_never_internal_notes(world, clock):
    ticket = open_ticket(world.alice)
    do_reply(world.fiona, ticket, "We are on it.")
    do_reply(world.fiona, ticket, "Customer seems to run an old JVM.", public=False)

    page = text(client_for(world.alice).get(f"/tickets/{ticket.pk}/"))

    assert "We are on it." in page
    assert "old JVM" not in page
    assert "Met" in page  # the first public agent reply met the first response


def test_ticket_html_is_sanitized(world, clock):
    ticket = open_ticket(
        world.alice,
        body='<p onclick="steal()">Hi<script>alert(1)</script></p>',
        body_format="html",
    )

    page = client_for(world.alice).get(f"/tickets/{ticket.pk}/").content.decode()

    assert "alert(1)" not in page and "steal()" not in page
    assert "<p>Hi</p>" in page


def test_markup_written_in_a_markdown_reply_reads_as_text_on_both_sides(world, clock):
    ticket = open_ticket(world.alice)
    client_for(world.alice).post(
        f"/tickets/{ticket.pk}/reply/",
        {
            "body": "See <img src=x onerror=alert(1)> and [this](javascript:alert(2))<script>x</script>"
        },
    )

    for reader, path in ((world.alice, "/tickets/"), (world.fiona, "/console/tickets/")):
        page = client_for(reader).get(f"{path}{ticket.pk}/").content.decode()
        conversation = page.split("&lt;img src=x onerror=alert(1)&gt;")
        assert len(conversation) == 2, path  # shown once, as the words written
        assert "<img src=x" not in page and 'href="javascript' not in page
        assert "&lt;script&gt;x&lt;/script&gt;" in page


def test_alice_replies_with_a_file(world, clock):
    ticket = open_ticket(world.alice)
    upload = SimpleUploadedFile("screen.png", b"\x89PNG...", content_type="image/png")

    response = client_for(world.alice).post(
        f"/tickets/{ticket.pk}/reply/", {"body": "Here is a screenshot.", "attachment": upload}
    )

    assert response.status_code == 302
    message = Message.objects.filter(ticket=ticket).last()
    assert message.body_text == "Here is a screenshot."
    assert message.attachments.get().name == "screen.png"
    download = client_for(world.alice).get(
        f"/tickets/{ticket.pk}/attachments/{message.attachments.get().pk}/"
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"\x89PNG..."


def test_files_of_internal_notes_are_not_downloadable_by_contacts(world, clock):
    from pacto.tickets.actions import do_add_attachment

    ticket = open_ticket(world.alice)
    note = do_reply(world.fiona, ticket, "internal", public=False)
    upload = SimpleUploadedFile("internal.txt", b"secret", content_type="text/plain")
    attachment = do_add_attachment(world.fiona, ticket, upload, message=note)

    url = f"/tickets/{ticket.pk}/attachments/{attachment.pk}/"
    assert client_for(world.alice).get(url).status_code == 404
    assert client_for(world.fiona).get(url).status_code == 200


def test_alice_confirms_the_resolution_of_a_solved_ticket(world, clock):
    ticket = open_ticket(world.alice)
    do_change_status(world.fiona, ticket, "solved", reason="fixed")

    response = client_for(world.alice).post(f"/tickets/{ticket.pk}/confirm/")

    ticket.refresh_from_db()
    assert response.status_code == 302
    assert ticket.status_category == "closed"


def test_confirming_an_open_ticket_says_why_it_cannot(world, clock):
    ticket = open_ticket(world.alice)

    response = client_for(world.alice).post(f"/tickets/{ticket.pk}/confirm/")

    assert response.status_code == 422
    assert "Only a solved ticket can be confirmed or reopened." in text(response)


def test_carol_reopens_inside_secpods_three_day_window_but_not_after(world, clock):
    ticket = open_ticket(world.carol, details={}, version="")
    do_change_status(world.fiona, ticket, "solved", reason="fixed")
    page = text(client_for(world.carol).get(f"/tickets/{ticket.pk}/"))
    assert "You may reopen it until" in page

    response = client_for(world.carol).post(
        f"/tickets/{ticket.pk}/reopen/", {"reason": "Still broken"}
    )
    assert response.status_code == 302
    do_change_status(world.fiona, ticket, "solved", reason="fixed again")

    clock.advance(days=4)
    late = client_for(world.carol).post(f"/tickets/{ticket.pk}/reopen/", {"reason": "Broken again"})
    assert late.status_code == 422
    assert "allows reopening for 3 days" in text(late)


def test_alice_escalates_to_her_account_manager_with_a_reason(world, clock):
    ticket = open_ticket(world.alice)

    response = client_for(world.alice).post(
        f"/tickets/{ticket.pk}/escalate/", {"reason": "Production is down"}
    )

    assert response.status_code == 302
    event = ticket.events.get(kind=TicketEvent.Kind.ESCALATED)
    assert (event.reason, event.data["to"]) == ("Production is down", "account_manager")


def test_alice_asks_for_a_higher_severity_with_a_justification(world, clock):
    ticket = open_ticket(world.alice, severity="medium")
    client = client_for(world.alice)

    empty = client.post(
        f"/tickets/{ticket.pk}/severity/", {"severity": "urgent", "justification": ""}
    )
    assert empty.status_code == 422
    assert "This field is required." in text(empty)

    response = client.post(
        f"/tickets/{ticket.pk}/severity/",
        {"severity": "urgent", "justification": "All 300 users cannot log in since 09:00."},
    )
    assert response.status_code == 302
    assert ticket.events.get(kind=TicketEvent.Kind.SEVERITY_REQUEST).data["to"] == "urgent"


def test_carol_cannot_open_alices_ticket(world, clock):
    ticket = open_ticket(world.alice)

    assert client_for(world.carol).get(f"/tickets/{ticket.pk}/").status_code == 404
    assert (
        client_for(world.carol).post(f"/tickets/{ticket.pk}/reply/", {"body": "x"}).status_code
        == 404
    )


# ----------------------------------------------------------------------------- contacts


def test_amelia_requests_access_for_a_colleague(world, clock):
    response = client_for(world.amelia).post(
        "/contacts/",
        {
            "full_name": "Bruno Novo",
            "email": "bruno@azul.example",
            "phone": "",
            "reason": "New DBA",
        },
    )

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.type == "access_request"
    assert ticket.access_request["email"] == "bruno@azul.example"
    page = text(client_for(world.amelia).get("/contacts/"))
    assert "Alice Azul" in page and "Bob Unauthorized" in page and "not authorized" in page
    assert "Access request for Bruno Novo" in page


def test_an_access_request_for_an_existing_account_is_refused_on_the_form(world, clock):
    response = client_for(world.amelia).post(
        "/contacts/", {"full_name": "Alice", "email": "alice@azul.example", "reason": "again"}
    )

    assert response.status_code == 422
    assert "already has an account" in text(response)


def test_only_organization_admins_manage_contacts(world, clock):
    assert client_for(world.alice).get("/contacts/").status_code == 403
    assert client_for(world.victor).get("/contacts/").status_code == 200


# ----------------------------------------------------------------------------- calculator


def test_the_calculator_explains_the_holiday_without_signing_in(world, clock):
    response = client_for().get(
        "/calculator/?policy=senhasegura&plan=standard-8x5&severity=high&channel=portal"
        "&environment=production&type=problem&opened=2026-11-19T20:00"
    )

    page = text(response)
    assert response.status_code == 200
    assert "High on Standard 8x5: due Monday 23 November, 13:00 São Paulo time" in page
    assert "Dia Nacional de Zumbi e da Consciência Negra" in page
    assert "First response: due Mon 23 Nov 2026 13:00" in page  # the engine's own text


def test_the_calculator_answers_htmx_with_the_result_only(clock):
    response = client_for().get(
        "/calculator/?policy=secpod&plan=standard&severity=critical&channel=portal"
        "&environment=production&type=problem&opened=2026-01-15T10:00",
        headers={"HX-Request": "true"},
    )

    fragment = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in fragment and 'id="calculator"' in fragment
    assert "Critical on Standard" in text(response)


def test_switching_the_calculators_policy_keeps_a_valid_plan(clock):
    response = client_for().get("/calculator/?policy=allure&plan=standard-8x5&severity=urgent")

    assert response.status_code == 200
    assert "on SaaS" in text(response) or "SaaS" in text(response)


# ----------------------------------------------------------------------------- language, sign-in


def test_a_person_reads_pacto_in_their_own_language(world, clock):
    world.alice.language = "pt-br"
    world.alice.save()

    page = text(client_for(world.alice).get("/tickets/"))

    assert "Meus chamados" in page


def test_the_language_switch_stores_a_signed_in_persons_language(world, clock):
    client = client_for(world.alice)

    response = client.post("/language/", {"language": "pt-br", "next": "/tickets/"})

    assert response.status_code == 302 and response["Location"] == "/tickets/"
    world.alice.refresh_from_db()
    assert world.alice.language == "pt-br"
    assert (
        client_for().post("/language/", {"language": "pt-br", "next": "https://evil.example/"})[
            "Location"
        ]
        == "/"
    )


def test_preferences_change_the_time_zone(world, clock):
    response = client_for(world.carol).post(
        "/preferences/", {"language": "en", "time_zone": "Asia/Kolkata"}
    )

    assert response.status_code == 302
    world.carol.refresh_from_db()
    assert world.carol.time_zone == "Asia/Kolkata"


def test_signing_in_with_email_lands_contacts_on_their_tickets_and_staff_on_the_queues(
    world, clock
):
    contact = client_for().post(
        "/accounts/login/",
        {"login": "Alice@Azul.example", "password": "correct horse battery staple"},
    )
    staff = client_for().post(
        "/accounts/login/",
        {"login": "fiona@vendor.example", "password": "correct horse battery staple"},
    )

    assert contact.status_code == 302 and contact["Location"] == "/tickets/"
    assert staff.status_code == 302 and staff["Location"] == "/console/"


def test_repeated_failed_sign_ins_lock_the_address_out(world):
    # No frozen clock here: django-axes reads the real time to expire old failures.
    client = client_for()
    for _ in range(5):
        client.post("/accounts/login/", {"login": "alice@azul.example", "password": "wrong"})

    locked = client.post(
        "/accounts/login/",
        {"login": "alice@azul.example", "password": "correct horse battery staple"},
    )

    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in text(locked)


def test_nobody_signs_up(clock):
    response = client_for().get("/accounts/signup/")

    assert "Accounts are created on request" in text(response)


def test_a_forgotten_password_is_reset_by_email(world, clock):
    response = client_for().post("/accounts/password/reset/", {"email": "alice@azul.example"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "alice@azul.example" in mail.outbox[0].to


def test_two_factor_authentication_can_be_set_up(world):
    client = client_for()
    client.post(
        "/accounts/login/",
        {"login": "alice@azul.example", "password": "correct horse battery staple"},
    )
    # Turning on two-factor authentication asks for the password again.
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith(
        "/accounts/reauthenticate/"
    )
    client.post("/accounts/reauthenticate/", {"password": "correct horse battery staple"})

    response = client.get("/accounts/2fa/totp/activate/")

    assert response.status_code == 200
    assert "Authenticator" in text(response)
    assert 'src="data:image/svg+xml' in response.content.decode()  # the QR code, CSP-safe


# ----------------------------------------------------------------------------- security


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def assert_csp_clean(response):
    page = response.content.decode()
    assert not INLINE_SCRIPT.search(page), INLINE_SCRIPT.search(page).group(0)
    assert not EVENT_HANDLER.search(page), EVENT_HANDLER.search(page).group(0)
    assert not STYLE_ATTRIBUTE.search(page), STYLE_ATTRIBUTE.search(page).group(0)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_portal_pages_carry_a_strict_csp_and_no_inline_script_or_style(world, clock):
    ticket = open_ticket(world.alice)
    do_reply(world.fiona, ticket, "Hello")
    pages = [
        "/",
        "/calculator/",
        "/tickets/",
        "/tickets/new/",
        f"/tickets/{ticket.pk}/",
        "/preferences/",
        "/accounts/2fa/",
    ]
    for path in pages:
        response = client_for(world.amelia if path == "/contacts/" else world.alice).get(path)
        assert response.status_code == 200, path
        assert_csp_clean(response)
    assert_csp_clean(client_for(world.amelia).get("/contacts/"))
    assert_csp_clean(client_for().get("/accounts/login/"))


def test_changes_need_the_csrf_token(world, clock):
    ticket = open_ticket(world.alice)
    client = client_for(world.alice)
    client.handler.enforce_csrf_checks = True

    response = client.post(f"/tickets/{ticket.pk}/reply/", {"body": "no token"})

    assert response.status_code == 403


def test_the_user_middleware_ignores_an_unknown_time_zone(world, clock):
    User.objects.filter(pk=world.alice.pk).update(time_zone="Mars/Olympus", language="xx")

    assert client_for(world.alice).get("/tickets/").status_code == 200


def test_now_is_frozen_for_these_tests(clock):
    from django.utils import timezone

    assert timezone.now() == NOW


def test_a_reply_to_a_ticket_waiting_on_alice_says_its_clock_runs_again(world, clock):
    ticket = open_ticket(world.alice)
    do_change_status(world.fiona, ticket, "waiting-on-customer", reason="need the log")
    alice = client_for(world.alice)

    answer = alice.post(f"/tickets/{ticket.pk}/reply/", {"body": "Here it is."}, follow=True)
    again = alice.post(f"/tickets/{ticket.pk}/reply/", {"body": "And more."}, follow=True)

    assert "Your reply is sent: the first-response clock runs again, as the policy says." in text(
        answer
    )
    assert "Your reply is sent." in text(again) and "runs again" not in text(again)
