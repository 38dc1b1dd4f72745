"""What a notification says: subject, plain text and HTML, in the recipient's language.

``build_email(row)`` is the one place an outbox row becomes an email. Its Message-ID is
stable per row (``<outbox-{id}@{PACTO_EMAIL_DOMAIN}>``): a row sent again after a crash
carries the same Message-ID, so mail clients, servers and Pacto's own tests recognise the
duplicate. Threading headers (In-Reply-To, References, Reply-To) belong here too, in
``build_email``.

Languages: English and Brazilian Portuguese, chosen by the recipient's ``language``; the
per-kind sentences are below and the layout is in
``templates/notifications/email/<language>/message.{txt,html}``.
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.dispatch import Signal
from django.template.loader import render_to_string

from pacto.accounts.models import organization_language
from pacto.notifications.models import Outbox

LANGUAGES = ("en", "pt-br")

# Sent while an email is built, with ``row`` and ``subject``: each receiver returns headers
# to add (``Subject`` replaces the subject). The mail channel threads emails this way
# (pacto.mail.outbound.add_thread_headers), so this module needs nothing from it.
email_headers = Signal()

# The answer to an email that could not become a ticket (pacto.mail.ingest writes it).
REFUSAL_KIND = "mail_refused"

# kind -> (subject, headline), formatted with the payload (plus ``n``: the ticket number).
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        REFUSAL_KIND: (
            "We could not accept your message: {subject}",
            "Your email was not accepted as a support request, for the reason below. For "
            "security reasons, requests from people who are not authorized contacts are not "
            "accepted. Authorized contacts can open tickets at {portal_url}",
        ),
        "ticket_opened": (
            "[#{n}] We received your ticket: {subject}",
            "Your ticket #{n} is open. We will answer within the time your support policy "
            "promises.",
        ),
        "feature_request": (
            "[#{n}] New feature request: {subject}",
            "A customer asked for new functionality; it goes to product management.",
        ),
        "agent_reply": (
            "[#{n}] New reply: {subject}",
            "Support replied to your ticket.",
        ),
        "customer_reply": (
            "[#{n}] The customer replied: {subject}",
            "The customer replied to a ticket assigned to you.",
        ),
        "status_changed": (
            "[#{n}] Now {status}: {subject}",
            "Ticket #{n} is now {status}.",
        ),
        "resolution_confirmed": (
            "[#{n}] Resolution confirmed: {subject}",
            "The customer confirmed the resolution; the ticket is closed.",
        ),
        "ticket_reopened": (
            "[#{n}] Reopened: {subject}",
            "Ticket #{n} was reopened.",
        ),
        "severity_changed": (
            "[#{n}] Severity changed to {severity}: {subject}",
            "The severity of ticket #{n} changed to {severity}.",
        ),
        "severity_requested": (
            "[#{n}] Severity change requested: {subject}",
            "The customer asks for severity {severity}.",
        ),
        "ticket_assigned": (
            "[#{n}] Assigned to you: {subject}",
            "Ticket #{n} is assigned to you.",
        ),
        "line_changed": (
            "[#{n}] Moved to the {line} line: {subject}",
            "Ticket #{n} moved to the {line} line.",
        ),
        "ticket_escalated": (
            "[#{n}] Escalated (level {level}): {subject}",
            "Ticket #{n} was escalated to level {level}.",
        ),
        "access_granted": (
            "[#{n}] Access granted: {subject}",
            "The access request was approved.",
        ),
        "clock_warning": (
            "[#{n}] SLA warning ({label}): {subject}",
            "The {metric_text} target of ticket #{n} is close: {label}.",
        ),
        "clock_breached": (
            "[#{n}] SLA target missed: {subject}",
            "The {metric_text} target of ticket #{n} was missed.",
        ),
        "page": (
            "PAGE [#{n}] {severity}: {subject}",
            "You are on call: a {severity} ticket needs you now. Acknowledge within "
            "{acknowledge_within}.",
        ),
        "page_unacknowledged": (
            "[#{n}] Nobody acknowledged the page: {subject}",
            "Nobody on call acknowledged the page for ticket #{n}.",
        ),
        "lifecycle_reminder": (
            "[#{n}] Waiting for your reply ({reminder} of {of}): {subject}",
            "We are waiting for your reply on ticket #{n}. Without an answer it becomes "
            "{status} automatically.",
        ),
        "technical_contacts_changed": (
            "Your technical contacts changed",
            "{message}",
        ),
        "invitation": (
            "Activate your support account",
            "An account was created for you on the support desk of {organization}. Set your "
            "password with the link below before {expires_at}; it works once.",
        ),
        "contract_ending": (
            "Your support contract {contract} ends on {ends_on}",
            "The support contract {contract} of {organization} ends on {ends_on}, in {days} days.",
        ),
        "contract_renewed": (
            "Support contract {contract} renewed",
            "The support contract {contract} of {organization} was renewed as {renewal}.",
        ),
        "contract_terminated": (
            "Support contract {contract} terminated",
            "The support contract {contract} of {organization} ends early: the last day of "
            "support is {ends_on}.",
        ),
        "partnership_expiring": (
            "Your partnership agreement ends on {ends_on}",
            "The partnership agreement of {organization} ends on {ends_on}. After it, its "
            "contacts cannot open tickets for the customers it serves.",
        ),
        "certification_expiring": (
            "The certification {certification} of {contact} expires on {ends_on}",
            "The certification {certification} of {contact} ({organization}) expires on "
            "{ends_on}; after it they cannot open tickets.",
        ),
        "attachments_refused": (
            "[#{n}] Some attachments were not added: {subject}",
            "Your email reached ticket #{n}, but these files were not attached. Send them "
            "again in an accepted type and size, or share them another way.",
        ),
        # senhasegura §9 and §11, Allure (``pacto.catalog.notices``).
        # The knowledge base: a reader said an article did not help (``pacto.kb.actions``).
        "kb_article_task": (
            "Article feedback: {title}",
            "A reader found your article “{title}” not helpful ({reason_en}). A task waits for "
            "you in the console's article tasks. {comment}",
        ),
        "known_issue_notice": (
            "[#{n}] Software issue notice {known_issue}: {title}",
            "A software issue affects a version you run. Ticket #{n} tells you what it is and "
            "what to do; answer there with any question.",
        ),
        "release_notice": (
            "[#{n}] {release_kind}: {title}",
            "{release_kind} for a product under your contract. Please schedule it and answer on "
            "ticket #{n}.",
        ),
        "engineering_linked": (
            "[#{n}] Engineering is tracking your ticket: {key}",
            "Your ticket #{n} is now followed by engineering work {key} ({title}); you will be "
            "told of each change.",
        ),
        "engineering_updated": (
            "[#{n}] Engineering update on {key}: {engineering_status}",
            "The engineering work {key} ({title}) that ticket #{n} follows changed.",
        ),
    },
    "pt-br": {
        REFUSAL_KIND: (
            "Não pudemos aceitar sua mensagem: {subject}",
            "Seu e-mail não foi aceito como solicitação de suporte, pelo motivo abaixo. Por "
            "segurança, não aceitamos solicitações de pessoas que não são contatos autorizados. "
            "Contatos autorizados podem abrir chamados em {portal_url}",
        ),
        "ticket_opened": (
            "[#{n}] Recebemos seu chamado: {subject}",
            "Seu chamado #{n} está aberto. Responderemos no prazo prometido pela sua política "
            "de suporte.",
        ),
        "feature_request": (
            "[#{n}] Nova solicitação de funcionalidade: {subject}",
            "Um cliente pediu uma nova funcionalidade; ela segue para a gestão de produto.",
        ),
        "agent_reply": (
            "[#{n}] Nova resposta: {subject}",
            "O suporte respondeu ao seu chamado.",
        ),
        "customer_reply": (
            "[#{n}] O cliente respondeu: {subject}",
            "O cliente respondeu a um chamado atribuído a você.",
        ),
        "status_changed": (
            "[#{n}] Agora {status}: {subject}",
            "O chamado #{n} agora está {status}.",
        ),
        "resolution_confirmed": (
            "[#{n}] Resolução confirmada: {subject}",
            "O cliente confirmou a resolução; o chamado está fechado.",
        ),
        "ticket_reopened": (
            "[#{n}] Reaberto: {subject}",
            "O chamado #{n} foi reaberto.",
        ),
        "severity_changed": (
            "[#{n}] Criticidade alterada para {severity}: {subject}",
            "A criticidade do chamado #{n} foi alterada para {severity}.",
        ),
        "severity_requested": (
            "[#{n}] Pedido de mudança de criticidade: {subject}",
            "O cliente pede a criticidade {severity}.",
        ),
        "ticket_assigned": (
            "[#{n}] Atribuído a você: {subject}",
            "O chamado #{n} foi atribuído a você.",
        ),
        "line_changed": (
            "[#{n}] Movido para a linha {line}: {subject}",
            "O chamado #{n} foi movido para a linha {line}.",
        ),
        "ticket_escalated": (
            "[#{n}] Escalado (nível {level}): {subject}",
            "O chamado #{n} foi escalado para o nível {level}.",
        ),
        "access_granted": (
            "[#{n}] Acesso concedido: {subject}",
            "A solicitação de acesso foi aprovada.",
        ),
        "clock_warning": (
            "[#{n}] Alerta de SLA ({label}): {subject}",
            "O prazo de {metric_text} do chamado #{n} está próximo: {label}.",
        ),
        "clock_breached": (
            "[#{n}] Prazo de SLA descumprido: {subject}",
            "O prazo de {metric_text} do chamado #{n} não foi cumprido.",
        ),
        "page": (
            "PAGE [#{n}] {severity}: {subject}",
            "Você está de plantão: um chamado {severity} precisa de você agora. Confirme em "
            "até {acknowledge_within}.",
        ),
        "page_unacknowledged": (
            "[#{n}] Ninguém confirmou o acionamento: {subject}",
            "Ninguém de plantão confirmou o acionamento do chamado #{n}.",
        ),
        "lifecycle_reminder": (
            "[#{n}] Aguardando sua resposta ({reminder} de {of}): {subject}",
            "Aguardamos sua resposta no chamado #{n}. Sem resposta, ele passa a {status} "
            "automaticamente.",
        ),
        "technical_contacts_changed": (
            "Seus contatos técnicos mudaram",
            "{message}",
        ),
        "invitation": (
            "Ative sua conta de suporte",
            "Uma conta foi criada para você no suporte de {organization}. Defina sua senha pelo "
            "link abaixo antes de {expires_at}; ele funciona uma única vez.",
        ),
        "contract_ending": (
            "Seu contrato de suporte {contract} termina em {ends_on}",
            "O contrato de suporte {contract} de {organization} termina em {ends_on}, em {days} "
            "dias.",
        ),
        "contract_renewed": (
            "Contrato de suporte {contract} renovado",
            "O contrato de suporte {contract} de {organization} foi renovado como {renewal}.",
        ),
        "contract_terminated": (
            "Contrato de suporte {contract} encerrado",
            "O contrato de suporte {contract} de {organization} termina antes: o último dia de "
            "suporte é {ends_on}.",
        ),
        "partnership_expiring": (
            "Seu contrato de parceria termina em {ends_on}",
            "O contrato de parceria de {organization} termina em {ends_on}. Depois dele, seus "
            "contatos não podem abrir chamados para os clientes que atende.",
        ),
        "certification_expiring": (
            "A certificação {certification} de {contact} vence em {ends_on}",
            "A certificação {certification} de {contact} ({organization}) vence em {ends_on}; "
            "depois disso não poderá abrir chamados.",
        ),
        "attachments_refused": (
            "[#{n}] Alguns anexos não foram adicionados: {subject}",
            "Seu email chegou ao chamado #{n}, mas estes arquivos não foram anexados. Envie-os "
            "de novo em um tipo e tamanho aceitos, ou compartilhe-os de outra forma.",
        ),
        "kb_article_task": (
            "Avaliação de artigo: {title}",
            "Um leitor achou seu artigo “{title}” pouco útil ({reason_pt_br}). Uma tarefa espera "
            "por você nas tarefas de artigos do console. {comment}",
        ),
        "known_issue_notice": (
            "[#{n}] Aviso de problema de software {known_issue}: {title}",
            "Um problema de software afeta uma versão que vocês usam. O chamado #{n} explica o "
            "que é e o que fazer; respondam nele com qualquer dúvida.",
        ),
        "release_notice": (
            "[#{n}] {release_kind}: {title}",
            "{release_kind} de um produto do seu contrato. Agendem e respondam no chamado #{n}.",
        ),
        "engineering_linked": (
            "[#{n}] A engenharia acompanha seu chamado: {key}",
            "Seu chamado #{n} agora é acompanhado pelo trabalho de engenharia {key} ({title}); "
            "vocês serão avisados de cada mudança.",
        ),
        "engineering_updated": (
            "[#{n}] Atualização da engenharia em {key}: {engineering_status}",
            "O trabalho de engenharia {key} ({title}) acompanhado pelo chamado #{n} mudou.",
        ),
    },
}
GENERIC = {
    "en": ("[#{n}] Update: {subject}", "Ticket #{n} was updated."),
    "pt-br": ("[#{n}] Atualização: {subject}", "O chamado #{n} foi atualizado."),
}
METRICS = {
    "en": {
        "first_response": "first response",
        "resolution": "resolution",
        "periodic_update": "update",
    },
    "pt-br": {
        "first_response": "primeira resposta",
        "resolution": "resolução",
        "periodic_update": "atualização",
    },
}
# Payload fields shown as "label: value" lines, in this order.
FIELDS = {
    "en": {
        "status": "Status", "severity": "Severity", "previous": "Previous severity",
        "reason": "Reason", "justification": "Justification", "due_at": "Due",
        "target": "Target", "breached_at": "Missed at", "level": "Escalation level",
        "line": "Support line", "by": "By", "contact": "Contact", "tier": "Tier",
        "attempt": "Attempt", "acts_at": "Automatically on", "organization": "Organization",
        "missing_details": "Details still needed",
        "affected_version": "Your version", "fixed_in": "Fixed in", "new_version": "New version",
        "engineering_status": "Engineering status",
    },
    "pt-br": {
        "status": "Status", "severity": "Criticidade", "previous": "Criticidade anterior",
        "reason": "Motivo", "justification": "Justificativa", "due_at": "Prazo",
        "target": "Meta", "breached_at": "Descumprido em", "level": "Nível de escalonamento",
        "line": "Linha de suporte", "by": "Por", "contact": "Contato", "tier": "Nível",
        "attempt": "Tentativa", "acts_at": "Automaticamente em", "organization": "Organização",
        "missing_details": "Detalhes ainda necessários",
        "affected_version": "Sua versão", "fixed_in": "Corrigido em", "new_version": "Nova versão",
        "engineering_status": "Status da engenharia",
    },
}  # fmt: skip
TIME_FIELDS = {"due_at", "breached_at", "acts_at"}
# Payload fields that are instants, shown in the recipient's zone inside the headline too.
HEADLINE_TIMES = {"expires_at"}
# The label of a notification's link (payload ``url``), per kind.
LINK_LABELS = {
    "en": {"invitation": "Activate your account", "kb_article_task": "Open the task"},
    "pt-br": {"invitation": "Ative sua conta", "kb_article_task": "Abrir a tarefa"},
}
LINK_DEFAULT = {"en": "Open", "pt-br": "Abrir"}
# Kinds whose email carries the ticket message named in the payload.
MESSAGE_KINDS = ("agent_reply", "customer_reply", "known_issue_notice", "release_notice")

# Why an emailed ticket has its severity (``severity_source``, with ``severity_evidence``).
SEVERITY_SOURCES = {
    "en": {
        "label": "Severity taken from",
        "subject": "the subject ({evidence})",
        "message": "your message ({evidence})",
        "header": "the email's priority header ({evidence})",
        "default": "the policy's default for email: nothing in the email named a severity",
        "provisional": "provisional: the least severe, until an agent classifies it",
    },
    "pt-br": {
        "label": "Criticidade definida por",
        "subject": "o assunto ({evidence})",
        "message": "a sua mensagem ({evidence})",
        "header": "o cabeçalho de prioridade do email ({evidence})",
        "default": "o padrão da política para email: o email não indicava criticidade",
        "provisional": "provisória: a menos severa, até um atendente classificar",
    },
}
# Why an attachment was refused (``refused``: [{"name", "rule"}], with ``limit_mb``/``allowed``).
REFUSALS = {
    "en": {
        "label": "Not attached",
        "max_size": "{name}: larger than the {limit_mb} MB limit",
        "allowed_type": "{name}: this file type is not accepted (accepted: {allowed})",
        "other": "{name}: {message}",
    },
    "pt-br": {
        "label": "Não anexado",
        "max_size": "{name}: maior que o limite de {limit_mb} MB",
        "allowed_type": "{name}: tipo de arquivo não aceito (aceitos: {allowed})",
        "other": "{name}: {message}",
    },
}


def _severity_source(language: str, payload: dict) -> tuple[str, str] | None:
    texts = SEVERITY_SOURCES[language]
    source = payload.get("severity_source")
    if source not in texts:
        return None
    return texts["label"], texts[source].format(evidence=payload.get("severity_evidence", ""))


def _refusals(language: str, payload: dict) -> list[tuple[str, str]]:
    texts = REFUSALS[language]
    lines = []
    for item in payload.get("refused") or []:
        template = texts.get(item.get("rule"), texts["other"])
        values = _Blank(
            name=item.get("name", ""), message=item.get("message", ""),
            limit_mb=payload.get("limit_mb", ""), allowed=payload.get("allowed", ""),
        )  # fmt: skip
        lines.append((texts["label"], template.format_map(values)))
    return lines


# The support lines by name ("Moved to the second line").
LINES = {
    "en": {"first": "first", "second": "second", "senior": "senior", "product": "product"},
    "pt-br": {
        "first": "primeira",
        "second": "segunda",
        "senior": "sênior",
        "product": "de produto",
    },
}
# An SLA warning's label as the engine writes it ("warning at 75%", "warning at 2h").
WARNING_AT = {"en": "warning at {at}", "pt-br": "aviso em {at}"}


def _policy_words(row: Outbox, language: str, values: dict) -> None:
    """Statuses, severities and support lines by the names the recipient reads: the ticket's
    policy in their language where it translates them (as the policy writes it otherwise);
    a payload written with the English status name finds its status by that name too."""
    policy = row.ticket.policy.localized(language) if row.ticket_id else None
    original = row.ticket.policy if row.ticket_id else None
    for key, kind in (
        ("status", "statuses"),
        ("severity", "severities"),
        ("previous", "severities"),
    ):
        value = values.get(key)
        if policy is None or not isinstance(value, str) or not value:
            continue
        ids = [item.id for item in getattr(original, kind) if value in (item.id, item.name)]
        if ids:
            values[key] = next(i.name for i in getattr(policy, kind) if i.id == ids[0])
    if isinstance(values.get("line"), str):
        values["line"] = LINES[language].get(values["line"], values["line"])
    label = values.get("label")
    if isinstance(label, str) and label.startswith("warning at "):
        values["label"] = WARNING_AT[language].format(at=label.removeprefix("warning at "))


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def language_of(row: Outbox) -> str:
    user = row.recipient_user
    code = getattr(user, "language", "")
    if user is None and row.ticket_id and row.organization_id:
        # An address without an account (one copied on a ticket): the customer's language.
        code = organization_language(row.organization)
    code = (code or "en").lower().replace("_", "-")
    if code.startswith("pt"):
        return "pt-br"
    return "en"


def message_id(row: Outbox) -> str:
    return f"<outbox-{row.pk}@{settings.PACTO_EMAIL_DOMAIN}>"


def ticket_url(ticket_id) -> str:
    return f"{settings.PACTO_BASE_URL.rstrip('/')}/tickets/{ticket_id}/"


def _when(value: str, zone: str) -> str:
    try:
        instant = dt.datetime.fromisoformat(value)
        local = instant.astimezone(ZoneInfo(zone or "UTC"))
    except (TypeError, ValueError, KeyError):
        return str(value)
    return f"{local:%Y-%m-%d %H:%M} ({zone or 'UTC'})"


def context(row: Outbox) -> dict:
    """Everything the templates show, in the recipient's language and time zone."""
    language = language_of(row)
    payload = row.payload or {}
    zone = getattr(row.recipient_user, "time_zone", "") or "UTC"
    values = _Blank({k: v for k, v in payload.items() if not isinstance(v, dict | list)})
    values["n"] = payload.get("ticket", "")
    for key in HEADLINE_TIMES & set(values):
        values[key] = _when(values[key], zone)
    _policy_words(row, language, values)
    metric = payload.get("metric", "")
    values["metric_text"] = METRICS[language].get(metric, metric)
    subject_format, headline_format = TEXTS[language].get(row.kind, GENERIC[language])
    details = []
    for key, label in FIELDS[language].items():
        value = values.get(key) if key in ("status", "severity", "previous", "line") else None
        value = value or payload.get(key)
        if value in (None, "", []):
            continue
        if key in TIME_FIELDS:
            value = _when(value, zone)
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        details.append((label, value))
    if source := _severity_source(language, payload):
        details.append(source)
    details += _refusals(language, payload)
    # The message itself: its rendered, sanitized HTML in the HTML part and its text (the
    # Markdown as written, readable as is) in the plain part.
    body = body_html = ""
    if payload.get("message") and row.kind in MESSAGE_KINDS:
        from pacto.tickets.models import Message

        message = Message.objects.filter(pk=payload["message"], public=True).first()
        if message:
            body, body_html = message.body_text, message.body_html
    return {
        "language": language,
        "kind": row.kind,
        "subject": " ".join(subject_format.format_map(values).split())[:200],
        "headline": headline_format.format_map(values),
        "details": details,
        "body": body,
        "body_html": body_html,
        "ticket_url": ticket_url(payload["ticket"]) if payload.get("ticket") else "",
        "ack_url": payload.get("ack_url", ""),
        "link_url": payload.get("url", ""),
        "link_label": LINK_LABELS[language].get(row.kind, LINK_DEFAULT[language]),
        "recipient": row.recipient_user,
        "site_name": settings.PACTO_SITE_NAME,
    }


