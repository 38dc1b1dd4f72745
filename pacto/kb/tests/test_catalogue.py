"""The knowledge base with the product catalogue: articles for some versions only, and the
catalogue's known issues among the results, with their workaround (senhasegura §9: "the
customer will be notified of the issue, temporary palliative solution and definitive
correction")."""

import pytest
from django.urls import reverse

from pacto.catalog.actions import do_create_known_issue
from pacto.catalog.tests.fixtures import build_catalogue
from pacto.errors import ActionError
from pacto.kb import catalogue as kb_catalogue
from pacto.kb.search import search
from pacto.kb.tests.helpers import write
from pacto.testing import client_for


@pytest.fixture
def catalogue(world):
    """Banco Azul (alice) runs PAM Core 4.2, Verde Energia (carol) runs 4.4."""
    return build_catalogue(world)


@pytest.fixture
def by_version(world, catalogue):
    f = world.fiona
    return {
        "old": write(
            f,
            "Backup job fails on 4.2",
            "Backup restore steps.",
            products=["senhasegura PAM / Core @ 4.2"],
        ),
        "new": write(
            f,
            "Backup job fails on 4.4",
            "Backup restore steps.",
            products=["senhasegura PAM / Core @ >=4.3"],
        ),
        "any": write(f, "Backup basics", "Backup restore steps.", products=["senhasegura PAM"]),
    }


@pytest.fixture
def issue(world, catalogue):
    known = do_create_known_issue(
        world.fiona, product=catalogue.pam, status="known_error",
        title="Backup restore hangs at 90%",
        symptoms="The restore wizard stops at 90% and the backup never finishes.",
        workaround="Restore from the command line with pam-restore --no-index.",
        ranges=[{"module": catalogue.core, "introduced": "4.2", "fixed": "4.3"}],
    )  # fmt: skip
    known.published_at = known.created_at
    known.save(update_fields=["published_at"])
    return known


def titles(hits):
    return [h.title for h in hits]


def test_customers_see_only_the_articles_for_the_version_they_run(world, by_version):
    alice = titles(search(world.alice, "backup"))  # runs 4.2
    carol = titles(search(world.carol, "backup"))  # runs 4.4

    assert "Backup job fails on 4.2" in alice and "Backup job fails on 4.4" not in alice
    assert "Backup job fails on 4.4" in carol and "Backup job fails on 4.2" not in carol
    assert "Backup basics" in alice and "Backup basics" in carol


def test_agents_see_every_version_and_can_narrow_to_one(world, by_version):
    assert len(search(world.fiona, "backup")) == 3

    narrowed = search(world.fiona, "backup", product="senhasegura PAM", version="4.4.1")
    assert set(titles(narrowed)) == {"Backup basics", "Backup job fails on 4.4"}
    assert set(titles(search(world.fiona, "backup", version="4.2"))) == {
        "Backup basics",
        "Backup job fails on 4.2",
    }


def test_the_search_api_filters_by_version(world, by_version):
    found = client_for(world.fiona).get("/api/kb/search?q=backup&version=4.2").json()["results"]

    assert {r["title"] for r in found} == {"Backup basics", "Backup job fails on 4.2"}


def test_an_article_names_the_catalogues_products_and_versions(world, catalogue):
    article = write(world.fiona, "Upgrade path", products=["SENHASEGURA pam / Core @ 4.2, 4.3"])

    line = article.products.get()
    assert (line.product, line.catalog_product, line.versions) == (
        "senhasegura PAM",
        catalogue.pam,
        "4.2, 4.3",
    )
    with pytest.raises(ActionError) as refused:
        write(world.fiona, "Upgrade path 2", products=["senhasegura PAM / Core @ 4.9"])
    assert (refused.value.field, refused.value.rule) == ("versions", "catalogue_version")
    with pytest.raises(ActionError) as refused:
        write(world.fiona, "Upgrade path 3", products=["senhasegura PAM @ >=>4"])
    assert refused.value.rule == "version_list"


def test_version_lists_read_numbers_as_the_catalogue_sorts_them():
    assert kb_catalogue.version_matches("3.31", "3.31.2")
    assert not kb_catalogue.version_matches("3.3", "3.31.2")
    assert kb_catalogue.version_matches(">=3.9 <3.11", "3.10")
    assert not kb_catalogue.version_matches(">=3.9 <3.11", "3.11.0")
    assert kb_catalogue.version_matches("2.1, >=4.0", "4.2")
    assert kb_catalogue.version_matches("", "anything")


def test_known_issues_appear_in_the_search_with_their_workaround(world, issue):
    page = client_for(world.alice).get(reverse("kb:search"), {"q": "restore hangs"})

    text = page.content.decode()
    assert "Backup restore hangs at 90%" in text
    assert "pam-restore --no-index" in text


def test_known_issues_appear_in_the_search_api(world, issue):
    body = client_for(world.alice).get("/api/kb/search?q=restore").json()

    assert [(k["slug"], k["workaround"]) for k in body["known_issues"]] == [
        (issue.slug, "Restore from the command line with pam-restore --no-index.")
    ]


def test_known_issues_are_suggested_on_the_new_ticket_form(world, issue):
    page = client_for(world.alice).get(reverse("kb:suggest"), {"subject": "restore hangs at 90"})

    text = page.content.decode()
    assert "Backup restore hangs at 90%" in text and "pam-restore --no-index" in text


def test_a_known_issue_that_misses_the_customers_version_is_not_shown(world, issue):
    # Verde Energia runs 4.4; the issue affects 4.2 up to (not including) 4.3.
    assert kb_catalogue.known_issues(world.carol, "restore") == []
    assert [k.slug for k in kb_catalogue.known_issues(world.alice, "restore")] == [issue.slug]


def test_unpublished_known_issues_and_other_products_stay_hidden(world, catalogue):
    do_create_known_issue(
        world.fiona, product=catalogue.pam, title="Restore draft issue", symptoms="restore",
        ranges=[{"module": catalogue.core}],
    )  # fmt: skip
    saner = do_create_known_issue(
        world.fiona, product=catalogue.saner, title="Restore of agents fails", symptoms="restore",
        ranges=[{"module": catalogue.saner.modules.get()}],
    )  # fmt: skip
    saner.published_at = saner.created_at
    saner.save(update_fields=["published_at"])

    assert kb_catalogue.known_issues(world.alice, "restore") == []  # Azul has no SanerNow
    assert [k.title for k in kb_catalogue.known_issues(world.fiona, "restore")] == [
        "Restore of agents fails"
    ]


def test_known_issue_search_ignores_accents_and_case(world, issue):
    assert kb_catalogue.known_issues(world.alice, "RESTÔRE hángs")[0].slug == issue.slug
