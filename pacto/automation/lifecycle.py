"""When a policy's lifecycle rules act on a ticket: pure functions of the policy, the status
the ticket is in, since when, and how many follow-ups were sent (no Django, no clock).

Readings (the README's design notes say why):

- ``after`` counts from the moment the ticket entered ``from_status``, on the rule's
  calendar (``10 business days`` on senhasegura's business calendar; calendar days on real
  time);
- ``followups: N`` with ``remind_every: D``: each follow-up is due ``D`` after the previous
  one (the first ``D`` after entering the status). Follow-ups an agent sends while the ticket
  waits on the customer count too, and the next automatic one is due ``D`` after the agent's.
  Once ``N`` follow-ups went unanswered for ``answer_within`` (default ``D``), the rule fires.
  "whichever is earlier" (secpod): the rule fires at the earlier of that and ``after``; an
  automatic follow-up due at or after the rule fires is not sent;
- ``on_customer_reply: stop``: a customer reply stops the countdown; the vendor's next public
  reply starts it again from that reply (``reopen`` is the tickets app's: the reply reopens);
- ``only_when: details_requested``: the ticket waits on details or logs the vendor asked for;
  ``only_when: resolution_proposed``: the vendor marked the ticket solved and the customer
  has not confirmed (confirming closes it at once);
- when several rules leave the same status, the one that fires first applies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pacto.sla.policy import LifecycleRule, Policy, StatusCategory


@dataclass(frozen=True)
class Step:
    rule: LifecycleRule
    action: Literal["remind", "apply"]
    at: dt.datetime
    reminder: int = 0  # which follow-up (1..N) for "remind"


def applies(policy: Policy, rule: LifecycleRule, status_id: str, details_requested: bool) -> bool:
    if rule.from_status != status_id:
        return False
    match rule.only_when:
        case None:
            return True
        case "details_requested":
            return details_requested
        case "resolution_proposed":
            return policy.status(status_id).category == StatusCategory.SOLVED
    return False  # pragma: no cover - the policy schema allows nothing else


def _span(policy: Policy, rule: LifecycleRule, duration, start: dt.datetime, times: int = 1):
    base = policy.calendar(rule.calendar)
    return duration.counts_on(base).add(start, duration.length(base) * times)


def reminder_at(
    policy: Policy,
    rule: LifecycleRule,
    entered_at: dt.datetime,
    n: int,
    sent: int = 0,
    last_followup_at: dt.datetime | None = None,
) -> dt.datetime:
    """When automatic follow-up ``n`` is due, ``sent`` follow-ups having been sent (the last
    at ``last_followup_at``): each one ``remind_every`` after the one before."""
    assert rule.remind_every is not None
    return _span(policy, rule, rule.remind_every, last_followup_at or entered_at, n - sent)


def fires_at(
    policy: Policy,
    rule: LifecycleRule,
    entered_at: dt.datetime,
    sent: int = 0,
    last_followup_at: dt.datetime | None = None,
) -> dt.datetime:
    """When the rule changes the status if nothing else happens first."""
    candidates = []
    if rule.after is not None:
        candidates.append(_span(policy, rule, rule.after, entered_at))
    if rule.followups is not None:
        last = (
            last_followup_at
            if sent >= rule.followups and last_followup_at is not None
            else reminder_at(policy, rule, entered_at, rule.followups, sent, last_followup_at)
        )
        candidates.append(_span(policy, rule, rule.answer_within or rule.remind_every, last))
    return min(candidates)


def next_step(
    policy: Policy,
    status_id: str,
    entered_at: dt.datetime,
    details_requested: bool,
    reminders_sent: int = 0,
    rule_id: str | None = None,
    *,
    last_followup_at: dt.datetime | None = None,
    counting_from: dt.datetime | None = None,
    customer_replied: bool = False,
) -> Step | None:
    """The next automatic step for a ticket in ``status_id`` since ``entered_at``, or None.

    ``rule_id`` keeps the rule chosen when the ticket entered the status (follow-ups already
    sent belong to it). ``reminders_sent`` counts every follow-up sent so far, automatic or
    by an agent, the last at ``last_followup_at``. ``customer_replied``: the customer's
    latest reply since entering is unanswered; ``counting_from``: the vendor's reply after
    the customer's, from which a ``stop`` rule counts again.
    """
    rules = [r for r in policy.lifecycle if applies(policy, r, status_id, details_requested)]
    rules = [r for r in rules if not (customer_replied and r.on_customer_reply == "stop")]
    if rule_id is not None:
        rules = [r for r in rules if r.id == rule_id] or rules
    if not rules:
        return None

    def start(rule: LifecycleRule) -> dt.datetime:
        if rule.on_customer_reply == "stop" and counting_from is not None:
            return max(entered_at, counting_from)
        return entered_at

    def deadline(rule: LifecycleRule) -> dt.datetime:
        return fires_at(policy, rule, start(rule), reminders_sent, last_followup_at)

    rule = min(rules, key=deadline)
    fires = deadline(rule)
    if rule.followups is not None and reminders_sent < rule.followups:
        at = reminder_at(
            policy, rule, start(rule), reminders_sent + 1, reminders_sent, last_followup_at
        )
        if at < fires:
            return Step(rule, "remind", at, reminders_sent + 1)
    return Step(rule, "apply", fires)
