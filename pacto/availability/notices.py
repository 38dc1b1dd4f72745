"""What availability and hypercare notifications say, in English and Brazilian Portuguese.

The notification layer renders every outbox row from its per-kind sentences; this app's
kinds are added to them here (imported when the app is ready), so the texts live beside the
code that sends them.
"""

from __future__ import annotations

from pacto.notifications import render

KINDS = {
    "en": {
        "availability_below_target": (
            "Availability of {probe} below target in {month}: {availability} %",
            "The availability of {probe} ({organization}) in {month} is {availability} %, "
            "below the {target} % target.",
        ),
        "probe_failing": (
            "{probe} is failing: {failures} checks in a row",
            "Pacto's probe {probe} failed {failures} checks in a row; a ticket is open.",
        ),
        "probe_ticket_opened": (
            "[#{n}] We opened a ticket for you: {subject}",
            "Our availability monitoring found {service} unavailable ({failures} checks in a "
            "row since {since}) and opened ticket #{n} on your organization's behalf. We are "
            "working on it and will answer on the ticket; you can add what you see there.",
        ),
        "hypercare_report": (
            "Hypercare status report: {organization}",
            "Hypercare status report. Availability: {availability} %. Open incidents: "
            "{open_count}. Solved: {solved_count}. Hypercare until {until}.",
        ),
        "hypercare_extension_proposed": (
            "Hypercare extension proposed: {weeks} weeks",
            "The vendor proposes to extend hypercare by {weeks} weeks. Your organization's "
            "admin can accept it in the portal.",
        ),
        "hypercare_extension_accepted": (
            "Hypercare extended by {weeks} weeks",
            "Hypercare is extended by {weeks} weeks, until {until}.",
        ),
        "hypercare_signed_off": (
            "Hypercare signed off ({side})",
            "One side signed off hypercare as stable ({side}).",
        ),
        "hypercare_concluded": (
            "Hypercare concluded: standard support from {standard_from}",
            "Hypercare concluded on {until}; standard support applies from {standard_from}.",
        ),
        "service_window_planned": (
            "Planned maintenance: {service}",
            "Planned maintenance of {service}.",
        ),
        "service_window_extraordinary": (
            "Extraordinary service window: {service}",
            "An extraordinary service window of {service}.",
        ),
        "service_window_planned_late": (
            "Planned maintenance (short notice): {service}",
            "Planned maintenance of {service}, announced with less notice than the policy gives.",
        ),
        "service_window_extraordinary_late": (
            "Extraordinary service window (short notice): {service}",
            "An extraordinary service window of {service}, announced with less notice than the "
            "policy gives.",
        ),
    },
    "pt-br": {
        "availability_below_target": (
            "Disponibilidade de {probe} abaixo da meta em {month}: {availability} %",
            "A disponibilidade de {probe} ({organization}) em {month} é {availability} %, "
            "abaixo da meta de {target} %.",
        ),
        "probe_failing": (
            "{probe} está falhando: {failures} verificações seguidas",
            "A sonda {probe} do Pacto falhou {failures} verificações seguidas; um chamado foi "
            "aberto.",
        ),
        "probe_ticket_opened": (
            "[#{n}] Abrimos um chamado para você: {subject}",
            "Nosso monitoramento de disponibilidade encontrou {service} indisponível "
            "({failures} verificações seguidas desde {since}) e abriu o chamado #{n} em nome "
            "da sua organização. Estamos trabalhando nisso e responderemos no chamado; você "
            "pode acrescentar o que observa lá.",
        ),
        "hypercare_report": (
            "Relatório de hypercare: {organization}",
            "Relatório de status do hypercare. Disponibilidade: {availability} %. Incidentes "
            "abertos: {open_count}. Resolvidos: {solved_count}. Hypercare até {until}.",
        ),
        "hypercare_extension_proposed": (
            "Extensão de hypercare proposta: {weeks} semanas",
            "O fornecedor propõe estender o hypercare em {weeks} semanas. O administrador da "
            "sua organização pode aceitar no portal.",
        ),
        "hypercare_extension_accepted": (
            "Hypercare estendido em {weeks} semanas",
            "O hypercare foi estendido em {weeks} semanas, até {until}.",
        ),
        "hypercare_signed_off": (
            "Aprovação do hypercare ({side})",
            "Uma das partes aprovou o hypercare como estável ({side}).",
        ),
        "hypercare_concluded": (
            "Hypercare concluído: suporte padrão a partir de {standard_from}",
            "O hypercare foi concluído em {until}; o suporte padrão vale a partir de "
            "{standard_from}.",
        ),
        "service_window_planned": (
            "Manutenção planejada: {service}",
            "Manutenção planejada de {service}.",
        ),
        "service_window_extraordinary": (
            "Janela de serviço extraordinária: {service}",
            "Uma janela de serviço extraordinária de {service}.",
        ),
        "service_window_planned_late": (
            "Manutenção planejada (aviso tardio): {service}",
            "Manutenção planejada de {service}, anunciada com menos antecedência do que a "
            "política prevê.",
        ),
        "service_window_extraordinary_late": (
            "Janela de serviço extraordinária (aviso tardio): {service}",
            "Uma janela de serviço extraordinária de {service}, anunciada com menos "
            "antecedência do que a política prevê.",
        ),
    },
}
FIELDS = {
    "en": {"starts_at": "Starts", "ends_at": "Ends", "until": "Until"},
    "pt-br": {"starts_at": "Início", "ends_at": "Fim", "until": "Até"},
}


def register() -> None:
    for language, texts in KINDS.items():
        render.TEXTS[language].update(texts)
        render.FIELDS[language].update(FIELDS[language])
    render.TIME_FIELDS.update({"starts_at", "ends_at"})
    render.HEADLINE_TIMES.add("since")
