"""Every change to a ticket. Each ``do_*`` is one transaction: the ticket row is locked, the
change, its audit event, its recomputed clocks and its outbox rows commit together or not at
all. Views, the API, email ingestion, commands and jobs call these; nothing else saves a
ticket.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import structlog
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation

from pacto.accounts.access import visible_tickets
from pacto.accounts.actions import do_create_contact
from pacto.accounts.models import Organization, User, organization_language
from pacto.catalog.actions import find_version
from pacto.catalog.models import EngineeringItem, EngineeringUpdate, KnownIssue, Version
from pacto.catalog.support import SupportVerdict, verdict
from pacto.errors import ActionError, Conflict, NotAllowed, NotFound
from pacto.notifications.bulk import update_rows
from pacto.notifications.outbox import enqueue
from pacto.observability import bind_ticket
from pacto.sla.policy import Policy, PolicyError, StatusCategory
from pacto.tickets.clocks import store_clocks
from pacto.tickets.content import check_attachment, message_content, sanitize_html
from pacto.tickets.models import (
    CORRECTABLE,
    DETAIL_FIELDS,
    MAX_CCS_PER_TICKET,
    Attachment,
    Message,
    Ticket,
    TicketCc,
    TicketEvent,
)
from pacto.tickets.opening import check_opening
from pacto.times import aware_now as _now

log = structlog.get_logger(__name__)

# Fields a policy's ``required_details`` may name that live elsewhere on the ticket.
_DETAIL_ALIASES = {"symptoms": "obtained_result", "service_contract_id": None, "severity": None}


# ----------------------------------------------------------------------------- plumbing


@contextmanager
def _changing(
    actor: User | None,
    ticket: Ticket,
    now: dt.datetime,
    expected_version: int | None = None,
    *,
    within=None,
) -> Iterator[Ticket]:
    """Lock the ticket (``SELECT … FOR UPDATE``), check the actor may see it, apply the
    change, bump the version and recompute the clocks, all in one transaction. ``within``
    replaces "the tickets the actor may see" (a copied person's email reply: the tickets
    copying that address)."""
    with transaction.atomic():
        locked = (
            (visible_tickets(actor) if within is None else within)
            .select_for_update(of=("self",))
            .select_related("policy_version", "organization", "requester")
            .filter(pk=ticket.pk)
            .first()
        )
        if locked is None:
            raise NotFound("ticket")
        if expected_version is not None and locked.lock_version != expected_version:
            raise Conflict(
                "lock_version",
                "current",
                f"ticket #{locked.pk} changed since you read it (version {expected_version}, "
                f"now {locked.lock_version}); reload and try again",
            )
        yield locked
        locked.lock_version += 1
        locked.updated_at = now
        locked.save()
        # A request that waited for the lock may carry a time earlier than the change it
        # waited for; the clocks are computed as of the latest event, never before it.
        store_clocks(locked, now, not_before_events=True)
    _adopt(ticket, locked)


def _adopt(ticket: Ticket, locked: Ticket) -> None:
    """The caller's ``ticket`` as committed: what ``refresh_from_db`` would read, taken from
    the saved ``locked`` copy instead of a query (relations cached for a value that changed,
    and prefetched ones, are dropped as ``refresh_from_db`` drops them)."""
    ticket._prefetched_objects_cache = {}
    for field in Ticket._meta.concrete_fields:
        value = getattr(locked, field.attname)
        changed = getattr(ticket, field.attname) != value
        if field.is_relation and changed and field.is_cached(ticket):
            field.delete_cached_value(ticket)
        setattr(ticket, field.attname, value)
    for related in Ticket._meta.related_objects:
        if related.is_cached(ticket):
            related.delete_cached_value(ticket)
    ticket.stored_clocks = locked.stored_clocks


def save_tickets_in_bulk(changes: list[tuple[Ticket, dict]], now: dt.datetime) -> None:
    """Write many tickets' changed fields in one statement, keeping what ``_changing`` keeps
    for one: each row's ``lock_version`` goes up by one and ``updated_at`` is ``now``, so a
    client holding an older version is refused (409) rather than overwriting the change.
    ``changes`` pairs each ticket with ``{field: value}``; every pair names the same fields.
    For paths (the worker's sweeps) that hold the rows locked and write their events in bulk."""
    rows = []
    for ticket, values in changes:
        ticket.lock_version += 1
        ticket.updated_at = now
        for name, value in values.items():
            setattr(ticket, name, value)
        rows.append((ticket, {**values, "lock_version": ticket.lock_version, "updated_at": now}))
    update_rows(Ticket, rows)


def _refuse_closed(ticket: Ticket) -> None:
    """A closed ticket is archived: no reply, escalation or severity change reaches it."""
    if ticket.status_category == StatusCategory.CLOSED:
        raise ActionError("status", "not_closed", "closed tickets are archived; open a new one")


def _event(ticket, kind, actor, now, reason="", **data) -> TicketEvent:
    event = TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor, at=now, data=data, reason=reason
    )
    # One structured line per audit event, carrying the ticket and its organization, so an
    # operator's log search by either finds everything that happened to it; the request's
    # (or job's) later lines carry them too.
    bind_ticket(ticket)
    log.info(
        "ticket_event", kind=str(kind), ticket=ticket.pk, organization=ticket.organization_id,
        actor=actor.pk if actor is not None else None,
    )  # fmt: skip
    return event


def _shown(actor: User, reason_public: bool) -> dict:
    """The event data saying a member of staff's reason is for the customer's eyes too.
    Private is the default: an agent writes reasons for colleagues (see
    ``pacto.tickets.models.customer_reason``); a contact's own reason needs no mark."""
    return {"reason_public": True} if reason_public and actor.is_staff_member else {}


def _notify(ticket: Ticket, event: TicketEvent, kind: str, recipients, **payload) -> None:
    enqueue(
        kind=kind,
        dedupe_key=f"ticket:{ticket.pk}:event:{event.pk}:{kind}",
        recipients=recipients,
        ticket=ticket,
        organization=ticket.organization,
        payload={"ticket": ticket.pk, "subject": ticket.subject, **payload},
    )


def _require_staff(actor: User, what: str) -> None:
    if not actor.is_staff_member:
        raise NotAllowed(f"only the vendor's staff may {what}")


def _require_text(field: str, value: str, rule: str, message: str) -> str:
    if not value or not value.strip():
        raise ActionError(field, rule, message)
    return value.strip()


def _managers() -> list[User]:
    return list(User.objects.filter(role=User.Role.MANAGER, is_active=True))


# ----------------------------------------------------------------------------- opening


def check_details(policy: Policy, ticket_type: str, channel: str, details: dict) -> None:
    """senhasegura §7.6 / Xecuritas: a problem report carries the details the policy requires of
    the customer (those the engineer records come later: ``missing_details``).

    Email reports may arrive without them: the acknowledgement asks for what is missing.
    """
    if ticket_type != Ticket.Type.PROBLEM or channel in ("email", "phone"):
        return
    for name in policy.details_supplied_by("customer"):
        field = _DETAIL_ALIASES.get(name, name)
        if field is None:
            continue
        if not str(details.get(field) or "").strip():
            raise ActionError(field, "required_by_policy", f"{policy.title} requires {field}")


def missing_details(
    policy: Policy, ticket: Ticket, suppliers: Sequence[str] = ("customer",)
) -> list[str]:
    """The required fields still empty on ``ticket`` that ``suppliers`` record."""
    missing = []
    for name in policy.details_supplied_by(*suppliers):
        field = _DETAIL_ALIASES.get(name, name)
        if field == "engineer_name":
            if ticket.assignee_id is None:
                missing.append(field)
        elif field and not str(getattr(ticket, field, "") or "").strip():
            missing.append(field)
    return missing


def _check_continues(previous: Ticket, customer: Organization) -> None:
    if previous.organization_id != customer.pk:
        raise ActionError(
            "continues", "follow_up_organization", "a follow-up stays in its organization"
        )
    if previous.status_category != StatusCategory.CLOSED:
        raise ActionError(
            "continues", "follow_up_closed", "only a closed ticket is followed up; reply on it"
        )


