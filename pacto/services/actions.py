"""Every change to professional services. Each ``do_*`` is one transaction with its audit
event (``ServiceEvent``, and a line on the ticket's timeline) and its outbox rows.

The flow (senhasegura §13-§14, &money "Consultancy services are subject to prior approval by
Customer"): a service-request ticket → a quote (versioned while pending) → an authorized
contact's approval or decline (portal, API or the signed link in the email), recording who,
when and the exact version → visits on the calendar (``.ics`` invitations) → work logs,
split into business and off-hours time by the contract's calendar and priced by the engine;
time beyond the approved quote becomes an overrun quote that needs its own approval before
it is billed. Nothing is scheduled or logged before approval.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from email.utils import parseaddr

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation

from pacto.accounts.access import visible_tickets
from pacto.accounts.models import Organization, User, organization_language
from pacto.contracts.models import Contract, contract_end
from pacto.errors import ActionError, Conflict, NotAllowed, NotFound, one_of
from pacto.notifications.outbox import enqueue
from pacto.services.models import (
    EntitlementUse,
    Quote,
    QuoteLine,
    RateCard,
    RemoteSession,
    ServiceEvent,
    Visit,
    Waiver,
    WorkLog,
)
from pacto.sla.policy import CatalogueService, Policy, PolicyError
from pacto.sla.services import line_amount, price, split
from pacto.tickets.models import Ticket, TicketEvent
from pacto.times import aware_now as _now

SIGNING_SALT = "pacto.services.quote-decision"
MAX_WORK_LOG = dt.timedelta(hours=24)


# ----------------------------------------------------------------------------- plumbing


def _aware(value: dt.datetime | None, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ActionError(field, "required", f"{field}: a date and time is required")
    if timezone.is_naive(value):
        raise ActionError(field, "aware", f"{field}: the time must carry a time zone")
    return value


def _decimal(value, field: str, *, minimum: Decimal | None = None, maximum=None) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ActionError(field, "number", f"{field}: {value!r} is not a number") from None
    if not number.is_finite():
        raise ActionError(field, "number", f"{field}: {value!r} is not a finite number")
    if minimum is not None and number < minimum:
        raise ActionError(field, "minimum", f"{field}: must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise ActionError(field, "maximum", f"{field}: must be at most {maximum}")
    return number


def _require_staff(actor: User, what: str) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.is_staff_member):
        raise NotAllowed(f"only the vendor's staff {what}")


def _audit(organization, kind: str, actor, now, *, ticket=None, quote=None, **data):
    event = ServiceEvent.objects.create(
        organization=organization, ticket=ticket, quote=quote, actor=actor, kind=kind,
        data=data, at=now,
    )  # fmt: skip
    if ticket is not None:
        # A line on the ticket's timeline (customers and agents read it there).
        TicketEvent.objects.create(
            ticket=ticket, kind="service", actor=actor, at=now, data={"what": kind, **data}
        )
    return event


def _notify(kind: str, key: str, recipients, *, ticket=None, organization=None, **payload):
    enqueue(
        kind=kind,
        dedupe_key=f"services:{key}:{kind}",
        recipients=[r for r in recipients if r is not None],
        ticket=ticket,
        organization=organization,
        payload={**({"ticket": ticket.pk, "subject": ticket.subject} if ticket else {}), **payload},
    )


def _visible_ticket(actor: User, ticket: Ticket) -> Ticket:
    found = visible_tickets(actor).filter(pk=ticket.pk).select_related("contract").first()
    if found is None:
        raise NotFound("ticket")
    return found


def authorized_contacts(organization: Organization) -> list[User]:
    return list(
        User.objects.filter(
            organization=organization, role=User.Role.CONTACT, is_active=True, is_authorized=True
        ).order_by("-is_focal_point", "pk")
    )


def may_decide(user: User, quote: Quote) -> bool:
    """Only an authorized contact of the customer approves or declines its quotes (senhasegura
    §7.4: authorized users "request and authorize services")."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_contact
        and user.is_authorized
        and user.organization_id == quote.organization_id
    )


def visible_quotes(user: User):
    """Staff see every quote; an authorized contact or organization admin their own
    organization's; anyone else none."""
    quotes = Quote.objects.select_related("ticket", "contract", "organization")
    if not (user.is_authenticated and user.is_active):
        return quotes.none()
    if user.is_staff_member:
        return quotes
    if user.organization_id and (user.is_authorized or user.is_org_admin):
        return quotes.filter(organization_id=user.organization_id)
    return quotes.none()


def get_quote_for(user: User, pk: int) -> Quote:
    return one_of(visible_quotes(user), pk, "quote")


# ----------------------------------------------------------------------------- catalogue


def contract_policy(contract: Contract) -> Policy:
    return contract.policy


def catalogue_service(contract: Contract, code: str) -> CatalogueService:
    try:
        return contract_policy(contract).services.service(code)
    except PolicyError as exc:
        raise ActionError("service", "catalogue", str(exc)) from None


def rate_card_for(contract: Contract) -> RateCard | None:
    return RateCard.objects.filter(contract=contract).first()


