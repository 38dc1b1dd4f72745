"""A clock's explanation cites the policy's own words: in English inline, in Portuguese
introduced as a quotation in the policy's language, never as if it were Portuguese."""

from __future__ import annotations

from django.utils import translation

from pacto.sla.phrases import from_json
from pacto.testing import open_ticket
from pacto.tickets.words import explanation_lines


def explanation(ticket, language: str) -> str:
    clock = ticket.clocks.get(metric="first_response")
    notes = [from_json(note) for note in clock.explanation]
    with translation.override(language):
        return "\n".join(explanation_lines(notes, ticket.policy, ticket.policy.calendar().zone))


def test_the_cite_is_a_quotation_in_portuguese_and_inline_in_english(world, clock):
    ticket = open_ticket(world.alice, severity="high")

    english, portuguese = explanation(ticket, "en"), explanation(ticket, "pt-br")

    assert " [§" in english
    assert " [§" not in portuguese
    assert "(nas palavras da política, em inglês: §" in portuguese
