"""Every main page of the portal and the console, and every kind of email, read in Brazilian
Portuguese: no English text of Pacto's own catalogue left untranslated, no placeholder left
unfilled (``{``, ``%(``). The browser walk (tests/browser/test_portuguese_walk.py) does the
same in Chromium; this one is quick enough to run with every change."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.utils import translation

from pacto.notifications.models import Outbox
from pacto.notifications.render import GENERIC, TEXTS, build_email
from pacto.portal.actions import do_set_preferences
from pacto.portal.display import live_clocks
from pacto.sla.policy import preset, preset_names
from pacto.testing import PROBLEM_DETAILS, client_for
from pacto.tickets.actions import do_add_cc, do_change_status, do_open_ticket, do_reply
from pacto.tickets.models import Ticket

pytestmark = pytest.mark.django_db

PLACEHOLDER = re.compile(r"%\(\w+\)|\{\{|\{%|\{\w+\}")
# Catalogue texts that read the same in both languages, or that Portuguese borrows.
SAME_IN_BOTH = {"Status", "Hypercare", "Email", "Dashboard", "Login", "Status report"}


def known_english() -> list[str]:
    """Pacto's own English: the msgids of its catalogue of two to six words, without
    placeholders, whose Portuguese differs — a text a Portuguese reader should never meet."""
    with translation.override("pt-br"):
        catalog = translation.trans_real.translation("pt-br")._catalog
        ids = [key for key, value in catalog.items() if isinstance(key, str) and value != key]
    return sorted(
        {
            key
            for key in ids
            if 2 <= len(key.split()) <= 6
            and not re.search(r"[%{}<>\n]", key)
            and key not in SAME_IN_BOTH
            and re.fullmatch(r"[A-Za-z][A-Za-z ,'.-]+", key)
        }
    )


def untranslated(text: str, english: list[str]) -> list[str]:
    found = [w for w in english if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
    return found + PLACEHOLDER.findall(text)


def visible_text(page: str) -> str:
    """The text a reader sees inside ``<main>``: no tags, scripts or attribute values, and
    no block marked ``lang="en"`` (the calculator's verbatim command-line output)."""
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    main = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", main)
    main = re.sub(r'(?s)<(pre)\b[^>]*lang="en"[^>]*>.*?</\1>', " ", main)
    return html.unescape(re.sub(r"(?s)<[^>]+>", " ", main))


def policy_texts() -> list[str]:
    """The presets' own texts (service descriptions, categories, cites) that their
    Portuguese translations do not cover: shown as the document writes them, whole."""
    texts: set[str] = set()

    def collect(value) -> None:
        if isinstance(value, str) and len(value.split()) >= 3:
            texts.add(" ".join(value.split()))
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)

    for name in preset_names():
        collect(preset(name).model_dump(exclude={"translations"}))
    return sorted(texts, key=len, reverse=True)


def without_policy_texts(text: str) -> str:
    text = " ".join(text.split())
    for original in policy_texts():
        text = text.replace(original, " ")
    return text


@pytest.fixture
def portuguese(world, clock):
    for person in (world.alice, world.amelia, world.fiona, world.maria):
        do_set_preferences(person, language="pt-br", time_zone="America/Sao_Paulo")
    now = clock()
    ticket = do_open_ticket(
        world.alice, subject="O cofre não mostra senhas", body="Erro 500",
        severity="high", version="3.31", details=PROBLEM_DETAILS, now=now,
    )  # fmt: skip
    do_change_status(
        world.fiona, ticket, "waiting-on-customer", reason="Log pedido",
        now=now + dt.timedelta(minutes=10),
    )  # fmt: skip
    do_add_cc(world.alice, ticket, "noc@integrador.example", now=now + dt.timedelta(minutes=15))
    do_reply(world.fiona, ticket, "Pode enviar o log?", now=now + dt.timedelta(minutes=20))
    clock.set(now + dt.timedelta(hours=2))
    return world, ticket


def walk(user, paths: list[str], english: list[str]) -> dict[str, list[str]]:
    client = client_for(user)
    found = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        page = without_policy_texts(visible_text(response.content.decode()))
        if problems := untranslated(page, english):
            found[path] = problems
    return found


def test_the_portal_in_portuguese_has_no_english_of_pactos_own(portuguese):
    world, ticket = portuguese
    english = known_english()
    assert len(english) > 100  # the catalogue was read

    found = walk(world.alice, [
        "/", "/tickets/", f"/tickets/{ticket.pk}/", "/tickets/new/", "/kb/", "/calculator/",
        "/services/", "/preferences/", "/products/", "/known-issues/",
    ], english)  # fmt: skip
    found |= walk(world.amelia, ["/reports/", "/availability/", "/contacts/"], english)

    assert not found, found


