"""The worker's changes: SLA warnings and breach escalations, lifecycle steps, pages.

Like every ``actions.py``, each ``do_*`` is one whole change in one transaction with its
audit trail and its outbox rows. Lifecycle status changes and acknowledgements go through
``pacto.tickets.actions`` (the ticket lock, the audit event, the recomputed clocks); breach
escalations, which a sweep may meet by the thousand, are written for many locked tickets at
once by ``do_record_breaches`` with the same audit events, version bumps and outbox rows.
The actor of an automatic change is the system user, and its event names the policy rule
that caused it.

Every function takes ``now``: only the job wrappers in ``jobs.py`` read the clock.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.db import transaction

from pacto.accounts.models import User
from pacto.automation import lifecycle, oncall
from pacto.automation.models import ClockAlert, LifecycleTimer, OnCallRotation, Page
from pacto.errors import ActionError, NotAllowed, NotFound
from pacto.notifications.bulk import insert_rows
from pacto.notifications.models import Outbox
from pacto.notifications.outbox import enqueue, enqueue_many
from pacto.sla.calendar import ALWAYS, Calendar
from pacto.sla.clock import ClockResult
from pacto.sla.policy import BreachAction, Metric, Policy, StatusCategory, TicketFacts
from pacto.tickets import actions as ticket_actions
from pacto.tickets.models import Ticket, TicketEvent

log = logging.getLogger(__name__)

SYSTEM_EMAIL = "automation@pacto.invalid"
ACK_SALT = "pacto.automation.page-ack"
ACK_MAX_AGE = dt.timedelta(days=7)
_REAL_TIME = Calendar("real-time", "UTC", ALWAYS)
_LIVE = (Page.State.WAITING, Page.State.PAGING)  # a page still to send or to acknowledge


def system_user() -> User:
    """The actor of automatic changes: a staff account nobody can sign in to."""
    user = User.objects.filter(email=SYSTEM_EMAIL).first()
    if user is None:
        user, _ = User.objects.get_or_create(
            email=SYSTEM_EMAIL,
            defaults={"full_name": "Pacto automation", "role": User.Role.ADMIN, "password": "!"},
        )
    return user


def _managers() -> list[User]:
    return list(User.objects.filter(role=User.Role.MANAGER, is_active=True))


def _facts(ticket: Ticket) -> TicketFacts:
    return TicketFacts(
        severity=ticket.severity,
        plan=ticket.plan,
        channel=ticket.channel,
        environment=ticket.environment,
        type=ticket.type,
    )


def _payload(ticket: Ticket, **extra) -> dict:
    return {"ticket": ticket.pk, "subject": ticket.subject, "severity": ticket.severity, **extra}


# ----------------------------------------------------------------------------- SLA checkpoints


def breach_actions(
    policy: Policy, metric: str, facts: TicketFacts
) -> list[tuple[int, BreachAction]]:
    """The policy's ``escalation.on_breach`` rules for this metric and ticket, with their index
    (which the audit event cites as ``escalation.on_breach[i]``)."""
    return [
        (i, action)
        for i, action in enumerate(policy.escalation.on_breach)
        if action.metric == metric and action.when.matches(policy.counted_facts(facts))
    ]


def checkpoints_reached(result: ClockResult, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """The checkpoints of a clock reached by ``now``: the breach alone once it is missed
    (warnings passed on the way to a breach are moot), else the warnings reached."""
    if result.breached_at is not None and result.breached_at <= now:
        return [("breach", result.breached_at)]
    return [
        (c.label, c.reached_at)
        for c in result.warnings
        if c.reached_at is not None and c.reached_at <= now
    ]


def do_act_on_checkpoints(
    batch: list[tuple[Ticket, list[ClockResult], dt.datetime]], now: dt.datetime
) -> dict[str, int]:
    """Act once on every checkpoint the clocks of these tickets have reached by their ``at``
    (the instant their clocks were computed for): a warning to the assignee (or, unassigned,
    the support managers), the breach to whoever the policy's escalation rules name
    (``do_record_breaches``). Call with the tickets locked.

    A ``ClockAlert`` row per checkpoint, written in this transaction, is what makes it once:
    checkpoints with a row are skipped, and two workers cannot both insert one. Everything
    is written in bulk: a sweep may meet thousands of due tickets at once. Returns counts of
    what was done now.
    """
    done = {"warnings": 0, "breaches": 0, "escalations": 0}
    tickets = [ticket for ticket, _, _ in batch]
    acted = set(
        ClockAlert.objects.filter(ticket__in=tickets).values_list(
            "ticket_id", "metric", "label", "reached_at"
        )
    )
    alerts, notices, breaches = [], [], []
    managers = None
    for ticket, results, at in batch:
        for result in results:
            metric = result.metric.value
            for label, reached_at in checkpoints_reached(result, at):
                if (ticket.pk, metric, label, reached_at) in acted:
                    continue
                alerts.append(
                    ClockAlert(
                        ticket=ticket, metric=metric, label=label, reached_at=reached_at,
                        acted_at=now,
                    )
                )  # fmt: skip
                if label == "breach":
                    breaches.append((ticket, result))
                    continue
                if ticket.assignee_id is None and managers is None:
                    managers = _managers()
                notices.append(
                    {
                        "kind": "clock_warning",
                        "dedupe_key": (
                            f"ticket:{ticket.pk}:{metric}:{label}:{reached_at.isoformat()}"
                        ),
                        "recipients": [ticket.assignee] if ticket.assignee_id else managers,
                        "ticket": ticket,
                        "organization": ticket.organization,
                        "payload": _payload(
                            ticket, metric=metric, label=label,
                            due_at=result.due_at.isoformat() if result.due_at else None,
                            target=str(result.target) if result.target else "",
                        ),
                    }
                )  # fmt: skip
    # A conflict here means another worker acted meanwhile: the transaction rolls back and
    # the next sweep finds the checkpoint done.
    insert_rows(ClockAlert, alerts, ignore_conflicts=False)
    enqueue_many(notices)
    done["warnings"] = len(notices)
    done["breaches"] = len(breaches)
    done["escalations"] = do_record_breaches(breaches, now)
    return done


def _new_event(ticket, kind, actor, now, reason="", **data) -> TicketEvent:
    return TicketEvent(ticket=ticket, kind=kind, actor=actor, at=now, data=data, reason=reason)


def do_record_breaches(breaches: list[tuple[Ticket, ClockResult]], now: dt.datetime) -> int:
    """Targets were missed: record each breach and apply the policy's ``on_breach`` rules —
    raise the escalation level, notify whom they name, move first line to second line.
    Call with the tickets locked, inside the sweep's transaction; the caller stores the
    clocks. Returns how many tickets were escalated.

    Xecuritas: "Any severity type that cannot be resolved in prescribed response times ...
    will be escalated to Xecuritas technical support management." Without a rule, the
    assignee (or, for an unassigned ticket, the support managers) hears of the breach.

    This is the tickets' ``_changing`` for many tickets at once (a thousand breaches in one
    tick must not take a thousand round trips each): the audit events (``clock_breached``,
    ``escalated``, ``line``, each naming the rule), the ticket fields with their version
    bump, and the outbox rows are written in bulk, in this transaction.
    """
    if not breaches:
        return 0
    actor = system_user()
    people: dict[str, list[User]] = {}

    def group(key: str, query) -> list[User]:
        if key not in people:
            people[key] = list(query())
        return people[key]

    events, notices, touched = [], [], {}
    escalated = 0
    for ticket, result in breaches:
        metric = result.metric.value
        breached = result.breached_at.isoformat() if result.breached_at else None
        key = f"ticket:{ticket.pk}:{metric}:breach:{breached}"
        matched = breach_actions(ticket.policy, metric, _facts(ticket))
        rules = [f"escalation.on_breach[{i}]" for i, _ in matched]

        events.append(
            _new_event(
                ticket, TicketEvent.Kind.CLOCK_BREACHED, actor, now, metric=metric,
                breached_at=breached, target=str(result.target or ""), rule=rules,
            )
        )  # fmt: skip
        touched[ticket.pk] = ticket
        managers = group("managers", _managers)
        if not matched:
            notices.append(
                {
                    "kind": "clock_breached",
                    "dedupe_key": key,
                    "recipients": [ticket.assignee] if ticket.assignee_id else managers,
                    "ticket": ticket,
                    "organization": ticket.organization,
                    "payload": _payload(ticket, metric=metric, breached_at=breached),
                }
            )
            continue
        recipients: list = []
        for _, action in matched:
            for who in action.notify:
                match who:
                    case "assignee":
                        recipients.append(ticket.assignee)
                    case "support_managers":
                        recipients += managers
                    case "account_manager":
                        recipients.append(ticket.organization.account_manager)
                    case "requester":
                        recipients.append(ticket.requester)
        reason = f"{metric.replace('_', ' ')} target missed ({result.target})"
        if any(action.raise_level for _, action in matched):
            ticket.escalation_level += 1
            escalated += 1
            events.append(
                _new_event(
                    ticket, TicketEvent.Kind.ESCALATED, actor, now, reason, to="support_managers",
                    level=ticket.escalation_level, rule=rules, metric=metric, automatic=True,
                )
            )  # fmt: skip
        line = next((a.move_to_line for _, a in matched if a.move_to_line), None)
        if line == "second" and ticket.support_line == "first":
            ticket.support_line = line
            events.append(
                _new_event(
                    ticket, TicketEvent.Kind.LINE, actor, now, reason, to=line, previous="first",
                    rule=rules,
                )
            )  # fmt: skip
            recipients += group(
                f"line:{line}",
                lambda: User.objects.filter(support_line="second", is_active=True).exclude(
                    role="contact"
                ),
            )
        notices.append(
            {
                "kind": "ticket_escalated",
                "dedupe_key": key,
                "recipients": recipients,
                "ticket": ticket,
                "organization": ticket.organization,
                "payload": _payload(
                    ticket, metric=metric, breached_at=breached, level=ticket.escalation_level,
                    line=ticket.support_line, reason=reason, rule=rules, by=actor.email,
                ),
            }
        )  # fmt: skip
    insert_rows(TicketEvent, events, ignore_conflicts=False)
    ticket_actions.save_tickets_in_bulk(
        [
            (t, {"escalation_level": t.escalation_level, "support_line": t.support_line})
            for t in touched.values()
        ],
        now,
    )
    enqueue_many(notices)
    return escalated


# ----------------------------------------------------------------------------- lifecycle


def _conversation_since(ticket: Ticket) -> tuple[bool, dt.datetime | None]:
    """Since the ticket entered its status: is the customer's latest reply unanswered, and
    when did the vendor last answer a customer's reply (a ``stop`` rule counts from then)?"""
    replied, counting_from = False, None
    kinds = [TicketEvent.Kind.CUSTOMER_REPLY, TicketEvent.Kind.AGENT_REPLY]
    for kind, at in (
        TicketEvent.objects.filter(ticket=ticket, kind__in=kinds, at__gte=ticket.status_changed_at)
        .order_by("at", "pk")
        .values_list("kind", "at")
    ):
        if kind == TicketEvent.Kind.CUSTOMER_REPLY:
            replied = True
        elif replied:
            replied, counting_from = False, at
    return replied, counting_from


