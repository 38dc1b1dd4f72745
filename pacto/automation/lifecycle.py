"""When a policy's lifecycle rules act on a ticket: pure functions of the policy, the status
the ticket is in, since when, and how many follow-ups were sent (no Django, no clock).

Readings (the README's design notes say why):

- ``after`` counts from the moment the ticket entered ``from_status``, on the rule's
  calendar (``10 business days`` on senhasegura's business calendar; calendar days on real
  time);
- ``followups: N`` with ``remind_every: D``: follow-up n is due n x D after entering the
  status; the customer has had N follow-ups without answering one interval after the last,
  so that trigger falls at (N + 1) x D. "whichever is earlier" (secpod): the rule fires at
  the earlier of that and ``after``; a follow-up due at or after the rule fires is not sent;
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
    policy: Policy, rule: LifecycleRule, entered_at: dt.datetime, n: int
) -> dt.datetime:
    assert rule.remind_every is not None
    return _span(policy, rule, rule.remind_every, entered_at, n)


def fires_at(policy: Policy, rule: LifecycleRule, entered_at: dt.datetime) -> dt.datetime:
    """When the rule changes the status if nothing else happens first."""
    candidates = []
    if rule.after is not None:
        candidates.append(_span(policy, rule, rule.after, entered_at))
    if rule.followups is not None:
        candidates.append(reminder_at(policy, rule, entered_at, rule.followups + 1))
    return min(candidates)


def next_step(
    policy: Policy,
    status_id: str,
    entered_at: dt.datetime,
    details_requested: bool,
    reminders_sent: int = 0,
    rule_id: str | None = None,
) -> Step | None:
    """The next automatic step for a ticket in ``status_id`` since ``entered_at``, or None.

    ``rule_id`` keeps the rule chosen when the ticket entered the status (follow-ups already
    sent belong to it).
    """
    rules = [r for r in policy.lifecycle if applies(policy, r, status_id, details_requested)]
    if rule_id is not None:
        rules = [r for r in rules if r.id == rule_id] or rules
    if not rules:
        return None
    rule = min(rules, key=lambda r: fires_at(policy, r, entered_at))
    deadline = fires_at(policy, rule, entered_at)
    if rule.followups is not None and reminders_sent < rule.followups:
        at = reminder_at(policy, rule, entered_at, reminders_sent + 1)
        if at < deadline:
            return Step(rule, "remind", at, reminders_sent + 1)
    return Step(rule, "apply", deadline)