def do_set_rate_card(
    actor: User,
    contract: Contract,
    *,
    day_rate,
    currency: str = "BRL",
    service_rates: dict | None = None,
    hours_per_day=None,
    off_hours_multiplier=None,
    logistics_pass_through: bool = True,
    now=None,
) -> RateCard:
    """A contract's rate card (managers). ``hours_per_day`` defaults to the policy's (8 in
    senhasegura §14); the off-hours multiplier to the policy's when it states one."""
    now = _now(now)
    if not (actor.is_authenticated and actor.is_manager):
        raise NotAllowed("only support managers set rate cards")
    spec = contract_policy(contract).services
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ActionError("currency", "iso4217", "currency: a three-letter code such as BRL")
    rates = {}
    for code, value in (service_rates or {}).items():
        catalogue_service(contract, code)
        rates[code] = str(_decimal(value, f"service_rates.{code}", minimum=Decimal(0)))
    values = {
        "currency": currency,
        "day_rate": _decimal(day_rate, "day_rate", minimum=Decimal(0), maximum=Decimal(10**11)),
        "service_rates": rates,
        "hours_per_day": _decimal(
            hours_per_day if hours_per_day not in (None, "") else spec.hours_per_day,
            "hours_per_day", minimum=Decimal("0.5"), maximum=Decimal(24),
        ),
        "off_hours_multiplier": _decimal(
            off_hours_multiplier
            if off_hours_multiplier not in (None, "")
            else spec.off_hours_multiplier or Decimal("1.5"),
            "off_hours_multiplier", minimum=Decimal(1), maximum=Decimal(10),
        ),
        "logistics_pass_through": bool(logistics_pass_through),
        "updated_at": now,
    }  # fmt: skip
    with transaction.atomic():
        card, _ = RateCard.objects.update_or_create(contract=contract, defaults=values)
        _audit(
            contract.organization, "rate_card_set", actor, now, contract=contract.service_contract_id,
            day_rate=str(card.day_rate), currency=card.currency,
            multiplier=str(card.off_hours_multiplier),
        )  # fmt: skip
    return card


# ----------------------------------------------------------------------------- entitlements


def contract_year(contract: Contract, day: dt.date) -> tuple[dt.date, dt.date]:
    """The contract year ``day`` falls in: from an anniversary of the start to the day
    before the next (senhasegura §5.2)."""
    start = contract.starts_on
    years = 0
    while contract_end(start, years + 1) < day:
        years += 1
    first = start if years == 0 else contract_end(start, years) + dt.timedelta(days=1)
    return first, contract_end(start, years + 1)


@dataclass(frozen=True)
class Entitlement:
    service: str
    name: str
    count: int
    used: int
    year_starts_on: dt.date
    year_ends_on: dt.date
    units: Decimal | None
    engineers: int
    cite: str | None

    @property
    def remaining(self) -> int:
        return max(self.count - self.used, 0)


def entitlements(contract: Contract, day: dt.date) -> list[Entitlement]:
    """The included services of the contract's plan, with this contract year's count and
    use. The contract's ``included_services`` (service code -> count) overrides the count
    the policy gives a plan."""
    policy = contract_policy(contract)
    overrides = {str(k): v for k, v in (contract.included_services or {}).items()}
    first, last = contract_year(contract, day)
    out = []
    for item in policy.services.included_for(contract.plan):
        count = int(overrides.get(item.service, item.count))
        used = EntitlementUse.objects.filter(
            contract=contract, service=item.service, year_starts_on=first
        ).count()
        service = policy.services.service(item.service)
        out.append(
            Entitlement(
                item.service,
                service.name,
                count,
                used,
                first,
                last,
                item.units,
                item.engineers,
                item.cite,
            )
        )
    return out


def entitlement_for(contract: Contract, code: str, day: dt.date) -> Entitlement | None:
    return next((e for e in entitlements(contract, day) if e.service == code), None)


# ----------------------------------------------------------------------------- requests


def do_request_service(
    actor: User,
    *,
    service: str,
    body: str,
    organization: Organization | None = None,
    requester: User | None = None,
    channel: str = Ticket.Channel.PORTAL,
    now=None,
) -> Ticket:
    """A service request ticket for a catalogue service (by an authorized contact, or by an
    agent on their behalf)."""
    from pacto.contracts.actions import active_contract
    from pacto.tickets.actions import do_open_ticket

    now = _now(now)
    who = requester or actor
    customer = organization or who.organization
    contract = active_contract(customer, now.date()) if customer else None
    if contract is None:
        raise ActionError("organization", "active_contract", "no active support contract")
    item = catalogue_service(contract, service)
    policy = contract_policy(contract)
    # A service request is not an outage: the channel's default, else the mildest severity.
    severity = policy.default_severity_for(channel) or policy.severities[-1].id
    with translation.override(organization_language(customer)):
        subject = translation.gettext("Service request: %(service)s") % {"service": item.name}
    with transaction.atomic():
        ticket = do_open_ticket(
            actor,
            subject=subject,
            body=body,
            organization=organization,
            requester=requester,
            type=Ticket.Type.SERVICE_REQUEST,
            channel=channel,
            severity=severity,
            now=now,
        )
        _audit(ticket.organization, "service_requested", actor, now, ticket=ticket, service=service)
    return ticket


def requested_service(ticket: Ticket) -> str | None:
    event = (
        ServiceEvent.objects.filter(ticket=ticket, kind="service_requested").order_by("at").first()
    )
    return (event.data or {}).get("service") if event else None


# ----------------------------------------------------------------------------- quotes


@dataclass(frozen=True)
class LineInput:
    description: str
    units: Decimal
    off_hours_share: Decimal = Decimal(0)
    service: str | None = None


def _lines(contract: Contract, service: CatalogueService, lines) -> list[LineInput]:
    if not lines:
        raise ActionError("lines", "required", "a quote needs at least one line")
    out = []
    for i, raw in enumerate(lines):
        data = raw if isinstance(raw, dict) else raw.__dict__
        where = f"lines[{i}]"
        code = data.get("service") or service.code
        item = catalogue_service(contract, code)
        units = _decimal(data.get("units"), f"{where}.units", minimum=Decimal("0.01"))
        if units > Decimal(1000):
            raise ActionError(f"{where}.units", "maximum", f"{where}.units: at most 1000")
        if item.minimum_units and units < item.minimum_units:
            raise ActionError(
                f"{where}.units", "minimum_units",
                f"{where}.units: {item.name} is quoted at {item.minimum_units} "
                f"{item.unit}s at least",
            )  # fmt: skip
        share = _decimal(
            data.get("off_hours_share") or 0, f"{where}.off_hours_share",
            minimum=Decimal(0), maximum=Decimal(1),
        )  # fmt: skip
        description = str(data.get("description") or item.name).strip()[:300]
        out.append(LineInput(description, units, share, code))
    return out


