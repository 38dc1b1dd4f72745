"""Parsing without a database: quotes and signatures, HTML, stated fields and severities."""

from __future__ import annotations

import pytest

from pacto.mail.fields import environment_of, form_fields, match_severity, severity_in_subject
from pacto.mail.parse import clean_subject, html_to_text, parse_message, strip_reply
from pacto.sla.policy import preset as load_preset


@pytest.mark.parametrize(
    "text, new",
    [
        ("Done.\n\nOn Mon, Jan 5, 2026 at 9:00 AM Bob <b@x.example> wrote:\n> question", "Done."),
        (
            "Feito.\n\nEm seg., 5 de jan. de 2026 às 09:00, Bob <b@x.example> escreveu:\n> ?",
            "Feito.",
        ),
        ("Done.\n\n-----Original Message-----\nFrom: Bob\nSent: Monday\nTo: Alice\n\nold", "Done."),
        (
            "Feito.\n\nDe: Bob <b@x.example>\nEnviado: segunda\nPara: Alice\nAssunto: x\n\nold",
            "Feito.",
        ),
        ("Done.\n\nFrom: Bob <b@x.example>\nDate: Monday\nTo: Alice\nSubject: x\n\nold", "Done."),
        ("Done.\n\nSent from my iPhone\n\n> On 5 Jan 2026, at 09:00, Bob wrote:\n> old", "Done."),
        ("Ok\n\nEnviado do meu iPhone", "Ok"),
        ("Ok\n\nGet Outlook for Android", "Ok"),
        ("Answer.\n\n-- \nAlice\nBanco Azul", "Answer."),
        ("> q1\nA1\n> q2\nA2", "A1\nA2"),
        ("On Monday Bob wrote:\n> q\n\nA", "A"),
        (
            "Top\n\nOn Mon, Jan 5, 2026 at 9:00 AM Bob Example <\nb@x.example> wrote:\n\n> old",
            "Top",
        ),
        ("We fixed it -- thanks\nIn our lab: ok", "We fixed it -- thanks\nIn our lab: ok"),
    ],
)
def test_it_keeps_only_the_new_text_of_a_reply(text, new):
    assert strip_reply(text) == new


def test_it_turns_html_into_text_with_quotes_marked():
    html = (
        '<div>Thanks!<br>Works.</div><div class="gmail_signature">Alice</div>'
        '<div class="gmail_quote">On Mon Bob wrote:<blockquote>old</blockquote></div>'
        "<script>alert(1)</script><style>p{}</style><table><tr><td>a</td><td>b</td></tr></table>"
    )

    text = html_to_text(html)

    assert text.startswith("Thanks!\nWorks.\n-- \nAlice")
    assert "> On Mon Bob wrote:" in text and "> > old" in text
    assert "alert" not in text and "p{}" not in text and "a b" in text
    assert strip_reply(text) == "Thanks!\nWorks."


def test_it_reads_form_like_lines_in_english_and_portuguese():
    text = "Hello\n\nSeverity: High\n**Versão**: 3.31\nSteps:\n1. open\n2. click\n\nOS = Debian\n"

    assert form_fields(text) == {
        "severity": "High", "version": "3.31", "steps": "1. open\n2. click", "hardware_os": "Debian",
    }  # fmt: skip


@pytest.mark.parametrize(
    "preset, said, severity",
    [
        ("senhasegura", "C2 - High", "high"),
        ("senhasegura", "Alta", "high"),
        ("senhasegura", "c1", "urgent"),
        ("senhasegura", "Urgente", "urgent"),
        ("xecuritas", "Severity 1", "sev1"),
        ("xecuritas", "1", "sev1"),
        ("secpod", "Crítica", "critical"),
        ("allure", "sev3", "sev3"),
        ("senhasegura", "whenever", None),
    ],
)
def test_it_matches_the_severity_a_customer_names(preset, said, severity):
    assert match_severity(load_preset(preset), said) == severity


def test_it_finds_a_severity_in_the_subject_but_not_in_ticket_tags():
    policy = load_preset("senhasegura")

    assert severity_in_subject(policy, "[C1] Vault down") == "urgent"
    assert severity_in_subject(policy, "Criticidade: Alta - cofre lento") == "high"
    assert severity_in_subject(policy, "Re: [#12] Vault down") is None


def test_it_reads_the_environment_and_cleans_subjects():
    assert environment_of("Homologação") == "non-production"
    assert environment_of("Produção") == "production"
    assert environment_of("the moon") is None
    assert clean_subject("RES: ENC: Re: [#3] Cofre") == "[#3] Cofre"


def test_it_never_raises_on_garbage():
    for raw in (b"", b"\x00\xff\xfe", b"From: <<<\n\n", b"Content-Type: multipart/mixed\n\nx"):
        parsed = parse_message(raw)
        assert parsed.message_id.startswith("<sha256-")
