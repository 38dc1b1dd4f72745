"""Articles, votes, deflection and import, as customers and agents meet them."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from pacto.errors import ActionError
from pacto.kb import actions
from pacto.kb.models import Article, ArticleEvent, ArticleTask, KbEvent, TicketArticle, Vote
from pacto.kb.tests.helpers import write
from pacto.testing import PROBLEM_DETAILS, client_for
from pacto.tickets.models import Ticket

# Uploads in a folder of each test, and an empty cache.
pytestmark = pytest.mark.usefixtures("media_root")

PAM = ["senhasegura PAM"]


@pytest.fixture
def vault(world):
    return write(
        world.fiona,
        "Vault unreachable after upgrade",
        "Restart the **vault** service.",
        products=PAM,
    )


@pytest.fixture
def hidden(world):
    return {
        "internal": write(
            world.fiona,
            "Vault unreachable escalation runbook",
            "Internal.",
            status="internal",
            products=PAM,
        ),
        "draft": write(
            world.fiona, "Vault unreachable draft", "Draft.", status="draft", products=PAM
        ),
    }


def unmarked(response) -> str:
    return response.content.decode().replace("<mark>", "").replace("</mark>", "")


# ----------------------------------------------------------------------------- visibility


def test_internal_and_draft_articles_never_reach_customers_through_the_api(world, vault, hidden):
    client = client_for(world.alice)

    found = client.get("/api/kb/search?q=vault+unreachable").json()["results"]
    for article in hidden.values():
        single = client.get(f"/api/kb/articles/en/{article.slug}")
        assert single.status_code == 404

    assert [r["slug"] for r in found] == [vault.slug]


def test_internal_and_draft_articles_never_reach_customers_through_pages(world, vault, hidden):
    client = client_for(world.alice)

    page = unmarked(client.get(reverse("kb:search"), {"q": "vault unreachable"}))

    assert "Vault unreachable after upgrade" in page
    assert "runbook" not in page and "Vault unreachable draft" not in page
    for article in hidden.values():
        assert client.get(reverse("kb:article", args=["en", article.slug])).status_code == 404


def test_internal_and_draft_articles_never_reach_customers_in_suggestions(world, vault, hidden):
    page = client_for(world.alice).get(reverse("kb:suggest"), {"subject": "vault unreachable"})

    text = unmarked(page)
    assert "Vault unreachable after upgrade" in text
    assert "runbook" not in text and "Vault unreachable draft" not in text


def test_agents_read_internal_articles(world, hidden):
    found = client_for(world.fiona).get("/api/kb/search?q=runbook").json()["results"]

    assert [r["slug"] for r in found] == [hidden["internal"].slug]


def test_suggestions_start_from_the_third_character(world, vault):
    client = client_for(world.alice)

    assert (
        "Vault unreachable"
        not in client.get(reverse("kb:suggest"), {"subject": "va"}).content.decode()
    )
    assert "vault" in client.get(reverse("kb:suggest"), {"subject": "vau"}).content.decode().lower()


# ----------------------------------------------------------------------------- lifecycle


def test_every_status_change_is_audited(world, vault):
    actions.do_change_article_status(world.sam, vault, "archived", reason="obsolete")

    event = vault.events.filter(kind=ArticleEvent.Kind.STATUS).get()
    assert (event.actor, event.data["from"], event.data["to"]) == (
        world.sam,
        "published",
        "archived",
    )


def test_a_scheduled_article_is_published_by_the_worker_at_its_time(world):
    article = write(world.fiona, "Release notes 4.0", status="draft", products=PAM)
    at = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    actions.do_schedule_publication(world.fiona, article, at)

    assert actions.publish_due(at - dt.timedelta(minutes=1)) == {"published": 0}
    assert actions.publish_due(at) == {"published": 1}
    assert actions.publish_due(at) == {"published": 0}
    article.refresh_from_db()
    assert article.status == "published" and article.published_at == at


def test_a_slug_is_unique_per_locale_and_a_translation_links_to_its_original(world, vault):
    translation = write(world.fiona, "Cofre inacessível após atualização", locale="pt-br",
                        slug=vault.slug, translation_of=vault, products=PAM)  # fmt: skip

    with pytest.raises(ActionError) as refused:
        write(world.fiona, "Another", slug=vault.slug)

    assert refused.value.rule == "unique_per_locale"
    assert translation.original == vault


def test_markdown_is_rendered_and_sanitized(world):
    article = write(
        world.fiona,
        "Markdown",
        "# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) **bold**",
    )

    assert "<h1>Title</h1>" in article.body_html and "<strong>bold</strong>" in article.body_html
    assert "<script>" not in article.body_html and 'href="javascript' not in article.body_html


# ----------------------------------------------------------------------------- feedback


def test_one_vote_per_contact_which_they_may_change(world, vault):
    actions.do_vote(world.alice, vault, helpful=True)
    actions.do_vote(world.alice, vault, helpful=False, reason="outdated")
    actions.do_vote(world.amelia, vault, helpful=True)

    assert Vote.objects.filter(article=vault).count() == 2
    assert Vote.objects.get(article=vault, contact=world.alice).helpful is False


def test_a_no_with_a_reason_creates_a_task_for_the_owner(world, vault):
    client = client_for(world.alice)

    response = client.post(
        reverse("kb:vote", args=["en", vault.slug]),
        {"helpful": "no", "reason": "outdated", "comment": "The menu moved in 3.31"},
    )

    assert response.status_code == 302
    task = ArticleTask.objects.get()
    assert (task.owner, task.reason, task.comment) == (
        world.fiona,
        "outdated",
        "The menu moved in 3.31",
    )
    assert (
        "The menu moved in 3.31"
        in client_for(world.fiona).get(reverse("kb:tasks")).content.decode()
    )


def test_the_owner_is_emailed_about_a_no_with_a_reason(world, vault, smtp):
    from django.utils import timezone

    from pacto.notifications.delivery import deliver_due

    actions.do_vote(world.alice, vault, helpful=False, reason="outdated", comment="Menu moved")
    actions.do_vote(world.alice, vault, helpful=False, reason="outdated", comment="Menu moved")

    assert deliver_due(timezone.now() + dt.timedelta(seconds=1)) == {"sent": 1}
    [message] = smtp.handler.messages
    assert message["To"] == world.fiona.email
    assert message["Subject"] == "Article feedback: Vault unreachable after upgrade"
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    body = text.get_payload(decode=True).decode()
    assert "It is outdated or wrong" in body and "Menu moved" in body
    assert f"/kb/manage/tasks/#task-{ArticleTask.objects.get().pk}" in body


def test_the_owner_sees_the_task_in_the_console_task_list_and_closes_it(world, vault):
    actions.do_vote(world.alice, vault, helpful=False, reason="unclear", comment="Which menu?")
    client = client_for(world.fiona)
    task = ArticleTask.objects.get()

    assert "1 open task" in client.get(reverse("kb:manage")).content.decode()
    assert "Which menu?" in client.get(reverse("kb:tasks")).content.decode()
    done = client.post(reverse("kb:task_done", args=[task.pk]), {"resolution": "Rewritten"})

    assert done.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.done_by, task.resolution) == ("done", world.fiona, "Rewritten")


def test_the_console_counts_helpful_and_not_helpful_votes(world, vault):
    actions.do_vote(world.alice, vault, helpful=True)
    actions.do_vote(world.amelia, vault, helpful=False, reason="unclear")

    article = client_for(world.fiona).get(reverse("kb:manage")).context["articles"][0]

    assert (article.helpful, article.not_helpful, article.open_tasks) == (1, 1, 1)


# ----------------------------------------------------------------------------- deflection


def form_data(**extra):
    return {
        "type": "problem", "subject": "Vault unreachable", "severity": "high",
        "environment": "production", "body": "Since the upgrade", "version": "3.31",
        **PROBLEM_DETAILS, **extra,
    }  # fmt: skip


def test_this_answered_my_question_records_a_deflection_and_opens_no_ticket(world, vault, clock):
    client = client_for(world.alice)

    response = client.post(reverse("kb:deflect"), form_data(kb_article=vault.pk))

    assert response.status_code == 302
    assert Ticket.objects.count() == 0
    deflection = KbEvent.objects.get(kind="deflection")
    assert (deflection.article, deflection.user, deflection.query) == (
        vault,
        world.alice,
        "Vault unreachable Since the upgrade",
    )


def test_without_javascript_the_form_first_shows_similar_articles(world, vault, clock):
    client = client_for(world.alice)

    step = client.post(reverse("portal:new_ticket"), form_data())

    assert step.status_code == 200 and Ticket.objects.count() == 0
    assert "This answered my question" in step.content.decode()
    opened = client.post(
        reverse("portal:new_ticket"), form_data(kb_step="done", kb_shown=[vault.pk])
    )
    assert opened.status_code == 302
    ticket = Ticket.objects.get()
    assert list(TicketArticle.objects.filter(ticket=ticket).values_list("relation", "article")) == [
        ("suggested", vault.pk)
    ]
    assert KbEvent.objects.filter(kind="ticket_after", ticket=ticket).exists()


def test_a_contact_cannot_record_an_article_they_may_not_read_on_a_ticket(world, hidden, clock):
    client_for(world.alice).post(
        reverse("portal:new_ticket"), form_data(kb_step="done", kb_shown=[hidden["internal"].pk])
    )

    assert not TicketArticle.objects.exists()


# ----------------------------------------------------------------------------- tickets


def test_an_agent_sends_an_article_in_a_reply_which_records_it(world, vault, clock):
    from pacto.tickets.actions import do_open_ticket

    ticket = do_open_ticket(world.alice, subject="Vault unreachable", body="x", severity="high",
                            version="3.31", details=PROBLEM_DETAILS)  # fmt: skip
    response = client_for(world.fiona).post(
        reverse("kb:send", args=[ticket.pk]),
        {"article": vault.pk, "note": "This should help", "solved": "on"},
    )

    assert response.status_code == 302
    sent = TicketArticle.objects.get(relation="sent")
    assert vault.slug in sent.message.body_html and sent.message.public
    assert TicketArticle.objects.filter(relation="solved", ticket=ticket, article=vault).exists()
    page = client_for(world.fiona).get(reverse("kb:edit", args=[vault.pk])).content.decode()
    assert f"#{ticket.pk}" in page


def test_an_agent_writes_an_article_from_a_tickets_solution(world, clock):
    from pacto.tickets.actions import do_open_ticket, do_reply

    ticket = do_open_ticket(world.alice, subject="LDAP sync stops", body="x", severity="high",
                            version="3.31", details=PROBLEM_DETAILS, product="senhasegura PAM")  # fmt: skip
    do_reply(world.fiona, ticket, "Raise the LDAP page size to 1000.")
    client = client_for(world.fiona)

    form = client.get(reverse("kb:new"), {"ticket": ticket.pk}).content.decode()
    assert "Raise the LDAP page size to 1000." in form
    saved = client.post(reverse("kb:new"), {
        "ticket": ticket.pk, "title": "LDAP sync stops", "locale": "en", "status": "published",
        "body_markdown": "Raise the LDAP page size to 1000.", "products": "senhasegura PAM",
    })  # fmt: skip

    assert saved.status_code == 302
    article = Article.objects.get(title="LDAP sync stops")
    assert TicketArticle.objects.filter(ticket=ticket, article=article, relation="solved").exists()


# ----------------------------------------------------------------------------- files


def test_an_import_run_twice_changes_nothing(world, tmp_path):
    (tmp_path / "vault.md").write_text(
        "---\ntitle: Vault unreachable\nlocale: en\nslug: vault-unreachable\nstatus: published\n"
        "products: [senhasegura PAM]\ncategories: [vault]\n---\n\nRestart the vault.\n",
        encoding="utf-8",
    )
    (tmp_path / "cofre.md").write_text(
        "---\ntitle: Cofre inacessível\nlocale: pt-br\nslug: cofre-inacessivel\nstatus: published\n"
        "products: [senhasegura PAM]\ntranslation_of: vault-unreachable\n---\n\nReinicie o cofre.\n",
        encoding="utf-8",
    )
    call_command("kb", "import", str(tmp_path), "--as", world.fiona.email)
    state = list(
        Article.objects.values_list(
            "slug", "locale", "lock_version", "translation_of__slug", "updated_at"
        )
    )
    events = ArticleEvent.objects.count()

    call_command("kb", "import", str(tmp_path), "--as", world.fiona.email)

    assert (
        list(
            Article.objects.values_list(
                "slug", "locale", "lock_version", "translation_of__slug", "updated_at"
            )
        )
        == state
    )
    assert ArticleEvent.objects.count() == events
    assert [s[3] for s in state if s[1] == "pt-br"] == ["vault-unreachable"]


def test_an_export_imports_back_unchanged(world, vault, tmp_path):
    call_command("kb", "export", str(tmp_path))
    version = Article.objects.get(pk=vault.pk).lock_version

    call_command("kb", "import", str(tmp_path), "--as", world.fiona.email)

    assert Article.objects.get(pk=vault.pk).lock_version == version
    assert (
        (tmp_path / "en" / f"{vault.slug}.md").read_text(encoding="utf-8").startswith("---\ntitle:")
    )


def test_the_portal_lists_the_policys_knowledge_resources(world):
    page = client_for(world.alice).get(reverse("kb:search")).content.decode()

    assert "https://docs.senhasegura.io" in page and "https://community.senhasegura.io" in page
    assert "https://d.senhasegura.io/shorts" in page


def test_monthly_metrics_count_searches_deflections_and_votes(world, vault):
    from pacto.kb import metrics

    actions.do_search(world.alice, "vault")
    actions.do_deflect(world.alice, vault)
    actions.do_vote(world.alice, vault, helpful=True)
    month = metrics.month(dt.date.today().replace(day=1))

    assert (month.searches, month.deflections, month.helpful, month.unviewed) == (1, 1, 1, 1)


def test_the_monthly_metrics_count_each_figure_in_its_own_month(world):
    from pacto.kb import metrics
    from pacto.testing import open_ticket

    feb, mar, apr = (dt.datetime(2026, m, 12, 15, 0, tzinfo=dt.UTC) for m in (2, 3, 4))
    read = write(world.fiona, "Vault unreachable", "Restart the vault.", products=PAM, now=feb)
    write(world.fiona, "Vault backup", "Back up nightly.", products=PAM, now=feb)
    actions.do_search(world.alice, "vault", now=mar)
    actions.do_suggest(world.alice, "vault unreachable", now=mar)
    actions.do_record_view(world.alice, read, now=mar)
    actions.do_deflect(world.alice, read, now=mar)
    actions.do_record_ticket_suggestions(world.alice, open_ticket(world.alice), [read.pk], now=mar)
    actions.do_vote(world.alice, read, helpful=True, now=mar)
    actions.do_vote(world.amelia, read, helpful=False, reason="unclear", now=mar)
    actions.do_search(world.alice, "backup", now=apr)

    figures = {
        m.first.month: (m.searches, m.suggestions, m.deflections, m.tickets_after, m.helpful,
                        m.not_helpful, m.unviewed)
        for m in metrics.monthly(dt.date(2026, 4, 1), months=3)
    }  # fmt: skip
    page = client_for(world.fiona).get(reverse("kb:metrics"), {"month": "2026-03"})

    assert figures == {
        2: (0, 0, 0, 0, 0, 0, 2),
        3: (1, 1, 1, 1, 1, 1, 1),
        4: (1, 0, 0, 0, 0, 0, 2),
    }
    assert [a.title for a in page.context["unviewed"]] == ["Vault backup"]
    assert "Vault backup" in page.content.decode()


def test_the_article_list_counts_the_tickets_each_article_solved(world, vault, clock):
    from pacto.testing import open_ticket

    for _ in range(2):
        actions.do_mark_solved_by(world.fiona, open_ticket(world.alice), vault)
    write(world.fiona, "Vault backup", "Back up nightly.", products=PAM)

    listed = client_for(world.fiona).get(reverse("kb:manage")).context["articles"]

    assert {a.title: a.solved for a in listed} == {vault.title: 2, "Vault backup": 0}


def test_the_new_ticket_form_links_the_policys_knowledge_resources(world):
    page = client_for(world.alice).get(reverse("portal:new_ticket")).content.decode()

    assert 'href="https://docs.senhasegura.io' in page
    assert 'href="https://community.senhasegura.io' in page


def test_the_search_api_returns_ranked_articles_with_slug_title_snippet_and_score(world, vault):
    write(world.fiona, "Session recording", "Recordings stop when the vault is unreachable.",
          products=PAM)  # fmt: skip

    answer = client_for(world.alice).get("/api/kb/search", {"q": "vault unreachable"}).json()

    results = answer["results"]
    assert [r["slug"] for r in results] == [vault.slug, "session-recording"]
    assert results[0]["title"] == "Vault unreachable after upgrade"
    assert results[0]["score"] > results[1]["score"] > 0
    assert "<mark>unreachable</mark>" in results[1]["snippet"]
    assert set(results[0]) >= {"slug", "title", "snippet", "score"}


def test_the_search_api_refuses_a_bad_locale_naming_the_field(world):
    answer = client_for(world.alice).get("/api/kb/search", {"q": "vault", "locale": "fr"})

    assert answer.status_code in (400, 422)
    assert "locale" in answer.content.decode()


def test_an_agent_sees_the_votes_and_the_solved_tickets_on_the_article_page(world, vault, clock):
    from pacto.testing import open_ticket, text

    ticket = open_ticket(world.alice, subject="Vault down after 3.31")
    actions.do_mark_solved_by(world.fiona, ticket, vault)
    actions.do_vote(world.alice, vault, helpful=True)
    actions.do_vote(world.amelia, vault, helpful=False, reason="unclear")

    page = text(client_for(world.fiona).get(reverse("kb:article", args=["en", vault.slug])))
    customer = text(client_for(world.alice).get(reverse("kb:article", args=["en", vault.slug])))

    assert "Helpful: 1 · Not helpful: 1" in page
    assert f"#{ticket.pk} Vault down after 3.31 — Solved the ticket" in page
    assert "Vault down after 3.31" not in customer and "Not helpful: 1" not in customer