def _price_lines(quote: Quote, card: RateCard, lines: list[LineInput], included: str | None):
    """Write the quote's lines; the included service (while the entitlement lasts) at zero."""
    quote.lines.all().delete()
    total = Decimal(0)
    for line in lines:
        item = catalogue_service(quote.contract, line.service)
        rate = card.rate_for(item.code)
        free = included is not None and item.code == included
        amount = (
            Decimal("0.00")
            if free
            else line_amount(
                line.units, item.unit, day_rate=rate, hours_per_day=quote.hours_per_day,
                off_hours_share=line.off_hours_share,
                off_hours_multiplier=quote.off_hours_multiplier,
            )
        )  # fmt: skip
        QuoteLine.objects.create(
            quote=quote, service=item.code, description=line.description, units=line.units,
            unit=item.unit, day_rate=rate, off_hours_share=line.off_hours_share,
            included=free, amount=amount,
        )  # fmt: skip
        total += amount
    quote.total = total + quote.logistics


def _logistics(card: RateCard, logistics) -> Decimal:
    value = _decimal(logistics or 0, "logistics", minimum=Decimal(0))
    if value and not card.logistics_pass_through:
        raise ActionError(
            "logistics", "pass_through", "this contract's rate card passes no logistics through"
        )
    return value


def _valid_until(value, now: dt.datetime) -> dt.date:
    if not isinstance(value, dt.date):
        raise ActionError("valid_until", "required", "valid_until: a date is required")
    if value < now.date():
        raise ActionError("valid_until", "future", "valid_until: must not be in the past")
    return value


def snapshot(quote: Quote) -> dict:
    """What the customer sees of one version: the numbers an approval refers to."""
    return {
        "version": quote.version,
        "currency": quote.currency,
        "hours_per_day": str(quote.hours_per_day),
        "off_hours_multiplier": str(quote.off_hours_multiplier),
        "lines": [
            {
                "service": line.service, "description": line.description,
                "units": str(line.units), "unit": line.unit, "day_rate": str(line.day_rate),
                "off_hours_share": str(line.off_hours_share), "included": line.included,
                "amount": str(line.amount),
            }
            for line in quote.lines.all()
        ],
        "logistics": str(quote.logistics),
        "total": str(quote.total),
        "valid_until": quote.valid_until.isoformat(),
    }  # fmt: skip


def decision_token(quote: Quote, contact: User) -> str:
    """The signed link's token: this quote, this version, this contact."""
    return signing.dumps(
        {"q": quote.pk, "v": quote.version, "u": contact.pk}, salt=SIGNING_SALT, compress=True
    )


def read_decision_token(token: str) -> tuple[Quote, int, User]:
    """The quote, version and contact a signed link names; NotFound for a bad or old link
    (a link older than 90 days is refused whatever the quote's validity)."""
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=90 * 86400)
        quote = Quote.objects.select_related("ticket", "organization").get(pk=int(data["q"]))
        contact = User.objects.get(pk=int(data["u"]))
        return quote, int(data["v"]), contact
    except (signing.BadSignature, KeyError, TypeError, ValueError, Quote.DoesNotExist,
            User.DoesNotExist):  # fmt: skip
        raise NotFound("quote") from None


def decision_url(quote: Quote, contact: User) -> str:
    base = settings.PACTO_BASE_URL.rstrip("/")
    return f"{base}/services/quotes/decide/{decision_token(quote, contact)}/"


def _send_quote(quote: Quote, now: dt.datetime) -> None:
    for contact in authorized_contacts(quote.organization):
        _notify(
            "quote_sent",
            f"quote:{quote.pk}:v{quote.version}:{contact.pk}",
            [contact],
            ticket=quote.ticket,
            organization=quote.organization,
            quote=quote.reference, version=quote.version, title=quote.title,
            total=str(quote.total), currency=quote.currency,
            valid_until=quote.valid_until.isoformat(), url=decision_url(quote, contact),
        )  # fmt: skip


def do_create_quote(
    actor: User,
    ticket: Ticket,
    *,
    service: str,
    lines,
    valid_until: dt.date,
    logistics=0,
    logistics_note: str = "",
    note: str = "",
    now=None,
) -> Quote:
    """An agent's quote on a service-request ticket, sent to the customer's authorized
    contacts with a signed approval link each."""
    now = _now(now)
    _require_staff(actor, "prepare quotes")
    ticket = _visible_ticket(actor, ticket)
    if ticket.type != Ticket.Type.SERVICE_REQUEST:
        raise ActionError("ticket", "service_request", "quotes belong to service-request tickets")
    contract = ticket.contract
    card = rate_card_for(contract)
    if card is None:
        raise ActionError(
            "rate_card", "required", f"contract {contract.service_contract_id} has no rate card"
        )
    item = catalogue_service(contract, service)
    parsed = _lines(contract, item, lines)
    entitlement = entitlement_for(contract, item.code, now.date())
    included = item.code if entitlement and entitlement.remaining > 0 else None
    with transaction.atomic():
        quote = Quote.objects.create(
            ticket=ticket, contract=contract, organization=ticket.organization,
            service=item.code, title=item.name, currency=card.currency,
            hours_per_day=card.hours_per_day, off_hours_multiplier=card.off_hours_multiplier,
            logistics=_logistics(card, logistics), logistics_note=logistics_note[:200],
            valid_until=_valid_until(valid_until, now), note=note, created_by=actor,
            created_at=now, updated_at=now,
        )  # fmt: skip
        _price_lines(quote, card, parsed, included)
        quote.save()
        _audit(
            quote.organization, "quote_created", actor, now, ticket=ticket, quote=quote,
            reference=quote.reference, version=quote.version, total=str(quote.total),
            currency=quote.currency, included=bool(included),
        )  # fmt: skip
        _send_quote(quote, now)
    return quote