def do_open_ticket(
    actor: User,
    *,
    subject: str,
    body: str,
    severity: str | None = None,
    organization: Organization | None = None,
    requester: User | None = None,
    type: str = Ticket.Type.PROBLEM,
    channel: str = Ticket.Channel.PORTAL,
    environment: str = Ticket.Environment.PRODUCTION,
    product: str = "",
    version: str = "",
    product_version: Version | None = None,
    contract=None,
    details: dict | None = None,
    category: str = "",
    access_request: dict | None = None,
    acknowledgement: dict | None = None,
    now: dt.datetime | None = None,
    attachments: Sequence = (),
    continues: Ticket | None = None,
    body_format: str = "markdown",
) -> Ticket:
    """Open a ticket for an authorized contact (or, for an agent, log one on their behalf),
    with its ``attachments`` (uploaded files) in the same transaction.

    ``continues``: the closed ticket of the same organization this one follows up (a closed
    ticket is archived, so a problem that returns is a new ticket linked to the old one).

    ``product_version`` is the catalogue version the ticket is about (else one is looked up
    from the free-text ``product`` and ``version`` among the contract's inventory). A version
    outside support is handled as the policy's ``product_support`` says: refused, accepted
    without SLA targets, or run under the version's beta policy (see ``check_product_version``).

    ``contract``: which of the customer's active contracts (a Contract, its id or service
    contract ID), needed when several are in force and ``product`` does not tell them apart.

    ``acknowledgement``: what the channel adds to the requester's acknowledgement (email:
    where the severity was taken from).

    ``body_format``: ``markdown`` (what people write in the portal, the console and the API)
    or ``html`` (inbound email, Pacto's own notices); see ``message_content``.
    """
    now = _now(now)
    names = [check_attachment(upload) for upload in attachments]
    details = {k: v for k, v in (details or {}).items() if v}
    if unknown := set(details) - set(DETAIL_FIELDS):
        raise ActionError(sorted(unknown)[0], "known_field", f"unknown detail {sorted(unknown)[0]}")
    opening = check_opening(
        actor, requester, organization, now.date(), contract=contract, product=product,
        product_version=product_version,
    )  # fmt: skip
    if actor.is_staff_member and channel not in (Ticket.Channel.PHONE, Ticket.Channel.EMAIL):
        raise ActionError("channel", "agent_logged", "agents log phone or email tickets")
    requester, customer, partner = opening.requester, opening.customer, opening.partner
    contract = opening.contract
    policy = contract.policy
    if product_version is None and version:
        product_version = find_version(_catalogue_modules(contract), product, version)
    support = None
    policy_version = contract.policy_version
    sla_mode = Ticket.SlaMode.POLICY
    if product_version is not None:
        support = check_product_version(contract, product_version, now.date())
        product, version = str(product_version.module), product_version.number
        if support.handling == "without_targets":
            sla_mode = Ticket.SlaMode.WITHOUT_TARGETS
        elif support.handling == "beta_policy":
            sla_mode = Ticket.SlaMode.BETA_POLICY
            policy_version = _beta_policy_version(support.beta_policy)
            policy = policy_version.policy  # the separate policy covers this ticket
    if type not in Ticket.Type.values or type == Ticket.Type.NOTICE:
        # Notices are the vendor's: publishing a known issue or a release opens them.
        openable = [t for t in Ticket.Type.values if t != Ticket.Type.NOTICE]
        raise ActionError("type", "choice", f"type must be one of {', '.join(openable)}")
    if not policy.accepts_channel(channel):
        raise ActionError("channel", "policy_channel", policy.channel_refusal(channel))
    if environment not in Ticket.Environment.values:
        raise ActionError("environment", "choice", "environment: production or non-production")
    if severity is None:
        severity = policy.default_severity_for(channel)
        if severity is None:
            raise ActionError("severity", "required", "choose a severity")
    _check_severity(policy, severity)
    subject = _require_text("subject", subject, "required", "a ticket needs a subject")[:250]
    body = _require_text("body", body, "required", "describe the problem or request")
    clean, text = message_content(body, body_format)
    check_details(policy, type, channel, {**details, "version": version})
    category = _check_category(policy, category)
    if type == Ticket.Type.ACCESS_REQUEST:
        access_request = _check_access_request(access_request or {})
    if continues is not None:
        _check_continues(continues, customer)
    plan = contract.plan
    if policy_version != contract.policy_version:
        plans = [p.id for p in policy_version.policy.plans]
        plan = plan if plan in plans else plans[0]
    new_status = policy_version.policy.status_for(StatusCategory.NEW)
    with transaction.atomic():
        ticket = Ticket.objects.create(
            organization=customer,
            partner=partner,
            requester=requester,
            contract=contract,
            product_version=product_version,
            support_status=support.status if support else "",
            sla_mode=sla_mode,
            policy_version=policy_version,
            plan=plan,
            type=type,
            subject=subject,
            product=product,
            version=version,
            environment=environment,
            channel=channel,
            proposed_severity=severity,
            severity=severity,
            access_request=access_request or {},
            status=new_status.id,
            status_category=new_status.category.value,
            support_line="product" if type == Ticket.Type.FEATURE_REQUEST else "first",
            category=category,
            opened_at=now,
            updated_at=now,
            status_changed_at=now,
            continues=continues,
            **details,
        )
        first_message = Message.objects.create(
            ticket=ticket,
            author=requester,
            body_html=clean,
            body_text=text,
            channel=channel,
            created_at=now,
        )
        event = _event(
            ticket,
            TicketEvent.Kind.OPENED,
            actor,
            now,
            severity=severity,
            channel=channel,
            environment=environment,
            type=type,
            policy=policy_version.policy.key,
            plan=plan,
            **({"continues": continues.pk} if continues is not None else {}),
            **(
                {"support_status": support.status, "sla_mode": sla_mode}
                if support and support.flagged
                else {}
            ),
        )
        for upload, name in zip(attachments, names, strict=True):
            _attach(ticket, actor, now, upload, name, first_message)
        _route_senior(ticket, actor, now)
        if ticket.support_line == "senior":
            ticket.save(update_fields=["support_line"])
        clocks = store_clocks(ticket, now, new=True)
        first_response = clocks.get("first_response")
        _notify(
            ticket,
            event,
            "ticket_opened",
            [requester],
            due_at=first_response.due_at.isoformat()
            if first_response and first_response.due_at
            else None,
            missing_details=missing_details(policy, ticket) if channel == "email" else [],
            **(acknowledgement or {}),
        )
        if type == Ticket.Type.FEATURE_REQUEST:
            # senhasegura §7.1, Xecuritas: feature requests go to product management.
            product_managers = User.objects.filter(role=User.Role.PRODUCT_MANAGER, is_active=True)
            _notify(ticket, event, "feature_request", list(product_managers))
    return ticket


def do_open_for_customer(
    actor: User,
    *,
    organization: Organization,
    subject: str,
    body: str,
    severity: str,
    opened_by: str,
    kind: str,
    payload: dict | None = None,
    now: dt.datetime | None = None,
) -> tuple[Ticket, list[User]] | None:
    """The vendor opens a ticket on the customer's behalf because it found the problem
    itself (``opened_by``: what found it, e.g. ``monitoring``), not because a contact
    reported it. The vendor's message is the ticket's first message, the opened event says
    who opened it and why (shown on the ticket: "opened by the vendor's monitoring on your
    behalf"), the policy's targets run as for any incident of that severity, and every
    authorized contact is told with ``kind``. The focal point is the requester, so the
    customer follows and answers it like its own tickets.

    Returns None when the organization has no active contract or no authorized contact."""
    from pacto.contracts.actions import active_contract

    now = _now(now)
    _require_staff(actor, "open tickets on a customer's behalf")
    contract = active_contract(organization, now.date())
    contacts = authorized_contacts(organization)
    if contract is None or not contacts:
        return None
    policy = contract.policy
    _check_severity(policy, severity)
    # Pacto is the vendor's ticketing system: such a ticket is counted like a portal one.
    channel = Ticket.Channel.PORTAL if policy.accepts_channel("portal") else policy.channels[0]
    new_status = policy.status_for(StatusCategory.NEW)
    clean, text = sanitize_html(_require_text("body", body, "required", "say what was found"))
    with transaction.atomic():
        ticket = Ticket.objects.create(
            organization=organization, requester=contacts[0], contract=contract,
            policy_version=contract.policy_version, plan=contract.plan,
            subject=_require_text("subject", subject, "required", "a ticket needs a subject")[:250],
            channel=channel, proposed_severity=severity, severity=severity,
            status=new_status.id, status_category=new_status.category.value, opened_at=now,
            updated_at=now, status_changed_at=now,
        )  # fmt: skip
        message = Message.objects.create(
            ticket=ticket, author=actor, body_html=clean, body_text=text, channel=channel,
            created_at=now,
        )  # fmt: skip
        event = _event(
            ticket, TicketEvent.Kind.OPENED, actor, now, severity=severity, channel=channel,
            environment=ticket.environment, type=ticket.type, policy=policy.key,
            plan=contract.plan, opened_by=opened_by, on_behalf_of=organization.name,
        )  # fmt: skip
        store_clocks(ticket, now, new=True)
        _notify(ticket, event, kind, contacts, message=message.pk, **(payload or {}))
    return ticket, contacts


def _check_category(policy: Policy, category: str) -> str:
    category = (category or "").strip()
    if category:
        try:
            policy.category(category)
        except PolicyError as exc:
            raise ActionError("category", "defined_in_policy", str(exc)) from None
    return category


def _catalogue_modules(contract):
    """The catalogue modules of a contract's inventory."""
    from pacto.catalog.models import Module

    return Module.objects.filter(inventory__contract=contract).select_related("product")


def contract_versions(contract) -> list[Version]:
    """The catalogue versions a new ticket under ``contract`` may name: every version of the
    modules in its inventory, newest first, the installed ones first of all."""
    modules = list(_catalogue_modules(contract))
    installed = set(
        contract.products.exclude(installed_version=None).values_list(
            "installed_version", flat=True
        )
    )
    versions = Version.objects.filter(module__in=modules).select_related("module__product")
    return sorted(versions, key=lambda v: (str(v.module), v.pk not in installed, _desc(v.key)))


def _desc(key: tuple) -> tuple:
    return tuple((-a, -b, c) for a, b, c in key)


def check_product_version(contract, product_version: Version, day: dt.date) -> SupportVerdict:
    """The verdict on a ticket about ``product_version`` under ``contract``'s policy, shown
    before the ticket is sent; a version the policy refuses is an error naming the field."""
    modules = list(_catalogue_modules(contract))
    if modules and product_version.module not in modules:
        raise ActionError(
            "product_version",
            "in_inventory",
            f"{product_version.module} is not in contract {contract.service_contract_id}",
        )
    support = verdict(product_version, contract.policy, day)
    if support.refused:
        raise ActionError("product_version", "supported_version", support.message)
    return support


def preview_support(contract, version_id, day: dt.date) -> SupportVerdict | None:
    """The verdict to show before a ticket naming catalogue version ``version_id`` is sent
    (refusals included: the customer is told before sending)."""
    version = next((v for v in contract_versions(contract) if str(v.pk) == str(version_id)), None)
    if version is None:
        return None
    return verdict(version, contract.policy, day)


def _beta_policy_version(policy_id: str):
    """The newest stored version of the policy a beta version names (a preset is stored on
    first use)."""
    from pacto.contracts.actions import preset_version
    from pacto.contracts.models import PolicyVersion

    stored = PolicyVersion.objects.filter(policy_id=policy_id).order_by("-created_at").first()
    if stored is not None:
        return stored
    try:
        return preset_version(policy_id)
    except ActionError:
        raise ActionError(
            "product_version", "beta_policy_exists", f"the beta policy {policy_id!r} is not stored"
        ) from None


