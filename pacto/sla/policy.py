"""Support policies as versioned YAML files, validated by pydantic.

A policy file says everything a published support policy promises: calendars, plans,
severities with their definitions and examples, channels, statuses and which clocks they
pause, first-response / resolution / periodic-update targets by severity x plan x channel x
environment, lifecycle rules (auto-solve, auto-close, reopen window), escalation and
warnings, on-call paging and the availability commitment. Every rule may carry ``cite``:
the sentence or table of the source document it implements.

Errors name the file, the field path and the rule, e.g.::

    senhasegura.yaml: targets[3].calendar: calendar 'bussiness' is not defined
    (defined: business, always)
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from pacto.sla.calendar import Calendar, CalendarError, WeeklyHours
from pacto.sla.holiday_rules import (
    AnnualRule,
    EasterRule,
    HolidayError,
    HolidaySet,
    WeekdayRule,
    dates_from_ical,
)
from pacto.sla.units import Duration, DurationError

PRESETS = Path(__file__).parent / "presets"
SCHEMA_ID = "pacto/policy/v1"


class PolicyError(ValueError):
    """A policy that cannot be loaded; the message names the file, the field and the rule."""


class Metric(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"
    PERIODIC_UPDATE = "periodic_update"


class StatusCategory(StrEnum):
    """Pacto's canonical statuses; a policy maps its own names onto these."""

    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    WAITING_ON_THIRD_PARTY = "waiting_on_third_party"
    SOLVED = "solved"
    CLOSED = "closed"


CHANNELS = ("portal", "email", "phone", "api")
ENVIRONMENTS = ("production", "non-production")
TICKET_TYPES = (
    "problem", "question", "feature_request", "access_request", "service_request", "notice",
)  # fmt: skip


def _defined[T](where: str, kind: str, wanted: str, items: list[T], key: str = "id") -> T:
    """The one of ``items`` whose ``key`` is ``wanted``; else an error naming those defined."""
    for item in items:
        if getattr(item, key) == wanted:
            return item
    known = ", ".join(getattr(item, key) for item in items) or "none"
    raise PolicyError(f"{where}: {kind} {wanted!r} is not defined (defined: {known})")


def _duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    try:
        return Duration.parse(value)
    except DurationError as exc:
        raise ValueError(str(exc)) from exc