def do_revise_quote(
    actor: User,
    quote: Quote,
    *,
    lines,
    valid_until: dt.date,
    logistics=0,
    logistics_note: str = "",
    note: str = "",
    expected_version: int | None = None,
    now=None,
) -> Quote:
    """A new version of a pending quote; approval links of older versions stop working."""
    now = _now(now)
    _require_staff(actor, "revise quotes")
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if quote.status != Quote.Status.PENDING:
            raise ActionError("status", "pending", "only a quote waiting for approval changes")
        if expected_version is not None and expected_version != quote.version:
            raise Conflict(
                "version", "current", f"quote {quote.reference} is at version {quote.version}"
            )
        card = rate_card_for(quote.contract)
        item = catalogue_service(quote.contract, quote.service)
        parsed = _lines(quote.contract, item, lines)
        included = next((ln.service for ln in quote.lines.all() if ln.included), None)
        quote.logistics = _logistics(card, logistics)
        quote.logistics_note = logistics_note[:200]
        quote.valid_until = _valid_until(valid_until, now)
        quote.note = note
        quote.version += 1
        quote.updated_at = now
        _price_lines(quote, card, parsed, included)
        quote.save()
        _audit(
            quote.organization, "quote_revised", actor, now, ticket=quote.ticket, quote=quote,
            reference=quote.reference, version=quote.version, total=str(quote.total),
        )  # fmt: skip
        _send_quote(quote, now)
    return quote


def do_decide_quote(
    actor: User,
    quote: Quote,
    *,
    approve: bool,
    version: int,
    via: str = "portal",
    reason: str = "",
    now=None,
) -> Quote:
    """An authorized contact approves or declines one exact version of a quote."""
    now = _now(now)
    if not may_decide(actor, quote):
        raise NotAllowed(
            "only an authorized contact of the customer approves or declines its quotes",
            rule="authorized_contact",
        )
    if via not in ("portal", "email", "api"):
        raise ActionError("via", "choice", "via: portal, email or api")
    with transaction.atomic():
        quote = Quote.objects.select_for_update().select_related("ticket").get(pk=quote.pk)
        if quote.status != Quote.Status.PENDING:
            raise ActionError(
                "status", "pending",
                f"quote {quote.reference} is already {quote.get_status_display().lower()}",
            )  # fmt: skip
        if int(version) != quote.version:
            raise Conflict(
                "version", "current",
                f"quote {quote.reference} changed: version {quote.version} is the current one; "
                "review it before deciding",
            )  # fmt: skip
        if approve and quote.valid_until < timezone.localdate(now):
            raise ActionError(
                "valid_until", "valid", f"quote {quote.reference} expired on {quote.valid_until}"
            )
        if approve and any(line.included for line in quote.lines.all()):
            _reserve_entitlement(quote, now)
        quote.status = Quote.Status.APPROVED if approve else Quote.Status.DECLINED
        quote.decided_by = actor
        quote.decided_at = now
        quote.decided_version = quote.version
        quote.decided_via = via
        quote.decided_snapshot = snapshot(quote)
        quote.decision_reason = reason[:2000]
        quote.save()
        decision = "approved" if approve else "declined"
        _audit(
            quote.organization, f"quote_{decision}", actor, now, ticket=quote.ticket,
            quote=quote, reference=quote.reference, version=quote.version, via=via,
            total=str(quote.total),
        )  # fmt: skip
        _notify(
            "quote_decided", f"quote:{quote.pk}:decided", [quote.created_by, quote.ticket.assignee],
            ticket=quote.ticket, organization=quote.organization, quote=quote.reference,
            version=quote.version, title=quote.title, decision=decision, by=str(actor),
        )  # fmt: skip
    return quote


