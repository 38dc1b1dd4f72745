"""Satisfaction (CSAT): one question per solved ticket, answered by signed link.

- When a ticket is solved (or closed, as the policy option ``PACTO_CSAT_ON`` says:
  ``solved`` or ``closed``), its requester gets one e-mail in their language with a link
  signed for that ticket; the link needs no sign-in and works for that ticket only.
- One answer per ticket (good or bad, then an optional reason from a list and a comment);
  it may be changed for 7 days after the first answer (``ANSWER_CHANGE_DAYS``), then it is
  final.
- Figures: surveys sent in the period, answered, response rate, % good, reasons; per agent
  (the assignee when the survey was sent), per organization and per month.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from pacto.errors import ActionError, NotFound
from pacto.reports.models import Survey

ANSWER_CHANGE_DAYS = 7
SALT = "pacto.reports.survey"


def survey_trigger() -> str:
    value = getattr(settings, "PACTO_CSAT_ON", "solved")
    return value if value in ("solved", "closed", "off") else "solved"


def survey_token(survey: Survey) -> str:
    # Not timestamped: the link in the e-mail stays the same link (the 7 days run from the
    # first answer, not from the signature).
    return signing.Signer(salt=SALT).sign_object({"t": survey.ticket_id, "s": survey.pk})


def survey_url(survey: Survey) -> str:
    return f"{settings.PACTO_BASE_URL.rstrip('/')}/survey/{survey_token(survey)}/"


def survey_for_token(token: str) -> Survey:
    """The survey a signed link is for; a link altered, or for another survey, is not found."""
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        raise NotFound("survey") from None
    survey = (
        Survey.objects.select_related("ticket", "requester")
        .filter(pk=data.get("s"), ticket_id=data.get("t"))
        .first()
    )
    if survey is None:
        raise NotFound("survey")
    return survey


def do_send_survey(ticket, now: dt.datetime | None = None) -> Survey | None:
    """The survey of a ticket just solved (or closed), once: a reopened and solved-again
    ticket keeps its one survey. Its e-mail is an outbox row of the same transaction."""
    from pacto.notifications.outbox import enqueue

    now = now or timezone.now()
    if not ticket.requester.is_active or ticket.requester.is_staff_member:
        return None
    survey, created = Survey.objects.get_or_create(
        ticket=ticket,
        defaults={"requester": ticket.requester, "agent": ticket.assignee, "sent_at": now},
    )
    if not created:
        return survey
    enqueue(
        kind="satisfaction_survey",
        dedupe_key=f"survey:{survey.pk}",
        recipients=[ticket.requester],
        ticket=ticket,
        organization=ticket.organization,
        payload={"ticket": ticket.pk, "subject": ticket.subject, "url": survey_url(survey)},
    )
    return survey


def check_answer(survey: Survey, rating: str, reason: str, now: dt.datetime) -> None:
    if rating not in Survey.Rating.values:
        raise ActionError("rating", "choice", "rating: good or bad")
    if reason and reason not in Survey.Reason.values:
        raise ActionError(
            "reason", "choice", f"reason: one of {', '.join(Survey.Reason.values)}, or none"
        )
    first = survey.answered_at
    if first is not None and now > first + dt.timedelta(days=ANSWER_CHANGE_DAYS):
        raise ActionError(
            "rating",
            "answer_final",
            f"the answer can be changed for {ANSWER_CHANGE_DAYS} days after it was given",
        )


def do_answer_survey(
    survey: Survey, *, rating: str, reason: str = "", comment: str = "", now=None
) -> Survey:
    now = now or timezone.now()
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ActionError("comment", "max_length", "a comment has at most 2000 characters")
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        check_answer(survey, rating, reason, now)
        survey.rating, survey.reason, survey.comment = rating, reason, comment
        if survey.answered_at is None:
            survey.answered_at = now
        else:
            survey.changed_at = now
        survey.save(update_fields=["rating", "reason", "comment", "answered_at", "changed_at"])
    return survey


def may_change(survey: Survey, now: dt.datetime) -> bool:
    return survey.answered_at is None or now <= survey.answered_at + dt.timedelta(
        days=ANSWER_CHANGE_DAYS
    )


# ----------------------------------------------------------------------------- figures


def _row(scope: str, items: list[dict]) -> dict:
    answered = [i for i in items if i["rating"]]
    good = sum(1 for i in answered if i["rating"] == "good")
    return {
        "scope": scope,
        "sent": len(items),
        "answered": len(answered),
        "response_rate_percent": round(100 * len(answered) / len(items), 1) if items else None,
        "good": good,
        "bad": len(answered) - good,
        "good_percent": round(100 * good / len(answered), 1) if answered else None,
        "reasons": dict(Counter(i["reason"] for i in answered if i["reason"])),
    }


def csat_figures(period, organization=None) -> dict:
    surveys = Survey.objects.filter(sent_at__gte=period.start, sent_at__lt=period.end)
    if organization is not None:
        surveys = surveys.filter(ticket__organization=organization)
    items = list(
        surveys.values(
            "rating", "reason", "agent__email", "agent__full_name", "ticket__organization__name"
        )
    )
    by_agent, by_org = defaultdict(list), defaultdict(list)
    for item in items:
        by_agent[item["agent__full_name"] or item["agent__email"] or "—"].append(item)
        by_org[item["ticket__organization__name"]].append(item)
    rows = [_row(f"month {period.month}", items)]
    rows += [_row(f"agent {name}", group) for name, group in sorted(by_agent.items())]
    rows += [_row(f"organization {name}", group) for name, group in sorted(by_org.items())]
    return {"total": rows[0], "rows": rows}
