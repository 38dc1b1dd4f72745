"""What the reports' e-mails say, in English and Brazilian Portuguese (added to the
notification layer's per-kind sentences when the app is ready)."""

from __future__ import annotations

from pacto.notifications import render

KINDS = {
    "en": {
        "customer_report": (
            "Monthly support report {month}: {organization}",
            "The support report of {organization} for {month} is ready: tickets, response "
            "and resolution times against their targets, availability and satisfaction.",
        ),
        "satisfaction_survey": (
            "[#{n}] How did we do? {subject}",
            "Ticket #{n} is solved. One question: how was the support you received? Answer "
            "with one click, no sign-in needed; you can change your answer for 7 days.",
        ),
    },
    "pt-br": {
        "customer_report": (
            "Relatório mensal de suporte {month}: {organization}",
            "O relatório de suporte de {organization} de {month} está pronto: chamados, "
            "tempos de resposta e de solução diante das metas, disponibilidade e satisfação.",
        ),
        "satisfaction_survey": (
            "[#{n}] Como foi o nosso atendimento? {subject}",
            "O chamado #{n} foi resolvido. Uma pergunta: como foi o suporte que você recebeu? "
            "Responda com um clique, sem entrar no sistema; você pode mudar a resposta por 7 "
            "dias.",
        ),
    },
}
LINK_LABELS = {
    "en": {"customer_report": "Open the report", "satisfaction_survey": "Answer the survey"},
    "pt-br": {
        "customer_report": "Abrir o relatório",
        "satisfaction_survey": "Responder à pesquisa",
    },
}


def register() -> None:
    for language, texts in KINDS.items():
        render.TEXTS[language].update(texts)
        render.LINK_LABELS[language].update(LINK_LABELS[language])