def _reserve_entitlement(quote: Quote, now: dt.datetime) -> None:
    entitlement = entitlement_for(quote.contract, quote.service, now.date())
    if entitlement is None or entitlement.remaining <= 0:
        raise ActionError(
            "service", "entitlement",
            f"the included {quote.title} of this contract year is already used; the quote "
            "needs a new version at the rate card's price",
        )  # fmt: skip
    try:
        with transaction.atomic():
            EntitlementUse.objects.create(
                contract=quote.contract, service=quote.service,
                year_starts_on=entitlement.year_starts_on, ordinal=entitlement.used + 1,
                quote=quote, reserved_at=now,
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(
            "service", "entitlement", f"the included {quote.title} was just taken by another quote"
        ) from None


def do_withdraw_quote(actor: User, quote: Quote, *, now=None) -> Quote:
    now = _now(now)
    _require_staff(actor, "withdraw quotes")
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if quote.status != Quote.Status.PENDING:
            raise ActionError("status", "pending", "only a quote waiting for approval is withdrawn")
        quote.status = Quote.Status.WITHDRAWN
        quote.updated_at = now
        quote.save()
        _audit(
            quote.organization, "quote_withdrawn", actor, now, ticket=quote.ticket, quote=quote,
            reference=quote.reference,
        )  # fmt: skip
    return quote


def _require_approved(quote: Quote, what: str) -> None:
    if quote.status != Quote.Status.APPROVED:
        raise ActionError(
            "quote", "approved",
            f"quote {quote.reference} is not approved: nothing is {what} before the customer's "
            "approval",
        )  # fmt: skip


# ----------------------------------------------------------------------------- schedule


def ics_invitation(visit: Visit, quote: Quote, organizer: str) -> str:
    """An iCalendar REQUEST for a visit (RFC 5545), stable UID, SEQUENCE bumped on change."""
    from icalendar import Calendar, Event, vCalAddress

    cal = Calendar()
    cal.add("prodid", "-//Pacto//Professional services//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"visit-{visit.pk}@{settings.PACTO_EMAIL_DOMAIN}")
    event.add("sequence", visit.sequence)
    event.add("dtstamp", visit.created_at.astimezone(dt.UTC))
    # In UTC: every client reads it without a VTIMEZONE block.
    starts = visit.starts_at.astimezone(dt.UTC)
    event.add("dtstart", starts)
    event.add("dtend", starts + dt.timedelta(minutes=visit.minutes))
    event.add("summary", f"{quote.title} ({quote.organization}) — #{quote.ticket_id}")
    mode = "On site" if visit.mode == Visit.Mode.ON_SITE else "Remote"
    event.add("description", f"{mode}. Quote {quote.reference}, ticket #{quote.ticket_id}.")
    if visit.location:
        event.add("location", visit.location)
    event.add("organizer", vCalAddress(f"mailto:{parseaddr(organizer)[1] or organizer}"))
    for person in (visit.engineer, quote.ticket.requester):
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = str(person)
        event.add("attendee", attendee)
    cal.add_component(event)
    return cal.to_ical().decode()


def do_schedule_visit(
    actor: User,
    quote: Quote,
    *,
    starts_at: dt.datetime,
    minutes: int,
    engineer: User,
    mode: str = Visit.Mode.REMOTE,
    location: str = "",
    now=None,
) -> Visit:
    """Approved work on the calendar, by an agent or the customer's authorized contact in
    the portal; the engineer and the requester get a calendar invitation."""
    now = _now(now)
    if not actor.is_staff_member and not may_decide(actor, quote):
        raise NotAllowed("only staff and the customer's authorized contacts schedule services")
    starts_at = _aware(starts_at, "starts_at")
    if not isinstance(minutes, int) or not 15 <= minutes <= 24 * 60:
        raise ActionError("minutes", "range", "minutes: between 15 and 1440")
    if mode not in Visit.Mode.values:
        raise ActionError("mode", "choice", "mode: remote or on_site")
    if engineer is None or not engineer.is_staff_member or not engineer.is_active:
        raise ActionError("engineer", "staff", "engineer: one of the vendor's active staff")
    with transaction.atomic():
        quote = Quote.objects.select_for_update().select_related("ticket").get(pk=quote.pk)
        _require_approved(quote, "scheduled")
        visit = Visit.objects.create(
            quote=quote, starts_at=starts_at, minutes=minutes, mode=mode,
            location=location[:300], engineer=engineer, created_by=actor, created_at=now,
        )  # fmt: skip
        _audit(
            quote.organization, "visit_scheduled", actor, now, ticket=quote.ticket, quote=quote,
            starts_at=starts_at.isoformat(), minutes=minutes, mode=mode,
            engineer=engineer.email,
        )  # fmt: skip
        ics = ics_invitation(visit, quote, settings.DEFAULT_FROM_EMAIL)
        _notify(
            "visit_scheduled", f"visit:{visit.pk}:{visit.sequence}",
            [engineer, quote.ticket.requester], ticket=quote.ticket,
            organization=quote.organization, title=quote.title,
            starts_at=starts_at.isoformat(), mode=str(Visit.Mode(mode).label), ics=ics,
        )  # fmt: skip
    return visit


# ----------------------------------------------------------------------------- work logs


def waiver_required(ticket: Ticket, activity: str) -> bool:
    waiver = contract_policy(ticket.contract).services.waiver
    return waiver is not None and activity in waiver.required_for


def accepted_waiver(ticket: Ticket) -> Waiver | None:
    return Waiver.objects.filter(ticket=ticket, accepted_at__isnull=False).first()


def logged_hours(quote: Quote) -> Decimal:
    totals = WorkLog.objects.filter(quote=quote).aggregate(
        b=Sum("business_minutes"), o=Sum("off_hours_minutes")
    )
    return ((totals["b"] or 0) + (totals["o"] or 0)) / Decimal(60)


def _check_log(actor, engineer, starts_at, ends_at, activity, mode, now):
    _require_staff(actor, "log work")
    engineer = engineer or actor
    if not engineer.is_staff_member:
        raise ActionError("engineer", "staff", "engineer: one of the vendor's staff")
    starts_at, ends_at = _aware(starts_at, "starts_at"), _aware(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise ActionError("ends_at", "after_start", "ends_at: must be after starts_at")
    if ends_at - starts_at > MAX_WORK_LOG:
        raise ActionError("ends_at", "range", "log at most 24 hours at a time")
    if ends_at > now + dt.timedelta(minutes=5):
        raise ActionError("ends_at", "past", "ends_at: work is logged once done, not ahead")
    if activity not in WorkLog.Activity.values:
        raise ActionError("activity", "choice", f"activity: {', '.join(WorkLog.Activity.values)}")
    if mode not in Visit.Mode.values:
        raise ActionError("mode", "choice", "mode: remote or on_site")
    return engineer, starts_at, ends_at


def _check_waiver(ticket: Ticket, activity: str) -> None:
    if waiver_required(ticket, activity) and accepted_waiver(ticket) is None:
        raise ActionError(
            "activity", "waiver",
            "a configuration change on customer equipment needs the modification waiver "
            "accepted by an authorized contact first (request it on the ticket)",
        )  # fmt: skip


def do_log_support_work(
    actor: User,
    ticket: Ticket,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    activity: str = WorkLog.Activity.WORK,
    mode: str = Visit.Mode.REMOTE,
    description: str = "",
    engineer: User | None = None,
    now=None,
) -> WorkLog:
    """Support work on a ticket, outside any quote: recorded and split, never billed. A
    configuration change still needs the policy's waiver first (Xecuritas)."""
    now = _now(now)
    engineer, starts_at, ends_at = _check_log(
        actor, engineer, starts_at, ends_at, activity, mode, now
    )
    with transaction.atomic():
        ticket = _visible_ticket(actor, ticket)
        _check_waiver(ticket, activity)
        parts = split(contract_policy(ticket.contract).services_calendar(), starts_at, ends_at)
        log = WorkLog.objects.create(
            ticket=ticket, quote=None, organization=ticket.organization, engineer=engineer,
            starts_at=starts_at, ends_at=ends_at, activity=activity, mode=mode,
            description=description[:5000],
            business_minutes=Decimal(parts.business_us) / 60_000_000,
            off_hours_minutes=Decimal(parts.off_hours_us) / 60_000_000,
            day_rate=Decimal(0), hours_per_day=Decimal(8), off_hours_multiplier=Decimal(1),
            amount=Decimal("0.00"), billing=WorkLog.Billing.SUPPORT, created_at=now,
        )  # fmt: skip
        _audit(
            ticket.organization, "work_logged", actor, now, ticket=ticket,
            starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat(), activity=activity,
            business_minutes=parts.business_minutes, off_hours_minutes=parts.off_hours_minutes,
            amount="0.00", billing=WorkLog.Billing.SUPPORT,
        )  # fmt: skip
    return log


def do_log_service_work(
    actor: User,
    quote: Quote,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    activity: str = WorkLog.Activity.WORK,
    mode: str = Visit.Mode.REMOTE,
    description: str = "",
    logistics=0,
    engineer: User | None = None,
    now=None,
) -> list[WorkLog]:
    """Work on an approved quote, split by the contract's services calendar and priced.
    The part beyond the approved time is its own log, flagged, with an overrun quote for
    the customer to approve before it is billed. Returns the logs written (one or two)."""
    now = _now(now)
    engineer, starts_at, ends_at = _check_log(
        actor, engineer, starts_at, ends_at, activity, mode, now
    )
    with transaction.atomic():
        quote = (
            Quote.objects.select_for_update()
            .select_related("ticket", "contract", "contract__policy_version")
            .get(pk=quote.pk)
        )
        if quote.kind != Quote.Kind.SERVICE:
            raise ActionError("quote", "service", "log work on the service quote, not an overrun")
        _require_approved(quote, "logged as billable")
        ticket = quote.ticket
        _check_waiver(ticket, activity)
        card = rate_card_for(quote.contract)
        logistics_value = _logistics(card, logistics) if card else Decimal(0)
        remaining = quote.approved_hours() - logged_hours(quote)
        total_hours = Decimal((ends_at - starts_at).total_seconds()) / 3600
        pieces: list[tuple[dt.datetime, dt.datetime, bool]] = []
        if total_hours <= remaining:
            pieces.append((starts_at, ends_at, False))
        elif remaining <= 0:
            pieces.append((starts_at, ends_at, True))
        else:
            cut = starts_at + dt.timedelta(seconds=round(remaining * 3600))
            pieces += [(starts_at, cut, False), (cut, ends_at, True)]
        included = any(line.included for line in quote.lines.all())
        rate = quote.lines.first().day_rate
        calendar = contract_policy(quote.contract).services_calendar()
        logs = []
        for i, (a, b, over) in enumerate(pieces):
            priced = price(
                calendar, a, b, day_rate=rate, hours_per_day=quote.hours_per_day,
                off_hours_multiplier=quote.off_hours_multiplier,
            )  # fmt: skip
            billing = (
                WorkLog.Billing.OVER_QUOTE
                if over
                else WorkLog.Billing.INCLUDED
                if included
                else WorkLog.Billing.BILLABLE
            )
            log = WorkLog.objects.create(
                ticket=ticket, quote=quote, organization=quote.organization, engineer=engineer,
                starts_at=a, ends_at=b, activity=activity, mode=mode,
                description=description[:5000],
                business_minutes=Decimal(priced.split.business_us) / 60_000_000,
                off_hours_minutes=Decimal(priced.split.off_hours_us) / 60_000_000,
                day_rate=rate, hours_per_day=quote.hours_per_day,
                off_hours_multiplier=quote.off_hours_multiplier,
                amount=Decimal("0.00") if billing == WorkLog.Billing.INCLUDED else priced.amount,
                logistics=logistics_value if i == 0 else Decimal(0), billing=billing,
                created_at=now,
            )  # fmt: skip
            if over:
                log.overrun = _overrun_quote(actor, quote, log, priced, now)
                log.save(update_fields=["overrun"])
            logs.append(log)
            _audit(
                quote.organization, "work_logged", actor, now, ticket=ticket, quote=quote,
                starts_at=a.isoformat(), ends_at=b.isoformat(), activity=activity,
                business_minutes=priced.split.business_minutes,
                off_hours_minutes=priced.split.off_hours_minutes, amount=str(log.amount),
                billing=billing,
            )  # fmt: skip
        if included:
            EntitlementUse.objects.filter(quote=quote, delivered_at__isnull=True).update(
                delivered_at=now
            )
    return logs


def _overrun_quote(actor, quote: Quote, log: WorkLog, priced, now) -> Quote:
    """The additional time as a quote of its own, priced exactly as the log was, waiting
    for the customer's approval."""
    hours = Decimal(priced.split.business_us + priced.split.off_hours_us) / 3_600_000_000
    share = (
        Decimal(priced.split.off_hours_us)
        / Decimal(priced.split.business_us + priced.split.off_hours_us)
    ).quantize(Decimal("0.001"))
    overrun = Quote.objects.create(
        ticket=quote.ticket, contract=quote.contract, organization=quote.organization,
        kind=Quote.Kind.OVERRUN, parent=quote, service=quote.service,
        title=f"{quote.title}: additional time", currency=quote.currency,
        hours_per_day=quote.hours_per_day, off_hours_multiplier=quote.off_hours_multiplier,
        valid_until=(now + dt.timedelta(days=30)).date(), created_by=actor, created_at=now,
        updated_at=now, total=priced.amount,
    )  # fmt: skip
    QuoteLine.objects.create(
        quote=overrun, service=quote.service, description="Time beyond the approved quote",
        units=hours.quantize(Decimal("0.01")), unit=QuoteLine.Unit.HOUR, day_rate=log.day_rate,
        off_hours_share=share, amount=priced.amount,
    )  # fmt: skip
    _audit(
        quote.organization, "overrun_flagged", actor, now, ticket=quote.ticket, quote=overrun,
        reference=overrun.reference, parent=quote.reference, hours=str(hours.quantize(Decimal("0.01"))),
        total=str(overrun.total),
    )  # fmt: skip
    for contact in authorized_contacts(quote.organization):
        _notify(
            "overrun_flagged", f"quote:{overrun.pk}:v1:{contact.pk}", [contact],
            ticket=quote.ticket, organization=quote.organization, quote=overrun.reference,
            title=quote.title, hours=str(hours.quantize(Decimal("0.01"))),
            total=str(overrun.total), url=decision_url(overrun, contact),
        )  # fmt: skip
    return overrun


# ----------------------------------------------------------------------------- remote sessions


def session_limit(ticket: Ticket) -> int | None:
    """The policy's remote-session limit in minutes (senhasegura: 30), or None."""
    policy = contract_policy(ticket.contract)
    rs = policy.services.remote_sessions
    if rs is None or rs.limit is None:
        return None
    return int(rs.limit.length(policy.calendar()).total_seconds() // 60)


def do_propose_session(
    actor: User,
    ticket: Ticket,
    *,
    starts_at: dt.datetime,
    minutes: int,
    tool: str,
    link: str = "",
    prepare: str = "",
    now=None,
) -> RemoteSession:
    now = _now(now)
    _require_staff(actor, "propose remote sessions")
    ticket = _visible_ticket(actor, ticket)
    starts_at = _aware(starts_at, "starts_at")
    limit = session_limit(ticket)
    if not isinstance(minutes, int) or minutes < 5:
        raise ActionError("minutes", "range", "minutes: at least 5")
    if limit is not None and minutes > limit:
        raise ActionError(
            "minutes", "policy_limit", f"minutes: the policy limits remote sessions to {limit}"
        )
    if minutes > 8 * 60:
        raise ActionError("minutes", "range", "minutes: at most 480")
    tool = (tool or "").strip()
    if not tool:
        raise ActionError("tool", "required", "tool: name the remote access tool")
    if link and not link.startswith(("https://", "http://")):
        raise ActionError("link", "url", "link: an http(s) address")
    rs = contract_policy(ticket.contract).services.remote_sessions
    prepare = prepare.strip() or (rs.prepare if rs else "")
    with transaction.atomic():
        session = RemoteSession.objects.create(
            ticket=ticket, organization=ticket.organization, engineer=actor,
            starts_at=starts_at, minutes=minutes, tool=tool[:100], link=link[:300],
            prepare=prepare, limit_minutes=limit, created_at=now,
        )  # fmt: skip
        _audit(
            ticket.organization, "remote_session_proposed", actor, now, ticket=ticket,
            session=session.pk, starts_at=starts_at.isoformat(), minutes=minutes, tool=tool,
        )  # fmt: skip
        _notify(
            "remote_session_proposed", f"session:{session.pk}", [ticket.requester],
            ticket=ticket, organization=ticket.organization, minutes=minutes, tool=tool,
            prepare=prepare, starts_at=starts_at.isoformat(),
        )  # fmt: skip
    return session


def _session(actor: User, session: RemoteSession) -> RemoteSession:
    _visible_ticket(actor, session.ticket)
    return RemoteSession.objects.select_for_update().select_related("ticket").get(pk=session.pk)


def do_answer_session(
    actor: User, session: RemoteSession, *, accept: bool, note: str = "", now=None
) -> RemoteSession:
    """The customer accepts the proposed time or asks for another one."""
    now = _now(now)
    if actor.is_staff_member or not actor.is_authorized:
        raise NotAllowed("the customer's authorized contacts answer remote-session proposals")
    with transaction.atomic():
        session = _session(actor, session)
        if session.status not in (RemoteSession.Status.PROPOSED,):
            raise ActionError("status", "proposed", "this session was already answered")
        if not accept and not note.strip():
            raise ActionError("note", "required", "note: say which time suits you")
        session.status = (
            RemoteSession.Status.ACCEPTED if accept else RemoteSession.Status.RESCHEDULE
        )
        session.answered_by, session.answered_at = actor, now
        session.customer_note = note[:2000]
        session.save()
        answer = "accepted" if accept else "asked for another time"
        _audit(
            session.organization, "remote_session_answered", actor, now, ticket=session.ticket,
            session=session.pk, answer="accepted" if accept else "reschedule", note=note[:500],
        )  # fmt: skip
        _notify(
            "remote_session_answered", f"session:{session.pk}:answer", [session.engineer],
            ticket=session.ticket, organization=session.organization, answer=answer,
        )  # fmt: skip
    return session


def do_start_session(actor: User, session: RemoteSession, *, now=None) -> RemoteSession:
    now = _now(now)
    _require_staff(actor, "start remote sessions")
    with transaction.atomic():
        session = _session(actor, session)
        if session.status != RemoteSession.Status.ACCEPTED:
            raise ActionError("status", "accepted", "the customer has not accepted this session")
        session.status, session.started_at = RemoteSession.Status.RUNNING, now
        session.save()
        _audit(
            session.organization, "remote_session_started", actor, now, ticket=session.ticket,
            session=session.pk,
        )  # fmt: skip
    return session


def session_warning(session: RemoteSession, now: dt.datetime) -> str | None:
    """The engineer's warning when a session runs (or ran) over the policy's limit."""
    if session.limit_minutes is None or session.started_at is None:
        return None
    end = session.ended_at or now
    ran = (end - session.started_at).total_seconds() / 60
    if ran > session.limit_minutes:
        return (
            f"This remote session ran {ran:.0f} minutes, over the policy's limit of "
            f"{session.limit_minutes} minutes."
        )
    return None


def do_end_session(
    actor: User, session: RemoteSession, *, notes: str = "", now=None
) -> tuple[RemoteSession, str | None]:
    """End a running session with its notes; returns the over-limit warning, if any."""
    now = _now(now)
    _require_staff(actor, "end remote sessions")
    with transaction.atomic():
        session = _session(actor, session)
        if session.status != RemoteSession.Status.RUNNING:
            raise ActionError("status", "running", "this session is not running")
        session.status, session.ended_at, session.notes = RemoteSession.Status.ENDED, now, notes
        session.save()
        warning = session_warning(session, now)
        ran = round((now - session.started_at).total_seconds() / 60)
        _audit(
            session.organization, "remote_session_ended", actor, now, ticket=session.ticket,
            session=session.pk, minutes=ran, over_limit=warning is not None,
            limit=session.limit_minutes, notes=notes[:500],
        )  # fmt: skip
    return session, warning


def sweep_remote_sessions(now: dt.datetime) -> dict:
    """Warn each engineer, once, whose running session passed the policy's limit."""
    warned = 0
    running = RemoteSession.objects.filter(
        status=RemoteSession.Status.RUNNING,
        limit_minutes__isnull=False,
        over_limit_warned_at__isnull=True,
    ).select_related("ticket")
    for session in running:
        if session.started_at + dt.timedelta(minutes=session.limit_minutes) >= now:
            continue
        with transaction.atomic():
            updated = RemoteSession.objects.filter(
                pk=session.pk, over_limit_warned_at__isnull=True
            ).update(over_limit_warned_at=now)
            if not updated:
                continue
            _audit(
                session.organization, "remote_session_over_limit", None, now,
                ticket=session.ticket, session=session.pk, limit=session.limit_minutes,
            )  # fmt: skip
            _notify(
                "remote_session_over_limit", f"session:{session.pk}:over", [session.engineer],
                ticket=session.ticket, organization=session.organization,
                limit=session.limit_minutes,
            )  # fmt: skip
            warned += 1
    return {"warned": warned}


# ----------------------------------------------------------------------------- waivers


def do_request_waiver(actor: User, ticket: Ticket, *, now=None) -> Waiver:
    """Ask the customer to accept the policy's modification waiver (Xecuritas)."""
    now = _now(now)
    _require_staff(actor, "request modification waivers")
    ticket = _visible_ticket(actor, ticket)
    spec = contract_policy(ticket.contract).services.waiver
    if spec is None:
        raise ActionError("ticket", "policy_waiver", "this ticket's policy has no waiver")
    existing = Waiver.objects.filter(ticket=ticket).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        waiver = Waiver.objects.create(
            ticket=ticket, organization=ticket.organization, text=" ".join(spec.text.split()),
            requested_by=actor, requested_at=now,
        )  # fmt: skip
        _audit(ticket.organization, "waiver_requested", actor, now, ticket=ticket, waiver=waiver.pk)
        _notify(
            "waiver_requested", f"waiver:{waiver.pk}", authorized_contacts(ticket.organization),
            ticket=ticket, organization=ticket.organization,
        )  # fmt: skip
    return waiver


def do_accept_waiver(actor: User, waiver: Waiver, *, text: str, now=None) -> Waiver:
    """An authorized contact accepts the exact text shown (who, when, the text)."""
    now = _now(now)
    if (
        actor.is_staff_member
        or not actor.is_authorized
        or actor.organization_id != waiver.organization_id
    ):
        raise NotAllowed("only an authorized contact of the customer accepts the waiver")
    with transaction.atomic():
        _visible_ticket(actor, waiver.ticket)
        waiver = Waiver.objects.select_for_update().select_related("ticket").get(pk=waiver.pk)
        if waiver.accepted_at is not None:
            raise ActionError("waiver", "pending", "this waiver is already accepted")
        if " ".join((text or "").split()) != waiver.text:
            raise ActionError("text", "exact", "text: accept the waiver's exact text as shown")
        waiver.accepted_by, waiver.accepted_at, waiver.accepted_text = actor, now, waiver.text
        waiver.save()
        _audit(
            waiver.organization, "waiver_accepted", actor, now, ticket=waiver.ticket,
            waiver=waiver.pk,
        )  # fmt: skip
        _notify(
            "waiver_accepted", f"waiver:{waiver.pk}:accepted", [waiver.requested_by],
            ticket=waiver.ticket, organization=waiver.organization, by=str(actor),
        )  # fmt: skip
    return waiver
