"""The knowledge base's monthly figures, always counted by queries over stored events and
votes (never counters): searches, suggestions shown, deflections, tickets opened after
seeing articles, helpful and not helpful votes, and published articles nobody viewed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from pacto.kb.models import Article, KbEvent, Vote


@dataclass
class Month:
    first: dt.date
    searches: int
    suggestions: int
    deflections: int
    tickets_after: int
    helpful: int
    not_helpful: int
    unviewed: int

    @property
    def deflection_rate(self) -> float | None:
        """Deflections among the times suggestions ended in a choice (answered or ticket)."""
        total = self.deflections + self.tickets_after
        return round(100 * self.deflections / total, 1) if total else None


def _bounds(first: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime(first.year, first.month, 1, tzinfo=zone)
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return start, dt.datetime(following.year, following.month, 1, tzinfo=zone)


def month(first: dt.date) -> Month:
    start, end = _bounds(first)
    events = KbEvent.objects.filter(at__gte=start, at__lt=end).aggregate(
        **{
            kind: Count("pk", filter=Q(kind=value))
            for kind, value in (
                ("searches", KbEvent.Kind.SEARCH),
                ("suggestions", KbEvent.Kind.SUGGESTIONS),
                ("deflections", KbEvent.Kind.DEFLECTION),
                ("tickets_after", KbEvent.Kind.TICKET_AFTER),
            )
        }
    )
    votes = Vote.objects.filter(updated_at__gte=start, updated_at__lt=end).aggregate(
        yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False))
    )
    votes = {"helpful": votes["yes"], "not_helpful": votes["no"]}
    viewed = KbEvent.objects.filter(
        article=OuterRef("pk"), kind=KbEvent.Kind.VIEW, at__gte=start, at__lt=end
    )
    unviewed = (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__lt=end)
        .exclude(Exists(viewed))
        .count()
    )
    return Month(first=first, unviewed=unviewed, **events, **votes)


def monthly(last: dt.date, months: int = 6) -> list[Month]:
    result = []
    year, number = last.year, last.month
    for _ in range(months):
        result.append(month(dt.date(year, number, 1)))
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
    return result


def unviewed_articles(first: dt.date, limit: int = 50):
    start, end = _bounds(first)
    viewed = KbEvent.objects.filter(
        article=OuterRef("pk"), kind=KbEvent.Kind.VIEW, at__gte=start, at__lt=end
    )
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__lt=end)
        .exclude(Exists(viewed))
        .order_by("title")[:limit]
    )