DurationField = Annotated[Duration, BeforeValidator(_duration), PlainSerializer(str)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ----------------------------------------------------------------------------- calendars


class AnnualHoliday(Strict):
    date: Annotated[str, Field(pattern=r"^\d{2}-\d{2}$", description="MM-DD, every year")]
    name: str
    observed: Literal["nearest_weekday"] | None = Field(
        None, description="nearest_weekday: on a Saturday observed Friday, on a Sunday Monday"
    )
    cite: str | None = None


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class WeekdayHoliday(Strict):
    """The nth weekday of a month (Thanksgiving: the 4th Thursday of November)."""

    month: Annotated[int, Field(ge=1, le=12)]
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    nth: Annotated[int, Field(ge=-1, le=5, description="1..5, or -1 for the last")]
    offset_days: int = Field(0, description="days after that weekday (the day after: 1)")
    name: str
    cite: str | None = None

    @field_validator("nth")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("nth is 1..5 or -1 (the last), not 0")
        return value


class EasterHoliday(Strict):
    offset: Annotated[int, Field(description="days after Easter Sunday (negative: before)")]
    name: str
    cite: str | None = None


class HolidaysSpec(Strict):
    country: str | None = Field(None, description="ISO 3166 code known to the holidays package")
    subdivision: str | None = None
    categories: list[str] = ["public"]
    dates: dict[dt.date, str] = Field(default_factory=dict, description="explicit dates")
    annual: list[AnnualHoliday] = []
    easter: list[EasterHoliday] = []
    weekday: list[WeekdayHoliday] = []
    dates_replace_rules: bool = Field(
        False,
        description="a year the explicit dates cover takes only those dates; the yearly, "
        "weekday and Easter rules fill the other years",
    )
    remove: list[str] = Field([], description="names of country holidays the vendor works")
    ical: str | None = Field(None, description="iCal file of closures, relative to the policy")
    cite: str | None = None


class CalendarSpec(Strict):
    timezone: str
    hours: dict[str, list[str]] | Literal["24x7"] = Field(
        description="'24x7' or weekday (mon, mon-fri, weekdays, daily…) -> ['HH:MM-HH:MM', …]"
    )
    holidays: HolidaysSpec = HolidaysSpec()
    business_day: DurationField | None = Field(
        None, description="length of one business day; default: the usual working day"
    )
    description: str | None = None
    cite: str | None = None


# ----------------------------------------------------------------------------- people & plans


class Severity(Strict):
    id: str
    name: str
    label: str | None = Field(None, description="the document's own code, e.g. C1")
    definition: str
    examples: list[str] = []
    aliases: list[str] = Field(
        [],
        description="other words customers write for it, English and Portuguese "
        "('critical', 'crítico', 'P1'): an email subject naming one proposes this severity",
    )
    pages_on_call: bool = Field(False, description="a new ticket pages the on-call engineer")
    requires_phone_call: bool = Field(
        False, description="the document only guarantees this severity's times with a call"
    )
    cite: str | None = None


class Plan(Strict):
    id: str
    name: str
    description: str | None = None
    coverage: dict[str, str] = Field(
        default_factory=dict,
        description="severity id (or 'default') -> calendar when support staff are reachable",
    )
    included_services: list[str] = []
    cite: str | None = None


class Status(Strict):
    id: str
    name: str
    category: StatusCategory
    pauses: list[Metric] = Field([], description="clocks that do not run in this status")
    description: str | None = None
    cite: str | None = None


# ----------------------------------------------------------------------------- targets


class Match(Strict):
    """Which tickets a rule applies to; an omitted field matches anything."""

    severity: list[str] | None = None
    plan: list[str] | None = None
    channel: list[str] | None = None
    environment: list[str] | None = None
    type: list[str] | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def matches(self, facts: TicketFacts) -> bool:
        return all(
            allowed is None or getattr(facts, name) in allowed
            for name, allowed in (
                ("severity", self.severity),
                ("plan", self.plan),
                ("channel", self.channel),
                ("environment", self.environment),
                ("type", self.type),
            )
        )

    def describe(self) -> str:
        parts = [
            f"{name} {' or '.join(values)}"
            for name, values in self.model_dump(exclude_none=True).items()
        ]
        return ", ".join(parts) or "every ticket"


class Target(Strict):
    """One row of the policy's target table. The first matching row wins."""

    metric: Metric
    when: Match = Match()
    target: DurationField | None = Field(description="null: the policy sets no target")
    calendar: str | None = Field(None, description="default: the policy's default calendar")
    warn_at: list[float | DurationField] = Field(
        [], description="warnings: a share of the target (0.75) or a duration (4h)"
    )
    cite: str | None = None


# ----------------------------------------------------------------------------- lifecycle


class Reopen(Strict):
    allowed_within: DurationField | None = Field(None, description="after solved; null: always")
    resolution_clock: Literal["resume", "new_cycle"] = "resume"
    cite: str | None = None


class LifecycleRule(Strict):
    """An automatic status change: ``from_status`` for ``after`` (or ``followups``) → ``to``."""

    id: str
    from_status: str
    to_status: str
    after: DurationField | None = None
    calendar: str | None = None
    followups: int | None = Field(None, description="after this many unanswered reminders")
    remind_every: DurationField | None = None
    answer_within: DurationField | None = Field(
        None, description="how long the last follow-up waits for an answer; default remind_every"
    )
    on_customer_reply: Literal["stop", "reopen"] | None = Field(
        None,
        description="a customer reply in from_status stops the countdown (until the vendor "
        "replies again) or reopens the ticket",
    )
    only_when: Literal["details_requested", "resolution_proposed"] | None = None
    cite: str | None = None

    @model_validator(mode="after")
    def _has_trigger(self) -> LifecycleRule:
        if self.after is None and self.followups is None:
            raise ValueError("a lifecycle rule needs 'after' or 'followups'")
        if self.followups is not None and self.remind_every is None:
            raise ValueError("'followups' needs 'remind_every' (how often to remind)")
        if self.answer_within is not None and self.followups is None:
            raise ValueError("'answer_within' needs 'followups' (it follows the last follow-up)")
        return self


class BreachAction(Strict):
    metric: Metric
    when: Match = Match()
    raise_level: bool = True
    notify: list[Literal["assignee", "support_managers", "account_manager", "requester"]] = [
        "support_managers"
    ]
    move_to_line: Literal["first", "second"] | None = None
    cite: str | None = None


class Escalation(Strict):
    warn_at: list[float] = Field([0.75], description="default warning shares of every target")
    on_breach: list[BreachAction] = []
    customer_may_escalate: bool = True
    customer_escalation_notifies: list[
        Literal["account_manager", "support_managers", "assignee"]
    ] = Field(["account_manager"], description="whom a customer's escalation notifies")
    cite: str | None = None


class SupportLines(Strict):
    """When a ticket moves from first to second line (fidelity of the escalation rules)."""

    second_line_when: str | None = Field(
        None, description="the document's condition for second line, shown to the agent"
    )
    move_on_breach: bool = Field(
        True,
        description="a breach rule's move_to_line moves the ticket by itself; false: only an "
        "agent moves it, with a reason",
    )
    cite: str | None = None


class Paging(Strict):
    acknowledge_within: DurationField = Duration.parse("15 min")
    repages: int = 1
    then: Literal["next_tier", "support_managers"] = "next_tier"
    channels: list[Literal["portal", "email", "phone", "api"]] | None = Field(
        None, description="channels whose new tickets page; null: every channel"
    )
    cite: str | None = None


class SeverityChanges(Strict):
    upgrade_requires_justification: bool = False
    downgrade_requires_reason: bool = True
    notify_customer: bool = True
    cite: str | None = None


class CreditTier(Strict):
    """A service credit: a share of the monthly fee when the figure falls below a level."""

    below_percent: Annotated[float, Field(gt=0, le=100)]
    credit_percent: Annotated[float, Field(ge=0, le=100)]
    cite: str | None = None


class Availability(Strict):
    target_percent: Annotated[float, Field(gt=0, le=100)]
    calendar: str
    interval: DurationField = Field(
        validation_alias=AliasChoices("interval", "sample_every"),
        description="one measurement per slot of this length, on a UTC grid",
    )
    excludes: list[str] = ["announced_service_windows"]
    period: Literal["month"] = "month"
    unknown: Literal["exclude", "down"] = Field(
        "exclude",
        description="slots without a result, or with an unknown one: left out or counted down",
    )
    credits: list[CreditTier] = Field([], description="service credits, by figure")
    window_notice: DurationField | None = Field(
        None, description="a service window announced later than this before it starts is late"
    )
    ticket_after_failures: Annotated[int, Field(ge=1)] | None = Field(
        None, description="open a ticket when a probe fails this many slots in a row"
    )
    cite: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Hypercare(Strict):
    default_weeks: int = 2
    severity_floor: str | None = Field(
        None, description="during hypercare, tickets are treated at least at this severity"
    )
    targets: list[Target] = Field(
        [], description="target rows tried before the policy's own while hypercare is active"
    )
    report_every: DurationField | None = Field(
        None, description="status reports to the customer on this cadence (calendar days)"
    )
    minimum_weeks: int = Field(2, description="weeks since go-live before it may conclude")
    cite: str | None = None


class ContactRules(Strict):
    """Who, among a customer's contacts, works with support."""

    share_tickets: bool = Field(
        False,
        description="authorized contacts see and answer their colleagues' tickets (an "
        "organization may override it); otherwise each sees only their own",
    )
    required_training: str | None = Field(
        None,
        description="a course a contact must have completed (and not expired) to open tickets",
    )
    cite: str | None = None


SupportHandling = Literal["refuse", "without_targets", "beta_policy", "as_supported"]


class ProductSupport(Strict):
    """What happens to a ticket on a catalogue version outside support: ``refuse`` it,
    accept it ``without_targets`` (no SLA clock runs), handle it under the version's
    ``beta_policy`` (without targets when the version names none), or ``as_supported``."""

    unsupported: SupportHandling = "without_targets"
    discontinued: SupportHandling = "refuse"
    beta: SupportHandling = "beta_policy"
    fix_pending_status: str | None = Field(
        None, description="where a ticket linked to a known issue waits for the fix"
    )
    cite: str | None = None

    def handling(self, status: str) -> str:
        """The handling of a version in ``status`` (supported versions: ``as_supported``)."""
        return getattr(self, status, "as_supported") if status != "supported" else "as_supported"


class KnowledgeResource(Strict):
    """A place the policy sends customers to before they open a ticket (senhasegura §3: the
    Online Help Center, the Community, the short videos)."""

    name: str
    url: Annotated[str, Field(pattern=r"^https?://")]
    kind: Literal["help_center", "community", "videos", "knowledge_base", "other"] = "other"
    description: str = ""
    preferred: bool = False
    cite: str | None = None


# ----------------------------------------------------------------------------- services

ServiceCode = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
Units = Annotated[Decimal, Field(gt=0, max_digits=8, decimal_places=2)]


class CatalogueService(Strict):
    """One professional service the document sells (senhasegura §13's table, &money's
    consultancy examples)."""

    code: ServiceCode
    name: str
    name_pt_br: str | None = Field(None, description="the name in Brazilian Portuguese")
    description: str = ""
    unit: Literal["day", "hour"] = Field("day", description="what the rate counts")
    estimated_units: Units | None = Field(None, description="the usual length, in units")
    minimum_units: Units | None = Field(None, description="never quoted below this")
    cite: str | None = None


class RemoteSessions(Strict):
    """Remote sessions with an engineer (senhasegura §7.7, SecPod)."""

    limit: DurationField | None = Field(None, description="a session's longest length")
    tools: list[str] = Field(default_factory=list, description="e.g. Remote Desktop, VPN")
    prepare: str = Field("", description="what the customer must have ready")
    cite: str | None = None


class Waiver(Strict):
    """A text an authorized contact must accept before engineers change configuration on
    the customer's equipment (Xecuritas)."""

    required_for: list[Literal["configuration_change"]] = ["configuration_change"]
    text: str
    cite: str | None = None


class IncludedService(Strict):
    """A service a plan includes: ``count`` deliveries each contract year."""

    service: ServiceCode
    plans: list[str]
    count: Annotated[int, Field(ge=1)] = 1
    per: Literal["contract_year"] = "contract_year"
    units: Units | None = Field(None, description="units one delivery covers")
    engineers: Annotated[int, Field(ge=1)] = 1
    cite: str | None = None


class Services(Strict):
    """Professional services: the catalogue, how they are priced, remote sessions, the
    modification waiver and what the plans include."""

    calendar: str | None = Field(
        None, description="business hours for pricing (default: the policy's default calendar)"
    )
    hours_per_day: Annotated[Decimal, Field(gt=0, le=24)] = Decimal(8)
    off_hours_multiplier: Annotated[Decimal, Field(ge=1, le=10)] | None = Field(
        None,
        description="the off-hours increase, when the document states it (else the contract's)",
    )
    on_site_logistics: bool = Field(False, description="on-site logistics are passed through")
    prior_approval: bool = Field(True, description="nothing is scheduled or billed before it")
    catalogue: list[CatalogueService] = []
    remote_sessions: RemoteSessions | None = None
    waiver: Waiver | None = None
    included: list[IncludedService] = []
    cite: str | None = None

    def service(self, code: str) -> CatalogueService:
        return _defined("services.catalogue", "service", code, self.catalogue, key="code")

    def included_for(self, plan_id: str) -> list[IncludedService]:
        return [item for item in self.included if plan_id in item.plans]


# ----------------------------------------------------------------------------- translations


class TextTranslation(Strict):
    """One severity's, status's or plan's customer-facing texts in another language. A text
    left out is shown in the original language, whole (never half translated)."""

    name: str | None = None
    definition: str | None = None
    description: str | None = None
    examples: list[str] | None = None


class Translations(Strict):
    """A policy's customer-facing texts in one language, by the id they translate."""

    title: str | None = None
    severities: dict[str, TextTranslation] = {}
    statuses: dict[str, TextTranslation] = {}
    plans: dict[str, TextTranslation] = {}


DetailSupplier = Literal["customer", "engineer_before_first_response", "engineer_before_solving"]


class RequiredDetail(Strict):
    """One thing the case must hold, and who records it: the customer when opening, or the
    engineer before the first response or before solving (Xecuritas lists "Initial
    recommendation by Xecuritas engineer" beside what the customer reports)."""

    field: str
    supplied_by: DetailSupplier = "customer"
    cite: str | None = None


def _required_detail(value: Any) -> Any:
    return {"field": value} if isinstance(value, str) else value


class Category(Strict):
    """A kind of request the document names: in the scope of support, or out of it (then an
    agent may answer "out of scope" with it; ``referral`` says where the customer is sent)."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    name: str
    scope: Literal["in_scope", "out_of_scope"] = "in_scope"
    referral: Literal["professional_services"] | None = Field(
        None, description="out of scope, but the vendor sells it: the answer refers the customer"
    )
    cite: str | None = None


class Checklist(Strict):
    """Steps the engineer takes on each new case the rule matches, ticked one by one with a
    note (Xecuritas "will take the following steps upon initial customer contact")."""

    id: str
    name: str
    when: Match = Match()
    items: Annotated[list[str], Field(min_length=1)]
    cite: str | None = None


class RootCauseAnalysis(Strict):
    """Solving a matching ticket opens a linked follow-up ticket at ``severity`` for the same
    organization, visible to the customer, with its own clocks (senhasegura §6)."""

    when: Match
    severity: str
    type: Literal["problem", "question", "service_request"] = "problem"
    cite: str | None = None


class SeniorRouting(Strict):
    """Matching tickets go to the senior queue and are offered to senior engineers first
    (senhasegura §5.1 Premier: "Direct access to Senior Engineer")."""

    when: Match
    cite: str | None = None


class CloseAgreement(Strict):
    """An agent closes only with the customer's confirmation; ``exceptions``: lifecycle rules
    that still close on their own, and an agent may close recording an other arrangement."""

    exceptions: list[str] = Field([], description="lifecycle rule ids that close regardless")
    other_arrangement: bool = Field(True, description="an agent may close with a recorded one")
    cite: str | None = None


class ClockRule(Strict):
    """A rule that acts on clocks (``metrics``), with the sentence it implements."""

    metrics: list[Metric] = [Metric.RESOLUTION]
    cite: str | None = None


class BreachExemption(Strict):
    """A support manager may mark a breach exempt, naming one of ``reasons``."""

    reasons: Annotated[list[str], Field(min_length=1)]
    cite: str | None = None


class Policy(Strict):
    schema_: Literal["pacto/policy/v1"] = Field(SCHEMA_ID, alias="schema")
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    version: str
    title: str
    vendor: str
    source: str = Field(description="the published document this policy implements")
    languages: list[str] = ["en"]
    default_calendar: str
    calendars: dict[str, CalendarSpec]
    plans: list[Plan]
    severities: list[Severity] = Field(description="most severe first")
    channels: list[Literal["portal", "email", "phone", "api"]] = list(CHANNELS)
    excluded_channels: list[Literal["portal", "email", "phone", "api"]] = Field(
        [],
        description="channels the document refuses; list 'api' here to refuse API tickets "
        "where portal tickets are taken",
    )
    default_severity: dict[str, str] = Field(
        default_factory=dict, description="channel -> severity when the requester gives none"
    )
    environments: list[Literal["production", "non-production"]] = list(ENVIRONMENTS)
    statuses: list[Status]
    targets: list[Target]
    reopen: Reopen = Reopen()
    lifecycle: list[LifecycleRule] = []
    escalation: Escalation = Escalation()
    support_lines: SupportLines = SupportLines()
    working_status: str | None = Field(
        None,
        description="the status a ticket goes to when the vendor has to act (the customer "
        "answered, the first reply, a reopen); default: the first open, else new, status",
    )
    working_status_cite: str | None = None
    paging: Paging | None = None
    severity_changes: SeverityChanges = SeverityChanges()
    availability: Availability | None = None
    hypercare: Hypercare | None = None
    contacts: ContactRules = ContactRules()
    product_support: ProductSupport = ProductSupport()
    required_details: list[Annotated[RequiredDetail, BeforeValidator(_required_detail)]] = Field(
        default_factory=list,
        description="ticket fields a problem report must carry: a field name (the customer "
        "supplies it) or {field, supplied_by}",
    )
    categories: list[Category] = Field([], description="kinds of request, in or out of scope")
    checklists: list[Checklist] = []
    root_cause_analysis: RootCauseAnalysis | None = None
    senior_routing: SeniorRouting | None = None
    close_agreement: CloseAgreement | None = None
    resolution_plan: ClockRule | None = Field(
        None, description="an agent's delivered work-around or plan meets these clocks"
    )
    third_party_cause: ClockRule | None = Field(
        None, description="a recorded third-party cause exempts these clocks"
    )
    breach_exemption: BreachExemption | None = None
    knowledge_resources: list[KnowledgeResource] = Field(
        default_factory=list, description="help center, community, videos the portal links to"
    )
    services: Services = Services()
    notes: list[str] = []
    translations: dict[str, Translations] = Field(
        default_factory=dict,
        description="language (pt-br, es…) -> the customer-facing texts in that language",
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    _calendars: dict[str, Calendar] = PrivateAttr(default_factory=dict)
    _base_dir: Path | None = PrivateAttr(None)
    _localized: dict = PrivateAttr(default_factory=dict)  # language -> localized copy

    @model_validator(mode="after")
    def _references_exist(self) -> Policy:
        problems: list[str] = []

        def check(where: str, kind: str, value: str | None, known: Iterable[str]) -> None:
            known = list(known)
            if value is not None and value not in known:
                problems.append(
                    f"{where}: {kind} {value!r} is not defined (defined: {', '.join(known)})"
                )

        calendars = list(self.calendars)
        severities = [s.id for s in self.severities]
        plans = [p.id for p in self.plans]
        statuses = [s.id for s in self.statuses]
        check("default_calendar", "calendar", self.default_calendar, calendars)
        check("working_status", "status", self.working_status, statuses)
        check(
            "product_support.fix_pending_status",
            "status",
            self.product_support.fix_pending_status,
            statuses,
        )
        kind_sections = {"severity": "severities", "plan": "plans", "status": "statuses"}
        for kind, items in (("severity", severities), ("plan", plans), ("status", statuses)):
            duplicates = {x for x in items if items.count(x) > 1}
            if duplicates:
                problems.append(
                    f"{kind_sections[kind]}: {kind} ids must be unique: "
                    f"{', '.join(sorted(duplicates))}"
                )
        for i, plan in enumerate(self.plans):
            for severity, calendar in plan.coverage.items():
                if severity != "default":
                    check(f"plans[{i}].coverage", "severity", severity, severities)
                check(f"plans[{i}].coverage.{severity}", "calendar", calendar, calendars)
        for i, target in enumerate(self.targets):
            check(f"targets[{i}].calendar", "calendar", target.calendar, calendars)
            for field, known in (("severity", severities), ("plan", plans)):
                for value in getattr(target.when, field) or []:
                    check(f"targets[{i}].when.{field}", field, value, known)
            for value in target.when.channel or []:
                check(f"targets[{i}].when.channel", "channel", value, self.channels)
        for value in self.excluded_channels:
            if value in self.channels:
                problems.append(
                    f"excluded_channels: {value!r} is also listed in channels (a channel is "
                    "either taken or refused)"
                )
            for value in target.when.type or []:
                check(f"targets[{i}].when.type", "ticket type", value, TICKET_TYPES)
        for channel, severity in self.default_severity.items():
            check(f"default_severity.{channel}", "channel", channel, self.accepted_channels)
            check(f"default_severity.{channel}", "severity", severity, severities)
        for i, rule in enumerate(self.lifecycle):
            check(f"lifecycle[{i}].from_status", "status", rule.from_status, statuses)
            check(f"lifecycle[{i}].to_status", "status", rule.to_status, statuses)
            check(f"lifecycle[{i}].calendar", "calendar", rule.calendar, calendars)
            if (
                rule.on_customer_reply == "reopen"
                and rule.from_status in statuses
                and self.status(rule.from_status).category != StatusCategory.SOLVED
            ):
                problems.append(
                    f"lifecycle[{i}].on_customer_reply: only a rule leaving a solved "
                    "status can reopen on a customer reply"
                )
        for i, action in enumerate(self.escalation.on_breach):
            if action.move_to_line and not self.support_lines.move_on_breach:
                problems.append(
                    f"escalation.on_breach[{i}].move_to_line: the policy says "
                    "support_lines.move_on_breach: false (only an agent moves the line)"
                )
        if self.availability:
            check("availability.calendar", "calendar", self.availability.calendar, calendars)
        if self.hypercare:
            check("hypercare.severity_floor", "severity", self.hypercare.severity_floor, severities)
            for i, target in enumerate(self.hypercare.targets):
                where = f"hypercare.targets[{i}]"
                check(f"{where}.calendar", "calendar", target.calendar, calendars)
                for value in target.when.severity or []:
                    check(f"{where}.when.severity", "severity", value, severities)
        category_ids = [c.id for c in self.categories]
        if len(set(category_ids)) != len(category_ids):
            problems.append("categories: category ids must be unique")
        for i, category in enumerate(self.categories):
            if category.referral and category.scope != "out_of_scope":
                problems.append(f"categories[{i}].referral: only an out-of-scope item refers")
        if self.root_cause_analysis:
            rca = self.root_cause_analysis
            check("root_cause_analysis.severity", "severity", rca.severity, severities)
            for value in rca.when.severity or []:
                check("root_cause_analysis.when.severity", "severity", value, severities)
        if self.senior_routing:
            for field, known in (("severity", severities), ("plan", plans)):
                for value in getattr(self.senior_routing.when, field) or []:
                    check(f"senior_routing.when.{field}", field, value, known)
        if self.close_agreement:
            rules = [r.id for r in self.lifecycle]
            for value in self.close_agreement.exceptions:
                check("close_agreement.exceptions", "lifecycle rule", value, rules)
        if self.paging:
            for value in self.paging.channels or []:
                check("paging.channels", "channel", value, self.accepted_channels)
        check("services.calendar", "calendar", self.services.calendar, calendars)
        codes = [item.code for item in self.services.catalogue]
        if duplicates := sorted({c for c in codes if codes.count(c) > 1}):
            problems.append(f"services.catalogue: codes must be unique: {', '.join(duplicates)}")
        for i, item in enumerate(self.services.catalogue):
            if (
                item.minimum_units
                and item.estimated_units
                and (item.estimated_units < item.minimum_units)
            ):
                problems.append(
                    f"services.catalogue[{i}].estimated_units: below minimum_units "
                    f"{item.minimum_units}"
                )
        for i, item in enumerate(self.services.included):
            check(f"services.included[{i}].service", "service", item.service, codes)
            for plan in item.plans:
                check(f"services.included[{i}].plans", "plan", plan, plans)
        categories = {s.category for s in self.statuses}
        for needed in (StatusCategory.NEW, StatusCategory.SOLVED, StatusCategory.CLOSED):
            if needed not in categories:
                problems.append(f"statuses: no status has category {needed.value!r}")
        if problems:
            # One problem a line, each naming its own field path (see _format_validation_error).
            raise ValueError("\n".join(problems))
        return self

    @model_validator(mode="after")
    def _translations_name_known_texts(self) -> Policy:
        problems = []
        known = {
            "severities": [x.id for x in self.severities],
            "statuses": [x.id for x in self.statuses],
            "plans": [x.id for x in self.plans],
        }
        for language, translated in self.translations.items():
            for section, ids in known.items():
                for item_id in getattr(translated, section):
                    if item_id not in ids:
                        problems.append(
                            f"translations.{language}.{section}: {item_id!r} is not defined "
                            f"(defined: {', '.join(ids)})"
                        )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def localized(self, language: str | None) -> Policy:
        """This policy with its customer-facing texts in ``language`` (``pt-br``; ``pt_BR``
        and ``pt`` find it too) where the policy translates them; itself otherwise. Only
        texts change: ids, targets and calendars are the same objects, so clocks computed
        under either are identical."""
        translated = _translation_for(self.translations, language)
        if translated is None:
            return self
        if language not in self._localized:
            self._localized[language] = self._localized_copy(translated)
        return self._localized[language]

    def _localized_copy(self, translated: Translations) -> Policy:
        def apply(items, texts: dict[str, TextTranslation]):
            out = []
            for item in items:
                text = texts.get(item.id)
                if text is None:
                    out.append(item)
                    continue
                changes = {
                    key: value
                    for key, value in text.model_dump(exclude_none=True).items()
                    if key in type(item).model_fields
                }
                out.append(item.model_copy(update=changes))
            return out

        copy = self.model_copy(
            update={
                "title": translated.title or self.title,
                "severities": apply(self.severities, translated.severities),
                "statuses": apply(self.statuses, translated.statuses),
                "plans": apply(self.plans, translated.plans),
            }
        )
        copy._calendars = self._calendars
        copy._base_dir = self._base_dir
        copy._localized = {}
        return copy

    # ------------------------------------------------------------------ lookups

    def severity(self, severity_id: str) -> Severity:
        return _defined(f"policy {self.id}", "severity", severity_id, self.severities)

    def plan(self, plan_id: str) -> Plan:
        return _defined(f"policy {self.id}", "plan", plan_id, self.plans)

    def status(self, status_id: str) -> Status:
        return _defined(f"policy {self.id}", "status", status_id, self.statuses)

    def status_for(self, category: StatusCategory) -> Status:
        """The policy's first status of a canonical category."""
        for status in self.statuses:
            if status.category == category:
                return status
        raise PolicyError(f"policy {self.id}: no status of category {category.value!r}")

    def severity_rank(self, severity_id: str) -> int:
        """0 for the most severe; a larger number is less severe."""
        return [s.id for s in self.severities].index(self.severity(severity_id).id)

    def target_for(self, metric: Metric, facts: TicketFacts) -> Target | None:
        """The first target row for ``metric`` that matches the ticket, if any. While the
        ticket's contract is in hypercare, the hypercare overlay's rows are tried first."""
        facts = self.hypercare_facts(self.counted_facts(facts))
        rows = self.targets
        if facts.hypercare and self.hypercare and self.hypercare.targets:
            rows = [*self.hypercare.targets, *self.targets]
        for target in rows:
            if target.metric == metric and target.when.matches(facts):
                return target
        return None

    def hypercare_floor(self, facts: TicketFacts) -> str | None:
        """The severity a ticket is treated at while its contract is in hypercare, when the
        policy's ``hypercare.severity_floor`` is more severe than the ticket's own; else
        None. The ticket keeps its severity: only the target rows it matches change."""
        floor = self.hypercare.severity_floor if facts.hypercare and self.hypercare else None
        if floor and self.severity_rank(facts.severity) > self.severity_rank(floor):
            return self.severity(floor).id
        return None

    def hypercare_facts(self, facts: TicketFacts) -> TicketFacts:
        """``facts`` as the target rows see them: at least at the hypercare floor."""
        floor = self.hypercare_floor(facts)
        return facts if floor is None else facts.model_copy(update={"severity": floor})

    # ------------------------------------------------------------------ channels

    @property
    def api_is_portal(self) -> bool:
        """The REST API is the ticketing system's own door: a policy that takes portal
        tickets takes API tickets, counted exactly like portal tickets, unless it lists
        ``api`` itself (in ``channels``: API tickets follow their own rows; in
        ``excluded_channels``: refused)."""
        return (
            "portal" in self.channels
            and "api" not in self.channels
            and "api" not in self.excluded_channels
        )

    @property
    def accepted_channels(self) -> list[str]:
        """Every channel a ticket may come in by, the API door included."""
        return [*self.channels, "api"] if self.api_is_portal else list(self.channels)

    def accepts_channel(self, channel: str) -> bool:
        return channel in self.accepted_channels

    def counted_as(self, channel: str) -> str:
        """The channel whose rules a ticket of ``channel`` follows (``api`` → ``portal``
        when the API is the portal's door)."""
        return "portal" if channel == "api" and self.api_is_portal else channel

    def counted_facts(self, facts: TicketFacts) -> TicketFacts:
        counted = self.counted_as(facts.channel)
        return facts if counted == facts.channel else facts.model_copy(update={"channel": counted})

    def channel_refusal(self, channel: str) -> str:
        """Why a ticket by ``channel`` is refused, naming the channel."""
        return (
            f"{self.title} takes no tickets by {channel} "
            f"(channels: {', '.join(self.accepted_channels)})"
        )

    def default_severity_for(self, channel: str) -> str | None:
        return self.default_severity.get(channel) or self.default_severity.get(
            self.counted_as(channel)
        )

    def metrics(self) -> list[Metric]:
        """The metrics this policy has any target row for, in canonical order."""
        present = {t.metric for t in self.targets}
        return [m for m in Metric if m in present]

    def calendar(self, name: str | None = None) -> Calendar:
        return _compiled_calendar(self, name or self.default_calendar)

    def coverage_calendar(self, plan_id: str, severity_id: str) -> Calendar:
        """When the plan has support staff reachable for this severity."""
        coverage = self.plan(plan_id).coverage
        return self.calendar(coverage.get(severity_id) or coverage.get("default"))

    def services_calendar(self) -> Calendar:
        """The business hours professional services are priced by."""
        return self.calendar(self.services.calendar)

    def details_supplied_by(self, *suppliers: str) -> list[str]:
        """The required detail fields the given suppliers record."""
        return [d.field for d in self.required_details if d.supplied_by in suppliers]

    def category(self, category_id: str) -> Category:
        return _defined(f"policy {self.id}", "category", category_id, self.categories)

    def checklists_for(self, facts: TicketFacts) -> list[Checklist]:
        return [c for c in self.checklists if c.when.matches(self.counted_facts(facts))]

    def lifecycle_rule(self, rule_id: str) -> LifecycleRule:
        for rule in self.lifecycle:
            if rule.id == rule_id:
                return rule
        raise PolicyError(f"policy {self.id}: no lifecycle rule {rule_id!r}")

    @property
    def key(self) -> str:
        """``id@version``: how tickets pin the policy they were opened under."""
        return f"{self.id}@{self.version}"


class TicketFacts(BaseModel):
    """What target rows match on."""

    model_config = ConfigDict(frozen=True)

    severity: str
    plan: str | None = None
    channel: str = "portal"
    environment: str = "production"
    type: str = "problem"
    hypercare: bool = False


def _compiled_calendar(policy: Policy, name: str) -> Calendar:
    """A policy's calendars are compiled once per loaded policy and kept on it; a compiled
    calendar then caches its intervals as queries reach new years."""
    compiled = policy._calendars.get(name)
    if compiled is None:
        try:
            spec = policy.calendars[name]
        except KeyError:
            raise PolicyError(
                f"policy {policy.id}: calendar {name!r} is not defined "
                f"(defined: {', '.join(policy.calendars)})"
            ) from None
        compiled = policy._calendars[name] = build_calendar(name, spec, policy._base_dir)
    return compiled


def build_calendar(name: str, spec: CalendarSpec, base_dir: Path | None = None) -> Calendar:
    holidays = spec.holidays
    dates = dict(holidays.dates)
    if holidays.ical:
        # Only a policy file on disk may name an iCal file, and only one beside it: an
        # uploaded policy must not make the server read arbitrary paths.
        if base_dir is None:
            raise CalendarError("holidays.ical: only policy files on disk may name an iCal file")
        path = (base_dir / holidays.ical).resolve()
        if not path.is_relative_to(base_dir.resolve()):
            raise CalendarError(f"holidays.ical: {holidays.ical!r} is outside the policy's folder")
        dates.update(dates_from_ical(path.read_bytes(), years=range(1990, 2101)))
    holiday_set = HolidaySet(
        country=holidays.country,
        subdivision=holidays.subdivision,
        categories=tuple(holidays.categories),
        dates=dates,
        annual=tuple(
            AnnualRule(int(a.date[:2]), int(a.date[3:]), a.name, a.observed)
            for a in holidays.annual
        ),
        easter=tuple(EasterRule(e.offset, e.name) for e in holidays.easter),
        remove=tuple(holidays.remove),
        weekday=tuple(
            WeekdayRule(w.month, WEEKDAYS.index(w.weekday), w.nth, w.name, w.offset_days)
            for w in holidays.weekday
        ),
        dates_replace_rules=holidays.dates_replace_rules,
    )
    hours = WeeklyHours.parse(spec.hours)
    calendar = Calendar(name, spec.timezone, hours, holiday_set)
    if spec.business_day is not None:
        calendar.business_day = spec.business_day.length(calendar)
    return calendar


# ----------------------------------------------------------------------------- loading


def _format_validation_error(source: str, exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        loc = ""
        for part in error["loc"]:
            loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
        message = error["msg"].removeprefix("Value error, ")
        if not loc and error["type"] == "value_error":
            # Cross-reference checks of the whole policy: each line names its field path.
            lines += [f"{source}: {line}" for line in message.splitlines()]
        else:
            lines.append(f"{source}: {loc or '(top level)'}: {message}")
    return "\n".join(lines)


def parse_policy(data: Any, source: str = "<policy>", base_dir: Path | None = None) -> Policy:
    """Validate a policy given as parsed YAML/JSON data."""
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: (top level): a policy is a mapping of fields")
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(_format_validation_error(source, exc)) from None
    policy._base_dir = base_dir
    # Compile every calendar now so a bad time zone, interval or holiday source is reported
    # at load time, with the file and field, not at the first ticket.
    for name in policy.calendars:
        try:
            policy.calendar(name)
        except (CalendarError, HolidayError, OSError) as exc:
            raise PolicyError(f"{source}: calendars.{name}: {exc}") from None
    return policy


def loads_policy(text: str, source: str = "<policy>", base_dir: Path | None = None) -> Policy:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{source}: not valid YAML: {exc}") from None
    return parse_policy(data, source, base_dir)


def load_policy(name_or_path: str | Path) -> Policy:
    """A preset by name (``senhasegura``) or a policy file by path."""
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        return preset(str(name_or_path))
    if not path.exists():
        raise PolicyError(f"{path}: no such policy file")
    return loads_policy(path.read_text(encoding="utf-8"), path.name, path.parent)


def _translation_for(translations: dict, language: str | None) -> Translations | None:
    if not language or not translations:
        return None
    wanted = language.lower().replace("_", "-")
    if wanted in translations:
        return translations[wanted]
    base = wanted.split("-")[0]
    for key, value in translations.items():
        if key.lower().replace("_", "-").split("-")[0] == base and base != "en":
            return value
    return None


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESETS.glob("*.yaml"))


@functools.cache
def preset(name: str) -> Policy:
    path = PRESETS / f"{name}.yaml"
    if not path.exists():
        raise PolicyError(
            f"policy {name!r} is neither a preset ({', '.join(preset_names())}) nor a file"
        )
    return loads_policy(path.read_text(encoding="utf-8"), path.name, path.parent)


def json_schema() -> str:
    schema = Policy.model_json_schema(by_alias=True, mode="validation")
    schema["$id"] = SCHEMA_ID
    schema["title"] = "Pacto support policy"
    return json.dumps(schema, indent=2, ensure_ascii=False)