def _plan(ticket: Ticket, reminders_sent: int, last_followup_at, rule_id=None):
    policy = ticket.policy
    if not any(
        lifecycle.applies(policy, rule, ticket.status, ticket.details_requested)
        for rule in policy.lifecycle
    ):
        return None
    replied, counting_from = _conversation_since(ticket)
    return lifecycle.next_step(
        ticket.policy, ticket.status, ticket.status_changed_at, ticket.details_requested,
        reminders_sent, rule_id, last_followup_at=last_followup_at,
        counting_from=counting_from, customer_replied=replied,
    )  # fmt: skip


def do_schedule_lifecycle(
    ticket: Ticket, *, keep_followups: bool = False, new: bool = False
) -> LifecycleTimer | None:
    """(Re)plan the ticket's next lifecycle step: after it entered its current status, or
    (``keep_followups``) after a reply in it, keeping the follow-ups already sent. A ``new``
    ticket has no timer yet: nothing to read."""
    timer = None if new else LifecycleTimer.objects.filter(ticket=ticket).first()
    return _schedule(ticket, timer, keep_followups)


def _schedule(
    ticket: Ticket, timer: LifecycleTimer | None, keep_followups: bool
) -> LifecycleTimer | None:
    same = (
        keep_followups
        and timer is not None
        and timer.status == ticket.status
        and timer.entered_at == ticket.status_changed_at
    )
    sent, last = (timer.reminders_sent, timer.last_followup_at) if same else (0, None)
    step = _plan(ticket, sent, last, timer.rule_id if same else None)
    if step is None:
        if timer is not None:
            timer.delete()
        return None
    timer, _ = LifecycleTimer.objects.update_or_create(
        ticket=ticket,
        defaults={
            "rule_id": step.rule.id,
            "status": ticket.status,
            "entered_at": ticket.status_changed_at,
            "reminders_sent": sent,
            "last_followup_at": last,
            "next_at": step.at,
        },
    )
    return timer


