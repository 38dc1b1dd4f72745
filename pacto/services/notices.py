"""What professional-services notifications say, in English and Brazilian Portuguese
(added to the notification layer's per-kind sentences when the app is ready)."""

from __future__ import annotations

from pacto.notifications import render

KINDS = {
    "en": {
        "quote_sent": (
            "[#{n}] Quote {quote} for your approval: {title}",
            "Quote {quote} (version {version}) for {title}: {total} {currency}, valid until "
            "{valid_until}. Nothing is scheduled or billed before an authorized contact "
            "approves it; approve or decline it with the link below or in the portal.",
        ),
        "quote_decided": (
            "[#{n}] Quote {quote} {decision}: {title}",
            "Quote {quote} (version {version}) was {decision} by {by}.",
        ),
        "visit_scheduled": (
            "[#{n}] Scheduled: {title}",
            "{title} is scheduled ({mode}). The calendar invitation is attached.",
        ),
        "overrun_flagged": (
            "[#{n}] More time than approved: {title}",
            "Work on {title} went beyond the approved quote by {hours} hours. Quote {quote} "
            "asks for your approval of the additional time before it is billed.",
        ),
        "remote_session_proposed": (
            "[#{n}] Remote session proposed",
            "An engineer proposes a remote session of {minutes} minutes through {tool}. Accept "
            "it or ask for another time on the ticket. Have ready: {prepare}",
        ),
        "remote_session_answered": (
            "[#{n}] Remote session {answer}",
            "The customer {answer} the remote session.",
        ),
        "remote_session_over_limit": (
            "[#{n}] Remote session over the limit",
            "The remote session on ticket #{n} is running past the policy's limit of "
            "{limit} minutes.",
        ),
        "waiver_requested": (
            "[#{n}] Modification waiver needed",
            "Before our engineers change configuration on your equipment, an authorized "
            "contact must accept the modification waiver on the ticket in the portal.",
        ),
        "waiver_accepted": (
            "[#{n}] Modification waiver accepted",
            "{by} accepted the modification waiver; configuration changes may proceed.",
        ),
    },
    "pt-br": {
        "quote_sent": (
            "[#{n}] Orçamento {quote} para sua aprovação: {title}",
            "Orçamento {quote} (versão {version}) para {title}: {total} {currency}, válido até "
            "{valid_until}. Nada é agendado ou cobrado antes da aprovação de um contato "
            "autorizado; aprove ou recuse pelo link abaixo ou no portal.",
        ),
        "quote_decided": (
            "[#{n}] Orçamento {quote} {decision}: {title}",
            "O orçamento {quote} (versão {version}) foi {decision} por {by}.",
        ),
        "visit_scheduled": (
            "[#{n}] Agendado: {title}",
            "{title} está agendado ({mode}). O convite de calendário está anexo.",
        ),
        "overrun_flagged": (
            "[#{n}] Mais tempo que o aprovado: {title}",
            "O trabalho em {title} passou do orçamento aprovado em {hours} horas. O orçamento "
            "{quote} pede sua aprovação do tempo adicional antes da cobrança.",
        ),
        "remote_session_proposed": (
            "[#{n}] Sessão remota proposta",
            "Um engenheiro propõe uma sessão remota de {minutes} minutos por {tool}. Aceite ou "
            "peça outro horário no chamado. Tenha pronto: {prepare}",
        ),
        "remote_session_answered": (
            "[#{n}] Sessão remota: {answer}",
            "O cliente respondeu à sessão remota: {answer}.",
        ),
        "remote_session_over_limit": (
            "[#{n}] Sessão remota acima do limite",
            "A sessão remota do chamado #{n} passou do limite da política de {limit} minutos.",
        ),
        "waiver_requested": (
            "[#{n}] Termo de modificação necessário",
            "Antes que nossos engenheiros mudem a configuração do seu equipamento, um contato "
            "autorizado deve aceitar o termo de modificação no chamado, no portal.",
        ),
        "waiver_accepted": (
            "[#{n}] Termo de modificação aceito",
            "{by} aceitou o termo de modificação; as mudanças de configuração podem seguir.",
        ),
    },
}
LINKS = {
    "en": {"quote_sent": "Review the quote", "overrun_flagged": "Review the quote"},
    "pt-br": {"quote_sent": "Ver o orçamento", "overrun_flagged": "Ver o orçamento"},
}
FIELDS = {
    "en": {"starts_at": "Starts", "total": "Total"},
    "pt-br": {"starts_at": "Início", "total": "Total"},
}


def register() -> None:
    for language, texts in KINDS.items():
        render.TEXTS[language].update(texts)
        render.LINK_LABELS[language].update(LINKS[language])
        for key, label in FIELDS[language].items():
            render.FIELDS[language].setdefault(key, label)
    render.TIME_FIELDS.update({"starts_at"})