def _check_access_request(data: dict) -> dict:
    email = str(data.get("email") or "").strip().lower()
    name = str(data.get("full_name") or "").strip()
    if "@" not in email:
        raise ActionError("access_request.email", "email", "the person's email address")
    if not name:
        raise ActionError("access_request.full_name", "required", "the person's name")
    if User.objects.filter(email__iexact=email).exists():
        raise ActionError("access_request.email", "unique", f"{email} already has an account")
    return {"email": email, "full_name": name, "phone": str(data.get("phone") or "")}


# ----------------------------------------------------------------------------- conversation


def do_reply(
    actor: User,
    ticket: Ticket,
    body: str,
    *,
    public: bool = True,
    channel: str = "portal",
    now: dt.datetime | None = None,
    expected_version: int | None = None,
    attachments: Sequence = (),
    body_format: str = "markdown",
) -> Message:
    """A public reply, or (staff only) an internal note, with its ``attachments`` (uploaded
    files) in the same transaction: a refused file refuses the whole reply. The body is
    Markdown, or HTML with ``body_format="html"`` (see ``message_content``).

    The first public agent reply meets first response. A customer reply on a ticket waiting
    on the customer puts it back to the vendor (the pause ends).
    """
    now = _now(now)
    body = _require_text("body", body, "required", "the reply is empty")
    clean, text = message_content(body, body_format)
    names = [check_attachment(upload) for upload in attachments]
    if not public:
        _require_staff(actor, "write internal notes")
    with _changing(actor, ticket, now, expected_version) as ticket:
        _refuse_closed(ticket)
        message = Message.objects.create(
            ticket=ticket, author=actor, public=public, body_html=clean, body_text=text,
            channel=channel, created_at=now,
        )  # fmt: skip
        if not public:
            _event(ticket, TicketEvent.Kind.NOTE, actor, now, message=message.pk)
        elif actor.is_staff_member:
            event = _event(ticket, TicketEvent.Kind.AGENT_REPLY, actor, now, message=message.pk)
            if ticket.status_category == StatusCategory.NEW:
                _set_working(ticket, actor, now)
            _notify(ticket, event, "agent_reply", [ticket.requester], message=message.pk)
        else:
            _customer_replied(ticket, actor, message, now)
        for upload, name in zip(attachments, names, strict=True):
            _attach(ticket, actor, now, upload, name, message)
    return message


def _customer_replied(ticket: Ticket, actor: User | None, message: Message, now) -> None:
    """What a customer's public reply does to a locked ticket (``actor`` None: a copied
    outside address wrote it)."""
    sender = {"from_email": message.from_email} if message.from_email else {}
    event = _event(
        ticket, TicketEvent.Kind.CUSTOMER_REPLY, actor, now, message=message.pk, **sender
    )
    if ticket.status_category == StatusCategory.WAITING_ON_CUSTOMER:
        ticket.details_requested = False
        _set_working(ticket, actor, now)
    elif ticket.status_category == StatusCategory.SOLVED and _reopens_on_reply(ticket, now):
        # secpod: "The customer has 3 days to reopen the ticket if further action is
        # needed"; a follow-up inside them is that action.
        reason = "the customer replied to the solved ticket"
        _event(ticket, TicketEvent.Kind.REOPENED, actor, now, reason, automatic=True)
        _set_working(ticket, actor, now, reason)
    _notify(ticket, event, "customer_reply", [ticket.assignee], message=message.pk)


# ----------------------------------------------------------------------------- people copied