def do_count_followup(ticket: Ticket, at: dt.datetime) -> LifecycleTimer | None:
    """An agent's public reply to a ticket waiting on the customer is a follow-up too
    (secpod: "no feedback has been received from the customer after three follow-ups"): it
    counts toward the rule's follow-ups, and the next automatic one is due after it."""
    timer = LifecycleTimer.objects.select_for_update().filter(ticket=ticket).first()
    if (
        timer is None
        or timer.status != ticket.status
        or ticket.status_category != StatusCategory.WAITING_ON_CUSTOMER
        or ticket.policy.lifecycle_rule(timer.rule_id).followups is None
    ):
        return _schedule(ticket, timer, keep_followups=True)
    rule = ticket.policy.lifecycle_rule(timer.rule_id)
    timer.reminders_sent = min(timer.reminders_sent + 1, rule.followups)
    timer.last_followup_at = at
    step = _plan(ticket, timer.reminders_sent, at, timer.rule_id)
    timer.next_at = step.at if step else None
    timer.save(update_fields=["reminders_sent", "last_followup_at", "next_at"])
    return timer


def _trigger_text(rule) -> str:
    parts = []
    if rule.followups is not None:
        parts.append(f"{rule.followups} follow-ups without an answer")
    if rule.after is not None:
        parts.append(f"{rule.after}")
    return " or ".join(parts)


