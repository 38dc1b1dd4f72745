"""What makes Pacto's emails thread: headers for every outbox row about a ticket.

``thread_headers(row)`` is merged into each email that ``pacto.notifications.render.build_email``
builds: the renderer sends its ``email_headers`` signal, and this app's ``ready`` connects
``add_thread_headers`` to it (so the dependency points one way, from mail to notifications):

- the row's own Message-ID (``<outbox-{id}@{PACTO_EMAIL_DOMAIN}>``, stable per row, set by
  the renderer) is remembered as belonging to the ticket, so an answer to it threads;
- ``In-Reply-To``: the latest message the customer sent on the ticket before this event
  (or the ticket's thread root), and ``References``: the thread root, the email that opened
  the ticket and the latest messages of the thread, oldest first;
- ``Reply-To``: the ticket's own reply address, ``support+t123-<token>@domain``;
- ``Auto-Submitted: auto-replied`` on automatic answers to a customer's email (the
  acknowledgement of a ticket opened by email, a refusal), so that well-behaved
  auto-responders do not answer them (RFC 3834); ``X-Loop`` names Pacto, so its own
  messages are recognised if they come back.

The thread root of ticket 123 is ``<ticket-123@{PACTO_EMAIL_DOMAIN}>``: never sent, only
referenced, so every notification of a ticket, opened by email or not, is one thread.
"""

from __future__ import annotations

import email.utils
import hmac
import re

from django.conf import settings

from pacto.mail.models import TicketMailId, TicketReplyToken
from pacto.notifications.render import REFUSAL_KIND, message_id

# References carry the root, the opening message and at most this many recent ones.
RECENT_REFERENCES = 8

_REPLY_ADDRESS = re.compile(r"\+t(\d{1,12})-([a-z0-9]{6,32})@", re.IGNORECASE)
_SUBJECT_TAG = re.compile(r"\[#\d+\]")


def support_address() -> str:
    """The address customers write to (``PACTO_SUPPORT_ADDRESS``), lower case."""
    return email.utils.parseaddr(settings.PACTO_SUPPORT_ADDRESS)[1].lower()


def _local_and_domain() -> tuple[str, str]:
    local, _, domain = support_address().partition("@")
    return local, domain or settings.PACTO_EMAIL_DOMAIN


def is_own_address(address: str) -> bool:
    """Pacto's support address or one of its per-ticket reply addresses."""
    address = (address or "").lower()
    local, domain = _local_and_domain()
    if address == f"{local}@{domain}":
        return True
    return address.endswith(f"@{domain}") and address.startswith(f"{local}+t")


def reply_token(ticket) -> str:
    token, _ = TicketReplyToken.objects.get_or_create(ticket_id=ticket.pk)
    return token.token


def reply_address(ticket) -> str:
    local, domain = _local_and_domain()
    return f"{local}+t{ticket.pk}-{reply_token(ticket)}@{domain}"


def ticket_id_from_reply_address(address: str) -> int | None:
    """The ticket a reply address names, if its token is the ticket's (compared in
    constant time); None for any other address."""
    match = _REPLY_ADDRESS.search(address or "")
    if not match or not is_own_address(address):
        return None
    ticket_id, token = int(match.group(1)), match.group(2).lower()
    stored = TicketReplyToken.objects.filter(ticket_id=ticket_id).values_list("token", flat=True)
    stored = stored.first()
    if stored and hmac.compare_digest(stored.encode(), token.encode()):
        return ticket_id
    return None


def thread_root(ticket_id: int) -> str:
    return f"<ticket-{ticket_id}@{settings.PACTO_EMAIL_DOMAIN}>"


def remember(message_id: str, ticket, direction: str, at) -> None:
    """Record that ``message_id`` belongs to ``ticket``'s thread (first record wins)."""
    if message_id:
        TicketMailId.objects.get_or_create(
            message_id=message_id[:500],
            defaults={"ticket_id": ticket.pk, "direction": direction, "created_at": at},
        )


def _is_auto_reply(row) -> bool:
    if row.kind == REFUSAL_KIND:
        return True
    ticket = row.ticket
    return row.kind == "ticket_opened" and ticket is not None and ticket.channel == "email"


def thread_headers(row, subject: str | None = None) -> dict[str, str]:
    """Threading headers for one outbox row (see the module docstring). With ``subject``,
    the result holds ``Subject`` when that subject lacks the ticket's ``[#n]`` tag."""
    headers = {"X-Loop": support_address()}
    if _is_auto_reply(row):
        headers["Auto-Submitted"] = "auto-replied"
    if row.ticket_id is None:
        answered = (row.payload or {}).get("in_reply_to")
        if answered:
            headers["In-Reply-To"] = answered
            headers["References"] = answered
        return headers

    own = message_id(row)
    remember(own, row.ticket, TicketMailId.Direction.OUTBOUND, row.created_at)
    thread = list(
        TicketMailId.objects.filter(ticket_id=row.ticket_id, created_at__lte=row.created_at)
        .exclude(message_id=own)
        .order_by("created_at", "id")
        .values_list("message_id", "direction")
    )
    root = thread_root(row.ticket_id)
    inbound = [mid for mid, direction in thread if direction == TicketMailId.Direction.INBOUND]
    opening = inbound[:1] if row.ticket.channel == "email" else []
    in_reply_to = inbound[-1] if inbound else root
    references: list[str] = []
    for mid in [root, *opening, *(mid for mid, _ in thread[-RECENT_REFERENCES:]), in_reply_to]:
        if mid not in references:
            references.append(mid)
    references.remove(in_reply_to)
    references.append(in_reply_to)  # the message answered comes last (RFC 5322 §3.6.4)
    headers.update(
        {
            "In-Reply-To": in_reply_to,
            "References": " ".join(references),
            "Reply-To": reply_address(row.ticket),
            "X-Pacto-Ticket": str(row.ticket_id),
        }
    )
    if subject is not None and not _SUBJECT_TAG.search(subject):
        headers["Subject"] = f"[#{row.ticket_id}] {subject}"
    return headers


def add_thread_headers(sender, row, subject: str, **kwargs) -> dict[str, str]:
    """The receiver of ``pacto.notifications.render.email_headers``."""
    return thread_headers(row, subject=subject)


# ----------------------------------------------------------------------------- refusals

# The refusal email's words are the renderer's, with every other email's
# (``pacto.notifications.render.TEXTS``, kind ``mail_refused``).

# Reasons in Portuguese, by the rule the refusal is about (English comes from the action).
REASONS_PT = {
    "unknown_sender": "Este endereço de e-mail não pertence a nenhum contato autorizado.",
    "authorized_contact": (
        "Somente contatos técnicos autorizados de um cliente com contrato de suporte válido, ou "
        "contatos certificados de um parceiro que o atende, podem abrir chamados. Peça a um "
        "contato autorizado da sua organização que abra uma solicitação de acesso para você, "
        "ou escreva ao seu gerente de contas."
    ),
    "not_visible": (
        "Você não tem acesso a este chamado: somente quem o abriu e os administradores da "
        "organização podem respondê-lo. Para abrir um novo chamado, escreva sem o número do "
        "chamado no assunto."
    ),
    "policy_channel": "Sua política de suporte não aceita chamados por e-mail; use o portal.",
    "staff": "A equipe registra chamados por e-mail no console, em nome de um contato.",
}