def normal_email(value: str) -> str:
    """An address as a CC stores it (trimmed, lower case); ActionError on ``email`` when it
    is not one."""
    address = (value or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ActionError("email", "email_valid", "enter a valid email address") from None
    return address


def _copied_contact(ticket: Ticket, address: str) -> User | None:
    """The contact of the ticket's organization (or of its partner) with this address."""
    organizations = [o for o in (ticket.organization_id, ticket.partner_id) if o]
    return User.objects.filter(
        email__iexact=address,
        is_active=True,
        role=User.Role.CONTACT,
        organization_id__in=organizations,
    ).first()


def do_add_cc(actor: User, ticket: Ticket, email: str, now: dt.datetime | None = None) -> TicketCc:
    """Copy ``email`` on the ticket: it gets the public replies by email and may answer. The
    requester, the organization's contacts who see the ticket, and staff may add one."""
    now = _now(now)
    address = normal_email(email)
    with _changing(actor, ticket, now) as ticket:
        _refuse_closed(ticket)
        if address == (ticket.requester.email or "").lower():
            raise ActionError("email", "cc_requester", "the requester already gets every reply")
        if ticket.ccs.filter(email=address).exists():
            raise ActionError("email", "cc_duplicate", f"{address} is already copied")
        if ticket.ccs.count() >= MAX_CCS_PER_TICKET:
            raise ActionError(
                "email", "cc_limit", f"a ticket copies at most {MAX_CCS_PER_TICKET} people"
            )
        cc = TicketCc.objects.create(
            ticket=ticket, email=address, user=_copied_contact(ticket, address),
            added_by=actor, added_at=now,
        )  # fmt: skip
        _event(ticket, TicketEvent.Kind.CC_ADDED, actor, now, email=address)
    return cc


def do_remove_cc(actor: User, ticket: Ticket, email: str, now: dt.datetime | None = None) -> None:
    """Stop copying ``email`` on the ticket (who may: as ``do_add_cc``)."""
    now = _now(now)
    address = normal_email(email)
    with _changing(actor, ticket, now) as ticket:
        deleted, _ = ticket.ccs.filter(email=address).delete()
        if not deleted:
            raise ActionError("email", "cc_exists", f"{address or 'this address'} is not copied")
        _event(ticket, TicketEvent.Kind.CC_REMOVED, actor, now, email=address)


def copied_on(ticket: Ticket, address: str) -> TicketCc | None:
    """The CC of ``ticket`` for the address an email came from, if it is copied."""
    return (
        TicketCc.objects.select_related("user")
        .filter(ticket_id=ticket.pk, email=(address or "").strip().lower())
        .first()
    )


def do_cc_reply(
    cc: TicketCc, body: str, *, channel: str = "email", now: dt.datetime | None = None
) -> Message:
    """A public reply by a person copied on the ticket, answering by email. A contact's
    reply is authored by them; an outside address's has no author and keeps the address
    (``Message.from_email``), so the conversation shows who really wrote it. Either way it
    is a customer reply (it ends a wait on the customer, as the requester's would)."""
    now = _now(now)
    body = _require_text("body", body, "required", "the reply is empty")
    author = cc.user if cc.user is not None and cc.user.is_active else None
    within = Ticket.objects.filter(ccs__email=cc.email)
    with _changing(author, cc.ticket, now, within=within) as ticket:
        _refuse_closed(ticket)
        clean, text = sanitize_html(body)
        message = Message.objects.create(
            ticket=ticket, author=author, public=True, body_html=clean, body_text=text,
            channel=channel, created_at=now, from_email="" if author else cc.email,
        )  # fmt: skip
        _customer_replied(ticket, author, message, now)
    return message


def _attach(ticket, actor, now, upload, name: str, message: Message | None) -> Attachment:
    """Store one checked upload on a locked ticket, with its ``attached`` event. The event
    says whether the file belongs to an internal note, so contacts never see it listed."""
    attachment = Attachment.objects.create(
        ticket=ticket,
        message=message,
        file=upload,
        name=name,
        content_type=getattr(upload, "content_type", "") or "application/octet-stream",
        size=upload.size,
        uploaded_by=actor,
        created_at=now,
    )
    internal = {"internal": True} if message is not None and not message.public else {}
    _event(ticket, TicketEvent.Kind.ATTACHED, actor, now, attachment=attachment.pk, name=name,
           **internal)  # fmt: skip
    return attachment


def do_add_attachment(
    actor: User, ticket: Ticket, upload, *, message: Message | None = None, now=None
) -> Attachment:
    now = _now(now)
    name = check_attachment(upload)
    if message is not None and not message.public:
        _require_staff(actor, "attach files to internal notes")
    with _changing(actor, ticket, now) as ticket:
        return _attach(ticket, actor, now, upload, name, message)


def do_add_cc_attachment(cc: TicketCc, upload, *, message: Message, now=None) -> Attachment:
    """A file sent with a copied person's email reply (``do_cc_reply``), on that message."""
    now = _now(now)
    name = check_attachment(upload)
    author = message.author
    within = Ticket.objects.filter(ccs__email=cc.email)
    with _changing(author, cc.ticket, now, within=within) as ticket:
        return _attach(ticket, author, now, upload, name, message)


# ----------------------------------------------------------------------------- status


def _set_status(
    ticket: Ticket, status_id: str, actor, now, reason: str = "", **data
) -> TicketEvent:
    status = ticket.policy.status(status_id)
    previous = ticket.status
    ticket.status = status.id
    ticket.status_category = status.category.value
    ticket.status_changed_at = now
    if status.category == StatusCategory.SOLVED:
        ticket.solved_at = now
    elif status.category == StatusCategory.CLOSED:
        ticket.closed_at = now
    else:
        ticket.solved_at = ticket.closed_at = None
    event = _event(
        ticket, TicketEvent.Kind.STATUS, actor, now, reason, to=status.id, previous=previous,
        **data,
    )  # fmt: skip
    if status.category == StatusCategory.SOLVED:
        # "Resolved": solved. A ticket closed without being solved (a duplicate, a request
        # out of scope) has no root cause of ours to analyse.
        _open_root_cause(ticket, actor, now)
    return event


def _facts(ticket: Ticket):
    from pacto.sla.policy import TicketFacts

    return ticket.policy.counted_facts(
        TicketFacts(
            severity=ticket.severity, plan=ticket.plan, channel=ticket.channel,
            environment=ticket.environment, type=ticket.type,
        )
    )  # fmt: skip


RCA_BODY = (
    "<p>Root cause analysis of ticket #{n} ({subject}), solved {solved}. We will investigate "
    "why it happened and report here.</p><hr><p>Análise de causa raiz do chamado #{n} "
    "({subject}), resolvido em {solved}. Vamos investigar por que aconteceu e relatar aqui.</p>"
)


def _open_root_cause(ticket: Ticket, actor, now: dt.datetime) -> Ticket | None:
    """senhasegura §6: "after an immediate Urgent or High issue is resolved, we will conduct
    root cause analysis with Medium priority". Once per ticket: a linked ticket for the same
    organization, visible to the customer, with its own clocks."""
    rule = ticket.policy.root_cause_analysis
    if rule is None or ticket.type == Ticket.Type.NOTICE or not rule.when.matches(_facts(ticket)):
        return None
    if ticket.events.filter(kind=TicketEvent.Kind.ROOT_CAUSE).exists():
        return None
    if ticket.events.filter(kind=TicketEvent.Kind.OUT_OF_SCOPE).exists():
        return None  # nothing of ours to analyse
    status = ticket.policy.status_for(StatusCategory.NEW)
    # A subject Pacto writes is in the language the organization's people read.
    with translation.override(organization_language(ticket.organization)):
        subject = translation.gettext("RCA #%(number)s: %(subject)s") % {
            "number": ticket.pk,
            "subject": ticket.subject,
        }
    rca = Ticket.objects.create(
        organization=ticket.organization, partner=ticket.partner, requester=ticket.requester,
        contract=ticket.contract, policy_version=ticket.policy_version, plan=ticket.plan,
        type=rule.type, subject=subject[:250],
        product=ticket.product, version=ticket.version, product_version=ticket.product_version,
        support_status=ticket.support_status, environment=ticket.environment,
        channel=ticket.channel, proposed_severity=rule.severity, severity=rule.severity,
        status=status.id, status_category=status.category.value, follows=ticket,
        category=ticket.category, opened_at=now, updated_at=now, status_changed_at=now,
    )  # fmt: skip
    body = RCA_BODY.format(
        n=ticket.pk, subject=html.escape(ticket.subject), solved=f"{now:%Y-%m-%d %H:%M %Z}"
    )
    clean, text = sanitize_html(body)
    Message.objects.create(
        ticket=rca, author=actor, body_html=clean, body_text=text, channel=rca.channel,
        created_at=now,
    )  # fmt: skip
    opened = _event(
        rca, TicketEvent.Kind.OPENED, actor, now, "root cause analysis", severity=rule.severity,
        channel=rca.channel, environment=rca.environment, type=rca.type,
        policy=ticket.policy.key, plan=rca.plan, follows=ticket.pk,
    )  # fmt: skip
    clocks = store_clocks(rca, now, new=True)
    first = clocks.get("first_response")
    _notify(rca, opened, "ticket_opened", [rca.requester],
            due_at=first.due_at.isoformat() if first and first.due_at else None)  # fmt: skip
    _event(ticket, TicketEvent.Kind.ROOT_CAUSE, actor, now, "", rca=rca.pk,
           severity=rule.severity)  # fmt: skip
    return rca


def _route_senior(ticket: Ticket, actor, now: dt.datetime) -> None:
    """senhasegura §5.1 Premier: "Direct access to Senior Engineer for type Urgent and High
    criticality tickets": the ticket goes to the senior queue and is offered to the senior
    engineers first."""
    rule = ticket.policy.senior_routing
    if rule is None or ticket.support_line == "senior" or not rule.when.matches(_facts(ticket)):
        return
    previous, ticket.support_line = ticket.support_line, "senior"
    line = _event(ticket, TicketEvent.Kind.LINE, actor, now, "senior engineer (policy)",
                  to="senior", previous=previous, rule="senior_routing")  # fmt: skip
    seniors = list(User.objects.filter(is_senior=True, is_active=True).exclude(role="contact"))
    _notify(ticket, line, "senior_offered", seniors, line="senior")


def engineer_details_missing(ticket: Ticket) -> list[str]:
    """What the engineer still has to record (Xecuritas "Initial recommendation by Xecuritas
    engineer", "Name of Xecuritas engineer handling the issue")."""
    return missing_details(
        ticket.policy, ticket, ("engineer_before_first_response", "engineer_before_solving")
    )


def _set_working(ticket: Ticket, actor, now, reason: str = "", **data) -> TicketEvent | None:
    """Move the ticket to the status the vendor works in: the policy's first ``open`` status,
    or, for a policy without one (secpod's first status "Open" is its ``new``), its first
    ``new`` status. No event when the ticket is already there."""
    policy = ticket.policy
    if policy.working_status:  # secpod: "Pending | Action required from SecPod Support"
        status = policy.status(policy.working_status)
    else:
        categories = {s.category for s in policy.statuses}
        category = StatusCategory.OPEN if StatusCategory.OPEN in categories else StatusCategory.NEW
        status = policy.status_for(category)
    if status.id == ticket.status:
        return None
    return _set_status(ticket, status.id, actor, now, reason, **data)


def do_change_status(
    actor: User,
    ticket: Ticket,
    status: str,
    *,
    reason: str = "",
    details_requested: bool = False,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
    rule: str | None = None,
    arrangement: str = "",
    reason_public: bool = False,
) -> Ticket:
    """An agent (or a lifecycle rule, ``actor`` then the system user) moves the ticket.
    The reason stays with the vendor's staff unless ``reason_public``.

    Where the policy requires the engineer to record details before solving, solving waits
    for them. Where it has a ``close_agreement`` (Xecuritas "cases are not closed until both
    the customer and the Xecuritas technical support group agree"), an agent closes only
    with a recorded ``arrangement``; the customer's confirmation and the excepted lifecycle
    rules (the 10-day close) close as usual."""
    now = _now(now)
    _require_staff(actor, "change a ticket's status")
    with _changing(actor, ticket, now, expected_version) as ticket:
        policy = ticket.policy
        try:
            target = policy.status(status)
        except PolicyError as exc:
            raise ActionError("status", "defined_in_policy", str(exc)) from None
        if ticket.status_category == StatusCategory.CLOSED:
            raise ActionError("status", "closed_is_final", "closed tickets are archived")
        if target.category == StatusCategory.NEW:
            raise ActionError("status", "not_new", "a ticket cannot go back to new")
        if target.id == ticket.status:
            raise ActionError("status", "changed", f"the ticket is already {target.name}")
        ticket.details_requested = (
            details_requested and target.category == StatusCategory.WAITING_ON_CUSTOMER
        )
        done = target.category in (StatusCategory.SOLVED, StatusCategory.CLOSED)
        # Closing by an other arrangement is not solving: what the engineer records before
        # solving may then be missing.
        solving = done and rule is None and not arrangement.strip()
        problem = ticket.type == Ticket.Type.PROBLEM
        if solving and problem and ticket.assignee_id is None:
            missing = engineer_details_missing(ticket)
            if "engineer_name" in missing:
                # The engineer who solves an unassigned case is the one handling it.
                ticket.assignee = actor
                _event(ticket, TicketEvent.Kind.ASSIGNED, actor, now, "solved by",
                       to=actor.email)  # fmt: skip
        if solving and problem and (missing := engineer_details_missing(ticket)):
            raise ActionError(
                "status", "details_recorded",
                f"{policy.title}: record {', '.join(missing)} before solving",
            )  # fmt: skip
        if target.category == StatusCategory.CLOSED and policy.close_agreement:
            agreement = policy.close_agreement
            if rule is not None and rule not in agreement.exceptions:
                raise ActionError("status", "close_agreement", f"rule {rule} may not close")
            if rule is None:
                arrangement = (arrangement or "").strip()
                if not (agreement.other_arrangement and arrangement):
                    raise ActionError(
                        "arrangement", "close_agreement",
                        f"{policy.title}: cases close when the customer agrees (they confirm "
                        "the solved ticket); record the other arrangement to close now",
                    )  # fmt: skip
                reason = f"other arrangement: {arrangement}" + (f" ({reason})" if reason else "")
        # A lifecycle rule's move names the rule in the event itself (written once, whole).
        event = _set_status(
            ticket, target.id, actor, now, reason, **({"rule": rule} if rule else {}),
            **_shown(actor, reason_public),
        )  # fmt: skip
        _notify(
            ticket, event, "status_changed", [ticket.requester], status=target.name,
            reason=event.customer_reason,
        )  # fmt: skip
    return ticket


def do_confirm_resolution(
    actor: User, ticket: Ticket, *, now=None, expected_version: int | None = None
) -> Ticket:
    """senhasegura §7.8: "The requester closes the case in the customer portal or confirm that
    it is resolved"."""
    now = _now(now)
    with _changing(actor, ticket, now, expected_version) as ticket:
        if ticket.status_category != StatusCategory.SOLVED:
            raise ActionError("status", "solved", "only a solved ticket can be confirmed")
        event = _event(ticket, TicketEvent.Kind.CONFIRMED, actor, now)
        closed = ticket.policy.status_for(StatusCategory.CLOSED)
        _set_status(ticket, closed.id, actor, now, "resolution confirmed")
        _notify(ticket, event, "resolution_confirmed", [ticket.assignee])
    return ticket


def _reopen_deadline(policy: Policy, ticket: Ticket) -> dt.datetime | None:
    window = policy.reopen.allowed_within
    if window is None or ticket.solved_at is None:
        return None
    calendar = window.counts_on(policy.calendar())
    return calendar.add(ticket.solved_at, window.length(policy.calendar()))


def _reopens_on_reply(ticket: Ticket, now: dt.datetime) -> bool:
    """A lifecycle rule leaving this solved status says a customer reply reopens it, and the
    policy's reopen window is still open."""
    policy = ticket.policy
    if not any(
        rule.from_status == ticket.status and rule.on_customer_reply == "reopen"
        for rule in policy.lifecycle
    ):
        return False
    deadline = _reopen_deadline(policy, ticket)
    return deadline is None or now <= deadline


def do_reopen(
    actor: User, ticket: Ticket, *, reason: str, now=None, expected_version: int | None = None,
    reason_public: bool = False,
) -> Ticket:  # fmt: skip
    """Reopen a solved ticket inside the policy's window (secpod: "The customer has 3 days
    to reopen the ticket"); closed tickets are archived. A contact's reason is theirs to
    read; a member of staff's stays internal unless ``reason_public``."""
    now = _now(now)
    reason = _require_text("reason", reason, "required", "say why the ticket is reopened")
    with _changing(actor, ticket, now, expected_version) as ticket:
        policy = ticket.policy
        if ticket.status_category == StatusCategory.CLOSED:
            raise ActionError(
                "status", "closed_is_final", "closed tickets are archived; open a new one"
            )
        if ticket.status_category != StatusCategory.SOLVED:
            raise ActionError("status", "solved", "only a solved ticket can be reopened")
        window = policy.reopen.allowed_within
        deadline = _reopen_deadline(policy, ticket)
        if deadline is not None and now > deadline:
            raise ActionError(
                "status",
                "reopen_window",
                f"{policy.title} allows reopening for {window} after solved "
                f"(until {deadline:%Y-%m-%d %H:%M %Z})",
            )
        shown = _shown(actor, reason_public)
        event = _event(ticket, TicketEvent.Kind.REOPENED, actor, now, reason, **shown)
        _set_working(ticket, actor, now, reason, **shown)
        _notify(
            ticket, event, "ticket_reopened", [ticket.assignee, ticket.requester],
            reason=event.customer_reason,
        )  # fmt: skip
    return ticket


# ----------------------------------------------------------------------------- severity


def do_change_severity(
    actor: User, ticket: Ticket, severity: str, *, reason: str, now=None, expected_version=None,
    reason_public: bool = False,
) -> Ticket:  # fmt: skip
    """An agent changes the severity, with a reason (internal unless ``reason_public``).
    Elapsed business time is kept; the new severity's target applies (see
    ``pacto.sla.clock``)."""
    now = _now(now)
    _require_staff(actor, "change the severity (customers ask with a justification)")
    with _changing(actor, ticket, now, expected_version) as ticket:
        _refuse_closed(ticket)
        policy = ticket.policy
        policy_severity = _check_severity(policy, severity)
        downgrade = policy.severity_rank(severity) > policy.severity_rank(ticket.severity)
        if not (downgrade and not policy.severity_changes.downgrade_requires_reason):
            # Every change carries a reason, unless the policy waives it for downgrades.
            reason = _require_text("reason", reason, "required", "a severity change needs a reason")
        reason = (reason or "").strip()
        if severity == ticket.severity:
            raise ActionError(
                "severity", "changed", f"the ticket is already {policy_severity.name}"
            )
        previous = ticket.severity
        ticket.severity = severity
        direction = (
            "upgrade"
            if policy.severity_rank(severity) < policy.severity_rank(previous)
            else "downgrade"
        )
        event = _event(
            ticket, TicketEvent.Kind.SEVERITY, actor, now, reason, to=severity, previous=previous,
            direction=direction, **_shown(actor, reason_public),
        )  # fmt: skip
        _route_senior(ticket, actor, now)
        if policy.severity_changes.notify_customer:
            # senhasegura §7.6: "the criticality of the ticket may be changed ... and the
            # Contractor will be notified."
            _notify(ticket, event, "severity_changed", [ticket.requester], severity=severity,
                    previous=previous, reason=event.customer_reason)  # fmt: skip
    return ticket


def _check_severity(policy: Policy, severity: str):
    try:
        return policy.severity(severity)
    except PolicyError as exc:
        raise ActionError("severity", "defined_in_policy", str(exc)) from None


def do_request_severity_change(
    actor: User,
    ticket: Ticket,
    severity: str,
    *,
    justification: str,
    now=None,
    expected_version: int | None = None,
) -> TicketEvent:
    """A customer asks for another severity. Allure: "In requesting any assignment of a
    higher severity level, you must provide Allure with sufficient information that
    demonstrates the increased impact"."""
    now = _now(now)
    with _changing(actor, ticket, now, expected_version) as ticket:
        _refuse_closed(ticket)
        policy = ticket.policy
        _check_severity(policy, severity)
        upgrade = policy.severity_rank(severity) < policy.severity_rank(ticket.severity)
        # Only where the policy asks for it (allure: "you must provide Allure with sufficient
        # information that demonstrates the increased impact"); elsewhere it is optional.
        needs = upgrade and policy.severity_changes.upgrade_requires_justification
        if needs and len((justification or "").strip()) < 20:
            raise ActionError(
                "justification",
                "upgrade_justified",
                "explain the increased impact on production (at least 20 characters)",
            )
        event = _event(
            ticket, TicketEvent.Kind.SEVERITY_REQUEST, actor, now, justification.strip(),
            to=severity, previous=ticket.severity,
        )  # fmt: skip
        _notify(ticket, event, "severity_requested", [ticket.assignee, *_managers()],
                severity=severity, justification=justification)  # fmt: skip
    return event


def pending_severity_request(ticket: Ticket) -> TicketEvent | None:
    """The ticket's latest severity request, unless a severity change or a decline came
    after it (then nobody needs to answer it)."""
    last = (
        ticket.events.filter(
            kind__in=(
                TicketEvent.Kind.SEVERITY_REQUEST,
                TicketEvent.Kind.SEVERITY,
                TicketEvent.Kind.SEVERITY_DECLINED,
            )
        )
        .order_by("-at", "-id")
        .first()
    )
    return last if last is not None and last.kind == TicketEvent.Kind.SEVERITY_REQUEST else None


def do_decline_severity_request(
    actor: User, ticket: Ticket, *, reason: str, now=None, expected_version=None,
    reason_public: bool = False,
) -> TicketEvent:  # fmt: skip
    """An agent declines the customer's pending severity request, saying why; the customer
    is told, and reads why when ``reason_public`` (an accepted request is a
    ``do_change_severity``)."""
    now = _now(now)
    _require_staff(actor, "answer severity requests")
    reason = _require_text("reason", reason, "required", "say why the request is declined")
    with _changing(actor, ticket, now, expected_version) as ticket:
        request = pending_severity_request(ticket)
        if request is None:
            raise ActionError("severity", "pending_request", "no severity request is pending")
        event = _event(
            ticket, TicketEvent.Kind.SEVERITY_DECLINED, actor, now, reason,
            to=request.data.get("to"), request=request.pk, **_shown(actor, reason_public),
        )  # fmt: skip
        _notify(ticket, event, "status_changed", [request.actor or ticket.requester],
                status=ticket.policy.status(ticket.status).name,
                reason=event.customer_reason)  # fmt: skip
    return event


# ----------------------------------------------------------------------------- routing


def do_assign(
    actor: User, ticket: Ticket, assignee: User | None, *, now=None, expected_version=None
) -> Ticket:
    now = _now(now)
    _require_staff(actor, "assign tickets")
    if assignee is not None and not assignee.is_staff_member:
        raise ActionError("assignee", "staff", "tickets are assigned to the vendor's staff")
    with _changing(actor, ticket, now, expected_version) as ticket:
        ticket.assignee = assignee
        event = _event(
            ticket, TicketEvent.Kind.ASSIGNED, actor, now, to=assignee.email if assignee else None
        )
        if assignee and assignee != actor:
            _notify(ticket, event, "ticket_assigned", [assignee])
    return ticket


def do_set_line(
    actor: User, ticket: Ticket, line: str, *, reason: str, now=None, expected_version=None
) -> Ticket:
    """Allure: "Allure Security will escalate internally to Second Line Support"."""
    now = _now(now)
    _require_staff(actor, "move tickets between support lines")
    if line not in ("first", "second", "senior", "product"):
        raise ActionError("line", "choice", "line must be first, second, senior or product")
    reason = _require_text("reason", reason, "required", "say why the line changes")
    with _changing(actor, ticket, now, expected_version) as ticket:
        _refuse_closed(ticket)
        if ticket.support_line == line:
            raise ActionError("line", "changed", f"the ticket is already on the {line} line")
        previous, ticket.support_line = ticket.support_line, line
        event = _event(
            ticket, TicketEvent.Kind.LINE, actor, now, reason, to=line, previous=previous
        )
        second_line = User.objects.filter(support_line=line, is_active=True).exclude(role="contact")
        _notify(ticket, event, "line_changed", list(second_line), line=line, reason=reason)
    return ticket


def do_escalate(
    actor: User,
    ticket: Ticket,
    *,
    reason: str,
    to: str = "account_manager",
    now=None,
    expected_version: int | None = None,
    reason_public: bool = False,
):
    """Xecuritas "Customer Escalation: At any time customers may escalate an issue ... by
    contacting their account manager"; "Management Escalation" to support management.
    A contact's reason is theirs to read; a member of staff's stays internal unless
    ``reason_public`` (whoever it notifies here is staff, and reads it either way)."""
    now = _now(now)
    reason = _require_text("reason", reason, "required", "say why you escalate")
    if to not in ("account_manager", "management"):
        raise ActionError("to", "choice", "escalate to account_manager or management")
    with _changing(actor, ticket, now, expected_version) as ticket:
        _refuse_closed(ticket)
        if not ticket.policy.escalation.customer_may_escalate and actor.is_contact:
            raise NotAllowed("this policy does not offer customer escalation")
        ticket.escalation_level += 1
        event = _event(ticket, TicketEvent.Kind.ESCALATED, actor, now, reason, to=to,
                       level=ticket.escalation_level, **_shown(actor, reason_public))  # fmt: skip
        recipients = [ticket.organization.account_manager] if to == "account_manager" else []
        if actor.is_contact and to == "account_manager":
            # The policy says whom a customer's escalation reaches (Xecuritas: "by contacting
            # their account manager").
            recipients = _escalation_recipients(ticket)
        if to == "management" or not any(recipients):
            recipients = _managers()
        _notify(ticket, event, "ticket_escalated", [*recipients, ticket.assignee], reason=reason,
                level=ticket.escalation_level, by=actor.email)  # fmt: skip
    return ticket


def _escalation_recipients(ticket: Ticket) -> list:
    recipients: list = []
    for who in ticket.policy.escalation.customer_escalation_notifies:
        match who:
            case "account_manager":
                recipients.append(ticket.organization.account_manager)
            case "support_managers":
                recipients += _managers()
            case "assignee":
                recipients.append(ticket.assignee)
    return [r for r in recipients if r is not None]


def do_log_work(actor: User, ticket: Ticket, *, minutes: int, note: str = "", now=None):
    now = _now(now)
    _require_staff(actor, "log work")
    if not 0 < minutes <= 24 * 60:
        raise ActionError("minutes", "range", "log between 1 minute and 24 hours at a time")
    with _changing(actor, ticket, now) as ticket:
        _event(ticket, TicketEvent.Kind.WORK_LOGGED, actor, now, note, minutes=minutes)
    return ticket


def do_approve_access_request(
    actor: User, ticket: Ticket, *, now=None, expected_version: int | None = None
) -> User:
    """senhasegura §7.4: "Adding users to the support platform will always be through a ticket
    opened by the contractor requesting and authorizing access of a new responsible"."""
    now = _now(now)
    _require_staff(actor, "approve access requests")
    with _changing(actor, ticket, now, expected_version) as ticket:
        if ticket.type != Ticket.Type.ACCESS_REQUEST:
            raise ActionError("type", "access_request", "this ticket is not an access request")
        if ticket.status_category in (StatusCategory.SOLVED, StatusCategory.CLOSED):
            raise ActionError("status", "open", "this access request is already settled")
        data = ticket.access_request
        contact = do_create_contact(
            organization=ticket.organization,
            email=data["email"],
            full_name=data["full_name"],
            phone=data.get("phone", ""),
            authorized=True,
            actor=actor,
            invite=True,  # senhasegura §7.2: "the user will receive an email to activate"
            now=now,
        )
        event = _event(ticket, TicketEvent.Kind.ACCESS_GRANTED, actor, now, contact=contact.email)
        _set_status(
            ticket, ticket.policy.status_for(StatusCategory.SOLVED).id, actor, now, "access granted"
        )
        _notify(ticket, event, "access_granted", [ticket.requester, contact], contact=contact.email)
    return contact


# ----------------------------------------------------------------------------- catalogue


def authorized_contacts(organization: Organization) -> list[User]:
    """The people a vendor notice for ``organization`` goes to: its active authorized
    contacts, the focal point first."""
    return list(
        User.objects.filter(
            organization=organization, is_authorized=True, is_active=True, role=User.Role.CONTACT
        ).order_by("-is_focal_point", "pk")
    )


def do_open_notice(
    actor: User,
    *,
    organization: Organization,
    subject: str,
    body: str,
    notice_key: str,
    kind: str,
    payload: dict | None = None,
    now: dt.datetime | None = None,
) -> tuple[Ticket, list[User]] | None:
    """Open a vendor notice ticket for ``organization`` (senhasegura §11: customers "will be
    notified via ticket") and email its authorized contacts. The vendor's message is the
    ticket's first reply and the ticket waits on the customer, who answers there. No SLA
    target runs on a notice.

    At most once per ``notice_key`` (a unique column): returns None when it exists already,
    or when the organization has no active contract or no authorized contact to address.
    """
    from pacto.contracts.actions import active_contract

    now = _now(now)
    _require_staff(actor, "send vendor notices")
    contract = active_contract(organization, now.date())
    contacts = authorized_contacts(organization)
    if contract is None or not contacts or Ticket.objects.filter(notice_key=notice_key).exists():
        return None
    policy = contract.policy
    categories = {s.category for s in policy.statuses}
    waiting = (
        StatusCategory.WAITING_ON_CUSTOMER
        if StatusCategory.WAITING_ON_CUSTOMER in categories
        else StatusCategory.NEW
    )
    status = policy.status_for(waiting)
    severity = policy.severities[-1].id  # a notice stops no production: the least severe
    clean, text = sanitize_html(body)
    with transaction.atomic():
        ticket = Ticket.objects.create(
            organization=organization, requester=contacts[0], contract=contract,
            policy_version=contract.policy_version, plan=contract.plan, type=Ticket.Type.NOTICE,
            subject=_require_text("subject", subject, "required", "a notice needs a subject")[:250],
            channel=Ticket.Channel.PORTAL, proposed_severity=severity, severity=severity,
            sla_mode=Ticket.SlaMode.WITHOUT_TARGETS, notice_key=notice_key,
            status=status.id, status_category=status.category.value, opened_at=now,
            updated_at=now, status_changed_at=now,
        )  # fmt: skip
        message = Message.objects.create(
            ticket=ticket, author=actor, body_html=clean, body_text=text, created_at=now
        )
        event = _event(
            ticket, TicketEvent.Kind.OPENED, actor, now, severity=severity, channel="portal",
            environment=ticket.environment, type=ticket.type, policy=policy.key,
            plan=contract.plan, notice=notice_key,
        )  # fmt: skip
        store_clocks(ticket, now)
        _notify(ticket, event, kind, contacts, message=message.pk, **(payload or {}))
    return ticket, contacts


def do_notice_reply(
    actor: User, ticket: Ticket, body: str, *, kind: str, payload: dict | None = None, now=None
) -> list[User]:
    """A later step of a vendor notice, as a public reply on the organization's notice
    ticket, emailed to all its authorized contacts. Returns who was emailed."""
    now = _now(now)
    _require_staff(actor, "send vendor notices")
    contacts = authorized_contacts(ticket.organization)
    with _changing(actor, ticket, now) as ticket:
        clean, text = sanitize_html(body)
        message = Message.objects.create(
            ticket=ticket, author=actor, body_html=clean, body_text=text, created_at=now
        )
        event = _event(ticket, TicketEvent.Kind.AGENT_REPLY, actor, now, message=message.pk)
        _notify(ticket, event, kind, contacts, message=message.pk, **(payload or {}))
    return contacts


def do_link_known_issue(
    actor: User,
    ticket: Ticket,
    known_issue: KnownIssue,
    *,
    wait_for_fix: bool = False,
    now=None,
    expected_version: int | None = None,
) -> Ticket:
    """senhasegura §7.7: the response may be "A confirmation that the issue you reported is a
    known issue, and whether a product fix is planned, or workarounds are available". The
    customer gets that confirmation as a public reply. With ``wait_for_fix`` the ticket waits
    in the policy's fix-pending status (``product_support.fix_pending_status``) until the
    fix ships."""
    now = _now(now)
    _require_staff(actor, "link tickets to known issues")
    with _changing(actor, ticket, now, expected_version) as ticket:
        if ticket.known_issue_id == known_issue.pk:
            raise ActionError("known_issue", "changed", f"already linked to {known_issue.slug}")
        if ticket.status_category == StatusCategory.CLOSED:
            raise ActionError("status", "not_closed", "closed tickets are archived")
        ticket.known_issue = known_issue
        _event(
            ticket, TicketEvent.Kind.KNOWN_ISSUE, actor, now, known_issue=known_issue.slug,
            title=known_issue.title, wait_for_fix=wait_for_fix,
        )  # fmt: skip
        body = known_issue_confirmation(known_issue)
        clean, text = sanitize_html(body)
        message = Message.objects.create(
            ticket=ticket, author=actor, body_html=clean, body_text=text, created_at=now
        )
        reply = _event(ticket, TicketEvent.Kind.AGENT_REPLY, actor, now, message=message.pk)
        if ticket.status_category == StatusCategory.NEW:
            _set_working(ticket, actor, now)
        if wait_for_fix:
            waiting = fix_pending_status(ticket.policy)
            if waiting.id != ticket.status:
                _set_status(
                    ticket, waiting.id, actor, now, f"waiting for the fix of {known_issue.slug}"
                )
        _notify(ticket, reply, "agent_reply", [ticket.requester], message=message.pk)
    return ticket


def do_unlink_known_issue(
    actor: User, ticket: Ticket, *, reason: str, now=None, expected_version: int | None = None
) -> Ticket:
    """Take back a link made in error: the ticket is no longer an instance of its known issue
    (the customer is told by a public reply; later steps of the known issue no longer reach
    the ticket). A ticket that waited for that fix goes back to the vendor. The reason is
    kept in the ticket's history for the vendor."""
    now = _now(now)
    _require_staff(actor, "unlink tickets from known issues")
    reason = _require_text("reason", reason, "required", "say why the link was wrong")
    with _changing(actor, ticket, now, expected_version) as ticket:
        issue = ticket.known_issue
        if issue is None:
            raise ActionError("known_issue", "linked", "the ticket is linked to no known issue")
        if ticket.status_category == StatusCategory.CLOSED:
            raise ActionError("status", "not_closed", "closed tickets are archived")
        ticket.known_issue = None
        _event(
            ticket, TicketEvent.Kind.KNOWN_ISSUE, actor, now, reason, known_issue=issue.slug,
            title=issue.title, unlinked=True,
        )  # fmt: skip
        e = html.escape
        body = (
            f"<p>Your ticket is not an instance of known issue {e(issue.slug)} "
            f"({e(issue.title)}) after all; we go on working on it.</p><p>Seu chamado não é "
            f"um caso do problema conhecido {e(issue.slug)} ({e(issue.title)}); seguimos "
            f"trabalhando nele.</p>"
        )
        clean, text = sanitize_html(body)
        message = Message.objects.create(
            ticket=ticket, author=actor, body_html=clean, body_text=text, created_at=now
        )
        reply = _event(ticket, TicketEvent.Kind.AGENT_REPLY, actor, now, message=message.pk)
        if ticket.status == fix_pending_status(ticket.policy).id and ticket.is_open:
            _set_working(ticket, actor, now, f"no longer waiting for the fix of {issue.slug}")
        _notify(ticket, reply, "agent_reply", [ticket.requester], message=message.pk)
    return ticket


def fix_pending_status(policy: Policy):
    """Where a ticket waits while a product fix is pending: the status the policy names, or
    its first "waiting on third party" status, or its first "pending" one."""
    named = policy.product_support.fix_pending_status
    if named:
        return policy.status(named)
    for category in (StatusCategory.WAITING_ON_THIRD_PARTY, StatusCategory.PENDING):
        if any(s.category == category for s in policy.statuses):
            return policy.status_for(category)
    return policy.status_for(StatusCategory.OPEN)


def known_issue_confirmation(issue: KnownIssue) -> str:
    """The public reply confirming a known issue (in the vendor's words, kept in English and
    Portuguese side by side would be noisy: the words are the known issue's own)."""
    parts = [f"<p><strong>{html.escape(issue.slug)}: {html.escape(issue.title)}</strong></p>"]
    parts.append(f"<p>{html.escape(issue.symptoms)}</p>")
    if issue.workaround:
        parts.append(f"<p>Workaround / Solução paliativa: {html.escape(issue.workaround)}</p>")
    if issue.fixed_in:
        parts.append(f"<p>Fixed in / Corrigido em: {html.escape(str(issue.fixed_in))}</p>")
    elif issue.status == KnownIssue.Status.FIX_SCHEDULED:
        parts.append("<p>A product fix is planned. / Uma correção do produto está planejada.</p>")
    return "".join(parts)


def do_resume_after_fix(actor: User, ticket: Ticket, *, now=None) -> Ticket:
    """The fix shipped: a ticket that waited for it goes back to the vendor."""
    now = _now(now)
    with _changing(actor, ticket, now) as ticket:
        if ticket.status_category in (StatusCategory.SOLVED, StatusCategory.CLOSED):
            return ticket
        if ticket.status == fix_pending_status(ticket.policy).id:
            _set_working(ticket, actor, now, "the fix shipped")
    return ticket


def do_link_engineering_item(
    actor: User, ticket: Ticket, item: EngineeringItem, *, now=None, expected_version=None
) -> Ticket:
    """Allure: "a ticket will be opened which will track the issue. You will be notified if
    and when this happens, and will be given access to follow the ticket as it is updated"."""
    now = _now(now)
    _require_staff(actor, "link engineering work")
    with _changing(actor, ticket, now, expected_version) as ticket:
        if ticket.engineering_item_id == item.pk:
            raise ActionError("engineering_item", "changed", f"already following {item.key}")
        ticket.engineering_item = item
        event = _event(
            ticket, TicketEvent.Kind.ENGINEERING, actor, now, key=item.key, title=item.title,
            status=item.status, linked=True,
        )  # fmt: skip
        _notify(ticket, event, "engineering_linked", [ticket.requester], key=item.key,
                title=item.title, engineering_status=item.get_status_display())  # fmt: skip
    return ticket


def do_record_engineering_update(
    actor: User, ticket: Ticket, update: EngineeringUpdate, *, now=None
) -> Ticket:
    """One change of the engineering item a ticket follows: in its history, and told to the
    customer."""
    now = _now(now)
    item = update.item
    with _changing(actor, ticket, now) as ticket:
        event = _event(
            ticket, TicketEvent.Kind.ENGINEERING, actor, now, update.body, key=item.key,
            title=item.title, status=update.status, update=update.pk,
        )  # fmt: skip
        _notify(ticket, event, "engineering_updated", [ticket.requester], key=item.key,
                title=item.title, engineering_status=item.get_status_display(),
                reason=update.body)  # fmt: skip
    return ticket


def do_set_product_version(
    actor: User, ticket: Ticket, product_version: Version, *, reason: str, now=None,
    expected_version=None, reason_public: bool = False,
) -> Ticket:  # fmt: skip
    """An agent, or the customer on their own open ticket, corrects the catalogue version a
    ticket is about, with a reason. The SLA handling it was opened under stays (it is part of
    the ticket's history). A customer picks among the versions of their contract's
    inventory."""
    now = _now(now)
    reason = _require_text("reason", reason, "required", "say why the version changes")
    with _changing(actor, ticket, now, expected_version) as ticket:
        _refuse_closed(ticket)
        if not actor.is_staff_member:
            if not ticket.is_open:
                raise ActionError("status", "open", "only an open ticket can be corrected")
            modules = list(_catalogue_modules(ticket.contract))
            if modules and product_version.module not in modules:
                raise ActionError(
                    "product_version", "in_inventory",
                    f"{product_version.module} is not in contract "
                    f"{ticket.contract.service_contract_id}",
                )  # fmt: skip
        if ticket.product_version_id == product_version.pk:
            raise ActionError(
                "product_version", "changed", f"the ticket is already on {product_version}"
            )
        support = verdict(product_version, ticket.contract.policy, now.date())
        previous = str(ticket.product_version or f"{ticket.product} {ticket.version}".strip())
        ticket.product_version = product_version
        ticket.product, ticket.version = str(product_version.module), product_version.number
        ticket.support_status = support.status
        _event(ticket, TicketEvent.Kind.VERSION, actor, now, reason, to=str(product_version),
               previous=previous, support_status=support.status,
               **_shown(actor, reason_public))  # fmt: skip
    return ticket


# ----------------------------------------------------------------------------- corrections

# What a ticket's corrections may change, and which of it customers may correct on their own
# open tickets (the details, product and version; the rest is the vendor's call).
CUSTOMER_CORRECTABLE = ("product", "version", *DETAIL_FIELDS)
CORRECTABLE_TYPES = ("problem", "question", "feature_request", "service_request")
_CORRECTION_KINDS = {
    "channel": TicketEvent.Kind.CHANNEL,
    "environment": TicketEvent.Kind.ENVIRONMENT,
    "type": TicketEvent.Kind.TYPE,
    "category": TicketEvent.Kind.CATEGORY,
}
_MAX_LENGTH = {"product": 100, "version": 60, "hardware_os": 250, "category": 60}


def check_correction(actor: User, ticket: Ticket, field: str, value: str) -> str:
    """The corrected value, checked against the ticket's policy; an error names the field."""
    if field not in CORRECTABLE:
        raise ActionError("field", "correctable", f"field must be one of {', '.join(CORRECTABLE)}")
    if not actor.is_staff_member and field not in CUSTOMER_CORRECTABLE:
        raise NotAllowed(f"only the vendor's staff may correct the {field}", field=field)
    value = (value or "").strip()
    policy = ticket.policy
    match field:
        case "channel":
            if not policy.accepts_channel(value):
                raise ActionError("channel", "policy_channel", policy.channel_refusal(value))
        case "environment":
            if value not in Ticket.Environment.values:
                raise ActionError("environment", "choice", "production or non-production")
        case "type":
            if value not in CORRECTABLE_TYPES:
                raise ActionError("type", "choice", f"type: {', '.join(CORRECTABLE_TYPES)}")
        case "category":
            if value:
                try:
                    policy.category(value)
                except PolicyError as exc:
                    raise ActionError("category", "defined_in_policy", str(exc)) from None
        case "product" | "version" if ticket.product_version_id:
            raise ActionError(
                field, "catalogue_version",
                "the ticket names a catalogue version: correct the product version instead",
            )  # fmt: skip
    if len(value) > _MAX_LENGTH.get(field, 100_000):
        raise ActionError(field, "max_length", f"at most {_MAX_LENGTH.get(field)} characters")
    return value


def do_correct_ticket(
    actor: User,
    ticket: Ticket,
    field: str,
    value: str,
    *,
    reason: str,
    at: dt.datetime | None = None,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
    reason_public: bool = False,
) -> Ticket:
    """Correct one fact of a ticket after opening, with a reason and an audit event (a
    member of staff's reason internal unless ``reason_public``).

    The channel, environment and type are engine events: the clocks are replayed with the
    new value from ``at`` on (default: now). senhasegura §7.3: an urgent reported in the portal
    and then phoned in follows the phone clock from the call's time; ``at`` is that time
    (not before the ticket was opened, not in the future). Staff correct anything in
    ``CORRECTABLE``; customers the details, product and version of their own open tickets.
    """
    now = _now(now)
    at = now if at is None else _now(at)
    reason = _require_text("reason", reason, "required", "say why the ticket is corrected")
    with _changing(actor, ticket, now, expected_version) as ticket:
        _refuse_closed(ticket)
        if not actor.is_staff_member and not ticket.is_open:
            raise ActionError("status", "open", "only an open ticket can be corrected")
        value = check_correction(actor, ticket, field, value)
        if at > now or at < ticket.opened_at:
            raise ActionError(
                "at", "within_ticket", "the correction's time is between the opening and now"
            )
        previous = getattr(ticket, field) or ""
        if previous == value:
            raise ActionError(field, "changed", f"the {field} is already {value or 'empty'}")
        setattr(ticket, field, value)
        kind = _CORRECTION_KINDS.get(field, TicketEvent.Kind.DETAIL)
        _event(ticket, kind, actor, at, reason, field=field, to=value, previous=previous,
               **_shown(actor, reason_public))  # fmt: skip
        if field == "type" and value == Ticket.Type.FEATURE_REQUEST:
            ticket.support_line = "product"  # senhasegura §7.1, Xecuritas: product management
    return ticket


# ----------------------------------------------------------------------------- policy rules


def _public_reply(ticket: Ticket, actor: User, now: dt.datetime, body: str) -> Message:
    """A public message from the vendor on a locked ticket, emailed to the requester; it is
    a public agent reply for the clocks (first response, periodic update)."""
    clean, text = sanitize_html(body)
    message = Message.objects.create(
        ticket=ticket, author=actor, body_html=clean, body_text=text, created_at=now
    )
    reply = _event(ticket, TicketEvent.Kind.AGENT_REPLY, actor, now, message=message.pk)
    if ticket.status_category == StatusCategory.NEW:
        _set_working(ticket, actor, now)
    _notify(ticket, reply, "agent_reply", [ticket.requester], message=message.pk)
    return message


def checklist_state(ticket: Ticket, events=None) -> list[dict]:
    """The policy's checklists for this ticket, each item with its tick (who, when, note)
    if recorded: ``[{"id", "name", "cite", "items": [{"item", "done", "by", "at", "note"}]}]``."""
    from pacto.sla.policy import TicketFacts

    policy = ticket.policy
    facts = TicketFacts(
        severity=ticket.severity, plan=ticket.plan, channel=ticket.channel,
        environment=ticket.environment, type=ticket.type,
    )  # fmt: skip
    checklists = policy.checklists_for(facts)
    if not checklists:
        return []
    if events is None:
        events = ticket.events.filter(kind=TicketEvent.Kind.CHECKLIST).select_related("actor")
    ticks = {
        (e.data.get("checklist"), e.data.get("item")): e
        for e in events
        if e.kind == TicketEvent.Kind.CHECKLIST
    }
    out = []
    for checklist in checklists:
        items = []
        for index, item in enumerate(checklist.items):
            tick = ticks.get((checklist.id, index))
            items.append({
                "index": index, "item": item, "done": tick is not None,
                "by": str(tick.actor) if tick and tick.actor else "",
                "at": tick.at if tick else None, "note": tick.reason if tick else "",
            })  # fmt: skip
        out.append({"id": checklist.id, "name": checklist.name, "cite": checklist.cite,
                    "items": items})  # fmt: skip
    return out


def do_tick_checklist_item(
    actor: User, ticket: Ticket, checklist: str, item: int, *, note: str, now=None,
    expected_version=None,
) -> Ticket:  # fmt: skip
    """Xecuritas "Xecuritas technical support engineers, when appropriate, will take the
    following steps upon initial customer contact": the engineer ticks one step, with a note
    of what was found (internal)."""
    now = _now(now)
    _require_staff(actor, "work the troubleshooting checklist")
    note = _require_text("note", note, "required", "note what the step found")
    with _changing(actor, ticket, now, expected_version) as ticket:
        _refuse_closed(ticket)
        state = {c["id"]: c for c in checklist_state(ticket)}
        if checklist not in state:
            raise ActionError(
                "checklist", "defined_in_policy",
                f"no checklist {checklist!r} applies (applies: {', '.join(state) or 'none'})",
            )  # fmt: skip
        items = state[checklist]["items"]
        if not 0 <= item < len(items):
            raise ActionError("item", "range", f"item is 0 to {len(items) - 1}")
        if items[item]["done"]:
            raise ActionError("item", "not_done", f"already ticked: {items[item]['item']}")
        _event(ticket, TicketEvent.Kind.CHECKLIST, actor, now, note, checklist=checklist,
               item=item, text=items[item]["item"])  # fmt: skip
    return ticket


def do_deliver_resolution_plan(
    actor: User, ticket: Ticket, body: str, *, now=None, expected_version=None
) -> Message:
    """Xecuritas: "Resolution time is defined as the period within which the problem is
    resolved or an acceptable work-around or alternate resolution plan has been delivered".
    The plan is a public message; it meets the resolution clock while the case stays open."""
    now = _now(now)
    _require_staff(actor, "deliver a work-around or resolution plan")
    body = _require_text("body", body, "required", "write the work-around or the plan")
    with _changing(actor, ticket, now, expected_version) as ticket:
        _refuse_closed(ticket)
        if ticket.policy.resolution_plan is None:
            raise ActionError(
                "resolution_plan", "policy_rule",
                f"{ticket.policy.title} does not meet the resolution with a plan; solve instead",
            )  # fmt: skip
        if ticket.events.filter(kind=TicketEvent.Kind.RESOLUTION_PLAN).exists():
            raise ActionError("resolution_plan", "once", "a plan was already delivered")
        message = _public_reply(ticket, actor, now, body)
        _event(ticket, TicketEvent.Kind.RESOLUTION_PLAN, actor, now, "plan delivered",
               message=message.pk)  # fmt: skip
    return message


THIRD_PARTY_TEXT = (
    "<p>We identified another vendor's product as the cause of this incident: "
    "<strong>{vendor}</strong>. {why}</p><p>Our standard resolution procedures and times do "
    "not apply to it; we will still try to help, without guarantees. Please also bring the "
    "issue to {vendor}'s attention.</p><hr><p>Identificamos o produto de outro fornecedor "
    "como a causa deste incidente: <strong>{vendor}</strong>. Os procedimentos e prazos "
    "padrão de resolução não se aplicam a ele; continuaremos tentando ajudar, sem garantias. "
    "Leve o problema também ao conhecimento de {vendor}.</p>"
)


def do_record_third_party_cause(
    actor: User, ticket: Ticket, *, vendor: str, why: str, now=None, expected_version=None
) -> Ticket:
    """Xecuritas: "Should another vendor's product be identified as the cause of the
    incident, the standard Xecuritas customer resolution procedures will not apply". From
    now on the policy's named clocks (resolution) stop and are exempt, so nothing escalates,
    and the customer is told in a public message."""
    now = _now(now)
    _require_staff(actor, "record a third-party cause")
    vendor = _require_text("vendor", vendor, "required", "name the other vendor")[:120]
    why = _require_text("why", why, "required", "say why that product is the cause")
    with _changing(actor, ticket, now, expected_version) as ticket:
        _refuse_closed(ticket)
        rule = ticket.policy.third_party_cause
        if rule is None:
            raise ActionError(
                "vendor", "policy_rule", f"{ticket.policy.title} has no third-party exemption"
            )
        if ticket.events.filter(kind=TicketEvent.Kind.THIRD_PARTY).exists():
            raise ActionError("vendor", "once", "a third-party cause is already recorded")
        # The why is told to the customer in the public message below.
        _event(ticket, TicketEvent.Kind.THIRD_PARTY, actor, now, why, vendor=vendor,
               reason_public=True)  # fmt: skip
        for metric in rule.metrics:
            _event(ticket, TicketEvent.Kind.EXEMPTED, actor, now,
                   f"third-party cause: {vendor}", metric=metric.value, cause="third_party")  # fmt: skip
        _public_reply(
            ticket, actor, now, THIRD_PARTY_TEXT.format(vendor=html.escape(vendor),
                                                        why=html.escape(why)),
        )  # fmt: skip
    return ticket


def do_exempt_breach(
    actor: User, ticket: Ticket, metric: str, *, reason: str, note: str = "", now=None,
    expected_version=None,
) -> Ticket:  # fmt: skip
    """Allure: "Allure is not responsible for any failure to meet performance standards
    caused by your misuse or misassignment of severity level designations". A support
    manager marks a breached clock exempt, naming one of the policy's reasons; the breach
    is then listed apart wherever breaches are counted."""
    now = _now(now)
    if actor.role not in (User.Role.MANAGER, User.Role.ADMIN):
        raise NotAllowed("only a support manager may mark a breach exempt")
    with _changing(actor, ticket, now, expected_version) as ticket:
        rule = ticket.policy.breach_exemption
        if rule is None:
            raise ActionError("reason", "policy_rule", f"{ticket.policy.title} exempts no breach")
        if reason not in rule.reasons:
            raise ActionError("reason", "choice", f"reason: {', '.join(rule.reasons)}")
        clock = ticket.clocks.filter(metric=metric).first()
        if clock is None:
            raise ActionError("metric", "exists", f"the ticket has no {metric} clock")
        if clock.exempt_reason:
            raise ActionError("metric", "not_exempt", f"the {metric} clock is already exempt")
        if clock.state != "breached" and not (clock.state == "running" and clock.due_at
                                              and clock.due_at <= now):  # fmt: skip
            raise ActionError("metric", "breached", f"the {metric} clock is not breached")
        text = reason + (f": {note.strip()}" if note.strip() else "")
        _event(ticket, TicketEvent.Kind.EXEMPTED, actor, now, text, metric=metric, cause=reason,
               policy_reason=reason)  # fmt: skip
    return ticket


OUT_OF_SCOPE_TEXT = {
    "plain": (
        "<p>This request is outside the scope of support: <strong>{item}</strong>. {note}</p>"
        "<hr><p>Esta solicitação está fora do escopo do suporte: <strong>{item}</strong>.</p>"
    ),
    "professional_services": (
        "<p>This request is outside the scope of support: <strong>{item}</strong>. {note}</p>"
        "<p>It is available as a professional service: reply or contact your account manager "
        "for a quote.</p><hr><p>Esta solicitação está fora do escopo do suporte: "
        "<strong>{item}</strong>. Ela está disponível como serviço profissional: responda ou "
        "fale com seu gerente de conta para um orçamento.</p>"
    ),
}


def do_answer_out_of_scope(
    actor: User, ticket: Ticket, category: str, *, note: str = "", now=None,
    expected_version=None,
) -> Ticket:  # fmt: skip
    """senhasegura §5.5 "The following items are not within the scope of support services
    (some of them may be purchased as Professional services...)": the agent answers with the
    item of the list; the answer refers to professional services where the document says
    "Professional Services Available", and the ticket is closed."""
    now = _now(now)
    _require_staff(actor, "answer that a request is out of scope")
    with _changing(actor, ticket, now, expected_version) as ticket:
        _refuse_closed(ticket)
        try:
            item = ticket.policy.category(category)
        except PolicyError as exc:
            raise ActionError("category", "defined_in_policy", str(exc)) from None
        if item.scope != "out_of_scope":
            raise ActionError("category", "out_of_scope", f"{item.name} is within scope")
        previous = ticket.category
        ticket.category = item.id
        if previous != item.id:
            # The note is told to the customer in the public answer below.
            _event(ticket, TicketEvent.Kind.CATEGORY, actor, now, note, field="category",
                   to=item.id, previous=previous, reason_public=True)  # fmt: skip
        body = OUT_OF_SCOPE_TEXT[item.referral or "plain"].format(
            item=html.escape(item.name), note=html.escape(note.strip())
        )
        _public_reply(ticket, actor, now, body)
        _event(ticket, TicketEvent.Kind.OUT_OF_SCOPE, actor, now, note, category=item.id,
               referral=item.referral or "", reason_public=True)  # fmt: skip
        closed = ticket.policy.status_for(StatusCategory.CLOSED)
        _set_status(ticket, closed.id, actor, now, f"out of scope: {item.name}")
    return ticket