def do_lifecycle_step(ticket: Ticket, now: dt.datetime) -> str | None:
    """Take the ticket's due lifecycle step: a follow-up reminder to the requester, or the
    automatic status change. Call with the ticket locked. Returns "remind", "apply" or None.
    """
    timer = LifecycleTimer.objects.select_for_update().filter(ticket=ticket).first()
    if timer is None or timer.next_at is None or timer.next_at > now:
        return None
    if timer.status != ticket.status or timer.entered_at != ticket.status_changed_at:
        do_schedule_lifecycle(ticket)  # the ticket moved since: plan again
        return None
    policy = ticket.policy
    step = _plan(ticket, timer.reminders_sent, timer.last_followup_at, timer.rule_id)
    if step is None:
        timer.delete()
        return None
    if step.at > now:
        timer.next_at = step.at
        timer.save(update_fields=["next_at"])
        return None
    rule = step.rule
    if step.action == "remind":
        after = _plan(ticket, step.reminder, step.at, rule.id)
        enqueue(
            kind="lifecycle_reminder",
            dedupe_key=f"ticket:{ticket.pk}:{rule.id}:{timer.entered_at.isoformat()}:reminder:{step.reminder}",
            recipients=[ticket.requester],
            ticket=ticket,
            organization=ticket.organization,
            payload=_payload(
                ticket, rule=rule.id, reminder=step.reminder, of=rule.followups,
                status=policy.status(rule.to_status).name,
                acts_at=lifecycle.fires_at(
                    policy, rule, timer.entered_at, step.reminder, step.at
                ).isoformat(),
            ),
        )  # fmt: skip
        timer.reminders_sent = step.reminder
        timer.last_followup_at = step.at
        timer.next_at = after.at if after else None
        timer.save(update_fields=["reminders_sent", "last_followup_at", "next_at"])
        return "remind"
    target = policy.status(rule.to_status)
    source = policy.status(rule.from_status).name
    reason = f"Automatic: {_trigger_text(rule)} in {source} (rule {rule.id})"
    ticket_actions.do_change_status(
        system_user(), ticket, target.id, reason=reason, rule=rule.id, now=now
    )
    # The status event rescheduled the timer for the new status (hooks.on_ticket_event).
    return "apply"