def test_the_console_in_portuguese_has_no_english_of_pactos_own(portuguese):
    world, ticket = portuguese
    english = known_english()

    found = walk(world.fiona, [
        "/console/", f"/console/tickets/{ticket.pk}/", "/console/new/", "/kb/manage/",
        "/console/services/", "/console/availability/", "/console/catalogue/",
        "/preferences/",
    ], english)  # fmt: skip
    found |= walk(world.maria, ["/console/dashboard/", "/console/reports/"], english)

    assert not found, found


def test_the_clock_explanations_read_in_portuguese(portuguese, clock):
    world, ticket = portuguese

    portal = visible_text(client_for(world.alice).get(f"/tickets/{ticket.pk}/").content.decode())
    console = visible_text(
        client_for(world.fiona).get(f"/console/tickets/{ticket.pk}/").content.decode()
    )

    assert "Como isto foi calculado" in portal
    assert "aberto: meta de 4 horas úteis" in portal
    assert "primeira resposta pública de um atendente: cumprido após 10 min" in portal
    with translation.override("pt-br"):
        lines = [line for view in live_clocks(ticket, clock()) for line in view.explanation]
    assert any("status Aguardando o cliente: relógio pausado, 10 min decorridos" in line
               for line in lines), lines  # fmt: skip
    assert "first public agent reply" not in portal + console


# Every field a notification's sentences may name, with a value of the kind it carries.
PAYLOAD = {
    "subject": "O cofre não mostra senhas", "status": "solved", "severity": "high",
    "previous": "medium", "reason": "Log pedido", "line": "second", "level": 1,
    "label": "warning at 75%", "metric": "first_response", "due_at": "2026-01-15T13:00:00+00:00",
    "breached_at": "2026-01-15T13:00:00+00:00", "acts_at": "2026-01-20T13:00:00+00:00",
    "expires_at": "2026-01-20T13:00:00+00:00", "reminder": 1, "of": 3, "contact": "Bia",
    "organization": "Banco Azul", "title": "Cofre", "key": "ENG-1", "known_issue": "KI-1",
    "certification": "PAM Core", "ends_on": "2026-02-01", "release_kind": "Versão 3.32",
    "engineering_status": "em andamento", "url": "https://pacto.example/x",
}  # fmt: skip


def test_every_email_kind_reads_in_portuguese(portuguese):
    world, ticket = portuguese
    english = known_english()
    kinds = sorted(set(TEXTS["en"]) | set(TEXTS["pt-br"]) | {"some_new_kind"})
    found = {}
    sent = list(Outbox.objects.filter(recipient_user__language="pt-br", channel="email"))
    for number, kind in enumerate(kinds):
        row = Outbox(
            channel="email", kind=kind, dedupe_key=f"walk:{number}", recipient="a@b.example",
            recipient_user=world.alice, ticket=ticket, organization=world.azul,
            payload={"ticket": ticket.pk, **PAYLOAD},
        )  # fmt: skip
        row.save()
        sent.append(row)
    assert len(sent) > len(kinds)  # the ticket's own emails are read too
    for row in sent:
        message = build_email(row)
        parts = [message.subject, message.body, visible_text(f"<main>{message.alternatives[0][0]}")]
        if problems := untranslated("\n".join(parts), english):
            found[row.kind] = problems
    assert GENERIC["pt-br"]
    assert not found, found


def test_a_status_email_names_the_status_as_the_policy_translates_it(portuguese):
    world, ticket = portuguese
    do_change_status(world.fiona, ticket, "solved", reason="Corrigido")
    row = Outbox.objects.filter(kind="status_changed", recipient_user=world.alice).last()

    message = build_email(row)

    assert message.subject == f"[#{ticket.pk}] Agora Resolvido: O cofre não mostra senhas"


def test_a_subject_pacto_writes_is_in_the_organizations_language(portuguese):
    world, ticket = portuguese  # Banco Azul's people read Portuguese
    do_change_status(world.fiona, ticket, "solved", reason="Corrigido")

    rca = Ticket.objects.get(follows=ticket)  # senhasegura §6: root cause analysis

    assert rca.subject == f"Análise de causa raiz #{ticket.pk}: O cofre não mostra senhas"
