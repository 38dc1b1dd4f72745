"""Ticket search's ranking: every word of the query beats one word, also when a common word
matches more messages than are ranked; and the reader's narrowing holds."""

from django.utils import timezone

from pacto.testing import open_ticket
from pacto.tickets import search as ticket_search
from pacto.tickets.actions import do_reply


def test_the_ticket_with_every_word_comes_first_however_common_one_word_is(
    world, clock, monkeypatch
):
    monkeypatch.setattr(ticket_search, "CANDIDATES", 2)  # PostgreSQL ranks this many per kind
    oldest = open_ticket(world.alice, subject="Slow console")
    do_reply(world.fiona, oldest, "The vault keystore was rotated twice.", public=False)
    newer = []
    for n in range(4):
        clock.advance(minutes=5)
        ticket = open_ticket(world.alice, subject=f"Question {n}")
        do_reply(world.fiona, ticket, "The vault is fine.")
        newer.append(ticket.pk)

    _query, hits = ticket_search.search(world.fiona, "vault keystore", timezone.now())

    found = [hit.ticket.pk for hit in hits]
    assert found[0] == oldest.pk
    assert "<mark>keystore</mark>" in hits[0].snippet_html
    assert set(found[1:]) <= set(newer) and found[1:]  # the newest "vault" matches follow


def test_a_contact_finds_neither_other_organizations_tickets_nor_internal_notes(world, clock):
    theirs = open_ticket(world.carol, subject="Keystore rotation", details={}, version="")
    mine = open_ticket(world.alice, subject="Backup question")
    do_reply(world.fiona, mine, "Keystore checked.", public=False)

    _query, hits = ticket_search.search(world.alice, "keystore", timezone.now())
    _query, staff_hits = ticket_search.search(world.fiona, "keystore", timezone.now())

    assert hits == []
    assert {hit.ticket.pk for hit in staff_hits} == {theirs.pk, mine.pk}


def test_the_marks_fall_on_the_words_begun_accents_and_case_aside():
    text = "Antes da Rotação do keystore, o cofre ficou lento; depois da rotação voltou ao normal."

    whole = ticket_search._mark(text, ["rotacao", "key"])
    window = ticket_search._mark(text, ["keystore"], size=4)

    start, stop = ticket_search.START, ticket_search.STOP
    assert whole == text.replace("Rotação", f"{start}Rotação{stop}").replace(
        "rotação", f"{start}rotação{stop}"
    ).replace("keystore", f"{start}keystore{stop}")
    assert window == f"…do {start}keystore{stop}, o cofre…"  # one token before, four in all
    assert ticket_search.words_held(text, ["rotacao", "cofre", "vault"]) == 2