# ----------------------------------------------------------------------------- paging


def _ack_within(policy: Policy) -> dt.timedelta:
    assert policy.paging is not None
    return policy.paging.acknowledge_within.length(_REAL_TIME)


def tiers_for(policy_id: str) -> list[list[OnCallRotation]]:
    """Active rotations by tier, lowest tier first; a rotation for this policy comes before
    one serving every policy at the same tier."""
    rotations = (
        OnCallRotation.objects.filter(active=True, policy_id__in=["", policy_id])
        .prefetch_related("members", "overrides")
        .order_by("tier", "-policy_id", "pk")
    )
    tiers: dict[int, list[OnCallRotation]] = {}
    for rotation in rotations:
        tiers.setdefault(rotation.tier, []).append(rotation)
    return [tiers[t] for t in sorted(tiers)]


def on_call(rotations: list[OnCallRotation], at: dt.datetime) -> User | None:
    for rotation in rotations:
        user_id = oncall.on_call_at(rotation.spec(), at)
        if user_id is not None:
            return User.objects.filter(pk=user_id, is_active=True).first()
    return None


def ack_token(page: Page) -> str:
    return signing.dumps(
        {"p": page.pk, "u": page.engineer_id, "n": page.ack_nonce}, salt=ACK_SALT, compress=True
    )


def ack_url(page: Page) -> str:
    """The link in every page; ``pacto.automation.urls`` serves it at the site's root."""
    return f"{settings.PACTO_BASE_URL.rstrip('/')}/pages/ack/{ack_token(page)}/"


def page_at(ticket: Ticket, severity: str, now: dt.datetime) -> dt.datetime | None:
    """When a ticket of this severity pages the on-call engineer: at once, later, or never.

    A severity that pages (``Severity.pages_on_call``), on a channel the policy pages for,
    pages while the ticket's first-response clock is running, and never before: an urgent
    portal ticket at 03:00 whose clock starts at 09:00 pages at 09:00 (senhasegura §7.9:
    "Tickets opened through the support portal are monitored only during senhasegura
    business hours"); a phoned-in urgent one on Advanced 24x7 pages at once. A ticket whose
    first response has no target, or whose status pauses it, does not page.
    """
    policy = ticket.policy
    if policy.paging is None or not policy.severity(severity).pages_on_call:
        return None
    if policy.paging.channels and policy.counted_as(ticket.channel) not in policy.paging.channels:
        return None
    facts = _facts(ticket).model_copy(update={"severity": severity})
    row = policy.target_for(Metric.FIRST_RESPONSE, facts)
    if row is None or row.target is None:
        return None
    if Metric.FIRST_RESPONSE in policy.status(ticket.status).pauses:
        return None
    return row.target.counts_on(policy.calendar(row.calendar)).next_open(now)


def do_page_ticket(ticket: Ticket, *, trigger: str, severity: str, now: dt.datetime) -> Page | None:
    """Page the on-call engineer of the first tier that has one: at once when the ticket's
    first-response clock is running, else a ``waiting`` page the worker sends when it starts.

    Nothing happens when the ticket should not page, when a page for it is already running
    or waiting, or when the installation has no on-call rotation at all (paging is not set
    up).
    """
    at = page_at(ticket, severity, now)
    if at is None:
        return None
    tiers = tiers_for(ticket.policy.id)
    if not tiers:
        log.debug("no on-call rotation: ticket %s not paged", ticket.pk)
        return None
    with transaction.atomic():
        if Page.objects.filter(ticket=ticket, state__in=_LIVE).exists():
            return None
        page, created = Page.objects.get_or_create(
            ticket=ticket,
            trigger=trigger,
            defaults={"severity": severity, "created_at": now, "tier": 0, "attempt": 0},
        )
        if not created:
            return page
        if at > now:
            page.state, page.next_check_at = Page.State.WAITING, at
            page.history = [{"at": now.isoformat(), "waits_until": at.isoformat()}]
            page.save()
            return page
        _page_next(page, ticket, tiers, start_tier=0, now=now)
    return page


