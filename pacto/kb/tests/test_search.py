"""Search behaves the same on SQLite and PostgreSQL: accents and case ignored, prefixes as the
reader types, the title above the body, highlighted snippets, and only what the reader may read."""

import pytest

from pacto.kb.search import search
from pacto.kb.tests.helpers import write

PAM = ["senhasegura PAM"]


@pytest.fixture
def articles(world):
    f = world.fiona
    return {
        "password": write(
            f, "Reset a vault password", "Open the vault and choose **Reset**.", products=PAM
        ),
        "body_only": write(
            f,
            "Session recording",
            "Recordings keep every password typed in a session.",
            products=PAM,
        ),
        "nao": write(
            f,
            "Não consigo acessar o cofre",
            "Verifique a configuração de autenticação.",
            locale="pt-br",
            products=PAM,
        ),
        "internal": write(
            f,
            "Vault password escrow internals",
            "Internal procedure.",
            status="internal",
            products=PAM,
        ),
        "draft": write(f, "Vault password draft notes", "Draft.", status="draft", products=PAM),
        "saner": write(f, "SanerNow password policy", "Patch agents.", products=["SanerNow"]),
    }


def titles(hits):
    return [h.title for h in hits]


def test_it_ignores_accents_and_case_in_portuguese(world, articles):
    for query in ("nao consigo", "NÃO", "configuracao", "CONFIGURAÇÃO", "acessar"):
        assert "Não consigo acessar o cofre" in titles(search(world.alice, query)), query


def test_it_ignores_accents_and_case_in_english(world, articles):
    for query in ("VAULT", "reset", "Rését", "pássword"):
        assert "Reset a vault password" in titles(search(world.alice, query)), query


def test_words_are_prefixes_as_the_reader_types(world, articles):
    assert "Reset a vault password" in titles(search(world.alice, "reset vau"))
    assert "Reset a vault password" in titles(search(world.alice, "passw"))


def test_a_title_match_ranks_above_a_body_match(world, articles):
    found = titles(search(world.alice, "password"))

    assert found.index("Reset a vault password") < found.index("Session recording")


def test_the_snippet_highlights_the_match(world, articles):
    hit = next(h for h in search(world.alice, "recordings") if h.title == "Session recording")

    assert "<mark>" in hit.snippet_html and "Recordings" in hit.snippet_html


def test_customers_never_get_internal_or_draft_articles(world, articles):
    found = titles(search(world.alice, "vault password"))

    assert "Vault password escrow internals" not in found
    assert "Vault password draft notes" not in found


def test_agents_find_internal_articles_but_not_drafts(world, articles):
    found = titles(search(world.fiona, "vault password"))

    assert "Vault password escrow internals" in found
    assert "Vault password draft notes" not in found


def test_customers_only_find_articles_for_products_their_contracts_cover(world, articles):
    assert "SanerNow password policy" not in titles(search(world.alice, "password"))
    assert "SanerNow password policy" not in titles(search(world.carol, "password"))  # no products
    assert "Reset a vault password" not in titles(search(world.carol, "password"))


def test_an_article_without_products_applies_to_every_customer(world, articles):
    write(world.fiona, "How to open a good ticket", "Describe the steps.")

    assert titles(search(world.carol, "good ticket")) == ["How to open a good ticket"]


def test_the_locale_filter_keeps_one_language(world, articles):
    assert titles(search(world.alice, "cofre vault", locale="pt-br")) == [
        "Não consigo acessar o cofre"
    ]


def test_html_in_an_article_is_escaped_in_the_snippet(world):
    write(world.fiona, "Escaping test", "Type <script>alert(1)</script> in escaping field.")

    hit = search(world.alice, "escaping")[0]

    assert "<script>" not in hit.snippet_html


@pytest.mark.postgres
def test_a_one_letter_typo_still_finds_the_title_on_postgresql(world, articles):
    assert "Reset a vault password" in titles(search(world.alice, "pasword"))
    assert "Reset a vault password" in titles(search(world.alice, "vaullt"))
    assert "Não consigo acessar o cofre" in titles(search(world.alice, "acesar"))


def test_a_visible_article_is_found_even_when_the_best_matches_are_not_for_the_reader(
    world, monkeypatch
):
    from pacto.kb import search as module

    monkeypatch.setattr(module, "CANDIDATES", 2)
    for n in range(3):
        write(world.fiona, f"Vault sizing {n}", "Vault vault vault.", products=["SanerNow"])
    write(world.fiona, "Backup schedule", "Back up the vault nightly.", products=PAM)

    assert titles(search(world.alice, "vault")) == ["Backup schedule"]


def test_the_title_highlight_keeps_the_accents_the_reader_did_not_type(world, articles):
    hit = next(h for h in search(world.alice, "nao") if h.title == "Não consigo acessar o cofre")

    assert "<mark>Não</mark>" in hit.title_html


def test_an_article_is_found_once_published_and_no_longer_once_archived(world):
    from pacto.kb.actions import do_change_article_status

    article = write(world.fiona, "Vault quorum settings", "Quorum.", status="draft", products=PAM)
    assert titles(search(world.alice, "quorum")) == []

    do_change_article_status(world.fiona, article, "published")
    assert titles(search(world.alice, "quorum")) == ["Vault quorum settings"]

    do_change_article_status(world.fiona, article, "archived")
    assert titles(search(world.alice, "quorum")) == []
    assert titles(search(world.fiona, "quorum")) == []


def test_the_best_title_match_comes_first_even_when_only_one_is_asked_for(world, articles):
    write(world.fiona, "Password vault vault vault", "Body.", status="internal", products=PAM)

    assert titles(search(world.alice, "password", limit=1)) == ["Reset a vault password"]
    assert titles(search(world.alice, "recordings", limit=1)) == ["Session recording"]


@pytest.mark.postgres
def test_a_typo_finds_the_title_when_only_one_is_asked_for_on_postgresql(world, articles):
    assert titles(search(world.alice, "pasword", limit=1)) == ["Reset a vault password"]
