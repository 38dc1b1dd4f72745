"""The knowledge base's deflection on the new-ticket form, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from pacto.kb.actions import do_create_article
from pacto.kb.models import KbEvent
from pacto.tickets.models import Ticket

pytestmark = pytest.mark.browser


def test_typing_a_subject_suggests_an_article_that_answers_the_question(open_session, people):
    article = do_create_article(
        people.fiona, title="Vault unreachable after an upgrade", status="published",
        body_markdown="Restart the vault service from Settings, System, Services.",
        products=["senhasegura PAM"],
    )  # fmt: skip
    alice = open_session()
    alice.sign_in("alice@azul.example")
    page = alice.page
    alice.goto("/tickets/new/")

    page.get_by_label("Subject").press_sequentially("vault unrea", delay=40)

    suggestions = page.locator("#kb-suggestions")
    expect(suggestions).to_contain_text("Vault unreachable after an upgrade")
    suggestions.get_by_role("button", name="This answered my question").click()
    expect(page).to_have_url(re.compile(rf"/kb/en/{article.slug}/$"))
    expect(page.get_by_text("Glad it helped. No ticket was opened.")).to_be_visible()
    deflection = KbEvent.objects.get(kind="deflection")
    assert (deflection.article_id, deflection.user_id) == (article.pk, people.alice.pk)
    assert Ticket.objects.count() == 0