def _page_when_clock_starts(page: Page, now: dt.datetime) -> str:
    """A waiting page whose time has come: page now, wait again, or drop it."""
    ticket = page.ticket
    answered = ticket.clocks.filter(metric="first_response", state="met").exists()
    at = None if answered or not ticket.is_open else page_at(ticket, page.severity, now)
    if at is None:
        page.state, page.next_check_at = Page.State.CANCELLED, None
        page.save(update_fields=["state", "next_check_at"])
        return "cancelled"
    if at > now:
        page.next_check_at = at
        page.save(update_fields=["next_check_at"])
        return "none"
    _page_next(page, ticket, tiers_for(ticket.policy.id), start_tier=0, now=now)
    return "paged" if page.state == Page.State.PAGING else "exhausted"


def _page_next(page: Page, ticket: Ticket, tiers, start_tier: int, now: dt.datetime) -> None:
    """Page the first engineer on call from tier index ``start_tier`` on; nobody left: tell
    the support managers and stop."""
    for index in range(start_tier, len(tiers)):
        engineer = on_call(tiers[index], now)
        if engineer is not None:
            page.tier, page.attempt, page.engineer = index + 1, 1, engineer
            _send_page(page, ticket, now)
            return
    _exhaust(page, ticket, now)


def _send_page(page: Page, ticket: Ticket, now: dt.datetime) -> None:
    policy = ticket.policy
    page.state = Page.State.PAGING
    page.next_check_at = now + _ack_within(policy)
    page.history = [
        *page.history,
        {
            "at": now.isoformat(),
            "tier": page.tier,
            "attempt": page.attempt,
            "to": page.engineer.email,
        },
    ]
    page.save()
    enqueue(
        kind="page",
        channel=Outbox.Channel.PAGER,
        dedupe_key=f"page:{page.pk}:tier:{page.tier}:attempt:{page.attempt}",
        recipients=[page.engineer],
        ticket=ticket,
        organization=ticket.organization,
        payload=_payload(
            ticket, page=page.pk, tier=page.tier, attempt=page.attempt,
            organization=ticket.organization.name, ack_url=ack_url(page),
            acknowledge_within=str(policy.paging.acknowledge_within),
        ),
    )  # fmt: skip


def _exhaust(page: Page, ticket: Ticket, now: dt.datetime) -> None:
    page.state = Page.State.EXHAUSTED
    page.next_check_at = None
    page.history = [*page.history, {"at": now.isoformat(), "to": "support_managers"}]
    page.save()
    enqueue(
        kind="page_unacknowledged",
        dedupe_key=f"page:{page.pk}:exhausted",
        recipients=_managers(),
        ticket=ticket,
        organization=ticket.organization,
        payload=_payload(ticket, page=page.pk, tiers=page.tier),
    )


def do_page_timeout(page: Page, now: dt.datetime) -> str:
    """Nobody acknowledged in time: page again (``paging.repages`` times), then the next tier
    or the support managers, as ``paging.then`` says; a waiting page whose clock has started
    pages now. Call with the page locked."""
    ticket = page.ticket
    if page.state not in _LIVE or page.next_check_at is None or page.next_check_at > now:
        return "none"
    if page.state == Page.State.WAITING:
        return _page_when_clock_starts(page, now)
    if not ticket.is_open:
        page.state, page.next_check_at = Page.State.CANCELLED, None
        page.save(update_fields=["state", "next_check_at"])
        return "cancelled"
    paging = ticket.policy.paging
    if paging is None:
        _exhaust(page, ticket, now)
        return "exhausted"
    if page.attempt <= paging.repages and page.engineer is not None:
        page.attempt += 1
        _send_page(page, ticket, now)
        return "repaged"
    if paging.then == "support_managers":
        _exhaust(page, ticket, now)
        return "exhausted"
    _page_next(page, ticket, tiers_for(ticket.policy.id), start_tier=page.tier, now=now)
    return "next_tier" if page.state == Page.State.PAGING else "exhausted"