def build_email(row: Outbox) -> EmailMultiAlternatives:
    """The email for one outbox row: plain text with an HTML alternative."""
    data = context(row)
    # In-Reply-To, References, the ticket's Reply-To address, the [#n] tag (pacto.mail).
    threading: dict[str, str] = {}
    for _, headers in email_headers.send(sender=Outbox, row=row, subject=data["subject"]):
        threading.update(headers or {})
    folder = f"notifications/email/{data['language']}"
    text = render_to_string(f"{folder}/message.txt", data)
    html = render_to_string(f"{folder}/message.html", data)
    message = EmailMultiAlternatives(
        subject=threading.pop("Subject", data["subject"]),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient],
        headers={
            "Message-ID": message_id(row),
            "Auto-Submitted": "auto-generated",
            "X-Pacto-Kind": row.kind,
            **threading,
        },
    )
    message.attach_alternative(html, "text/html")
    if ics := (row.payload or {}).get("ics"):
        # A calendar invitation (a scheduled visit): the receiving client offers to add it.
        message.attach("invitation.ics", ics, "text/calendar; method=REQUEST; charset=utf-8")
    return message


def webhook_body(row: Outbox, sent_at: dt.datetime) -> bytes:
    """The JSON a webhook endpoint receives: the event, its ticket and when it was sent."""
    payload = {k: v for k, v in (row.payload or {}).items() if k not in ("endpoint", "ack_url")}
    document = {
        "id": row.pk,
        "kind": row.kind,
        "created_at": row.created_at.isoformat(),
        "sent_at": sent_at.isoformat(),
        "ticket_url": ticket_url(payload["ticket"]) if payload.get("ticket") else None,
        "data": payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