def check_ack_token(token: str) -> tuple[Page, User | None]:
    try:
        data = signing.loads(token, salt=ACK_SALT, max_age=ACK_MAX_AGE)
    except signing.BadSignature:
        raise NotFound("page") from None
    page = Page.objects.select_related("ticket").filter(pk=data.get("p")).first()
    if page is None or page.ack_nonce != data.get("n"):
        raise NotFound("page")
    return page, User.objects.filter(pk=data.get("u"), is_active=True).first()


def do_acknowledge_page(
    page: Page, user: User, *, now: dt.datetime, via: str = "", by: str = "", assign: bool = True
) -> Page:
    """The engineer takes the page: paging stops, and an unassigned ticket becomes theirs.
    ``via`` and ``by`` record where it was acknowledged and by whom (the pager service and the
    name it gave) when that was not in Pacto."""
    if not user.is_staff_member:
        raise NotAllowed("only the vendor's staff acknowledge pages")
    with transaction.atomic():
        locked = Page.objects.select_for_update().select_related("ticket").get(pk=page.pk)
        if locked.state == Page.State.ACKNOWLEDGED:
            return locked
        if locked.state != Page.State.PAGING:
            raise ActionError(
                "page", "paging", f"this page is {locked.get_state_display().lower()}"
            )
        locked.state = Page.State.ACKNOWLEDGED
        locked.acknowledged_at = now
        locked.acknowledged_by = user
        locked.next_check_at = None
        entry = {"at": now.isoformat(), "acknowledged_by": user.email}
        if via:
            entry |= {"via": via, "by": by[:200]}
        locked.history = [*locked.history, entry]
        locked.save()
        ticket = locked.ticket
        if (
            assign
            and ticket.assignee_id is None
            and ticket.status_category != StatusCategory.CLOSED
        ):
            ticket_actions.do_assign(user, ticket, user, now=now)
    page.refresh_from_db()
    return locked


PAGERDUTY_DEDUP_PREFIX = "pacto-outbox-"  # see pacto.notifications.pager.pagerduty_event


def page_for_dedup_key(dedup_key: str) -> Page | None:
    """The page whose pager row was sent to PagerDuty with ``dedup_key``, if it is Pacto's."""
    number = dedup_key.removeprefix(PAGERDUTY_DEDUP_PREFIX) if dedup_key else ""
    if not dedup_key.startswith(PAGERDUTY_DEDUP_PREFIX) or not number.isdigit() or len(number) > 18:
        return None
    row = Outbox.objects.filter(pk=int(number), channel=Outbox.Channel.PAGER).first()
    page_id = (row.payload or {}).get("page") if row is not None else None
    return Page.objects.filter(pk=page_id).first() if isinstance(page_id, int) else None


def do_pager_callback(dedup_key: str, action: str, *, by: str, now: dt.datetime) -> str:
    """The pager service says the alert of one of Pacto's pages was acknowledged or resolved
    there: paging stops in Pacto as if the engineer had pressed Pacto's own link (the page
    is acknowledged, by the engineer it went to, and an unassigned ticket becomes theirs).
    Resolving an alert in PagerDuty does not solve the ticket: the customer still gets an
    answer from a person. Returns ``acknowledged``, ``resolved`` or ``ignored`` (not one of
    Pacto's pages, or nothing left to stop)."""
    if action not in ("acknowledge", "resolve"):
        raise ActionError("event_action", "acknowledge_or_resolve", f"{action!r} is not read back")
    page = page_for_dedup_key(dedup_key)
    if page is None or page.state != Page.State.PAGING:
        return "ignored"
    engineer = page.engineer if page.engineer is not None and page.engineer.is_active else None
    do_acknowledge_page(
        page, engineer or system_user(), now=now, via=f"pagerduty:{action}", by=by,
        assign=engineer is not None,
    )  # fmt: skip
    return "acknowledged" if action == "acknowledge" else "resolved"


def do_cancel_pages(ticket: Ticket, now: dt.datetime) -> int:
    """The ticket is solved or closed: stop paging for it."""
    return Page.objects.filter(ticket=ticket, state__in=_LIVE).update(
        state=Page.State.CANCELLED, next_check_at=None
    )
