"""Telling customers: software-issue notices, release notices and engineering updates.

This module sits above tickets (it opens notice tickets and replies on linked ones); the rest
of ``pacto.catalog`` sits below contracts and tickets. An import-linter contract keeps it so.

- senhasegura §9: "Whenever a software issue is identified by the manufacturer, the customer
  will be notified of the issue, temporary palliative solution and definitive correction."
  Each step (issue, workaround, fix) is a ``Publication``; it reaches every organization with
  an active contract whose inventory has a version in an affected range, by a notice ticket
  (one per organization and known issue: later steps reply on it) and an email to its
  authorized contacts, and every linked ticket by a public reply. ``NoticeDelivery`` rows
  record who was told what and when, and their unique constraints make publishing twice
  tell nobody twice.
- senhasegura §11: "Whenever a new software release version is available, customers will be
  notified via ticket. The customer will be responsible for scheduling and performing the
  software update"; SecPod's SanerNow updates and maintenance, the same way.
- Allure: engineering work a customer follows: every change reaches the tickets that follow
  it.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from pacto.accounts.models import Organization, User
from pacto.catalog.actions import apply_engineering_change, require_staff
from pacto.catalog.models import (
    EngineeringItem,
    KnownIssue,
    NoticeDelivery,
    Publication,
    Release,
)
from pacto.contracts.models import ContractProduct
from pacto.errors import ActionError
from pacto.tickets import actions as ticket_actions
from pacto.tickets.models import Ticket


@dataclass
class PublishResult:
    publication: Publication
    organizations: list[Organization] = field(default_factory=list)  # told now
    tickets_replied: list[int] = field(default_factory=list)
    already_told: int = 0

    @property
    def told(self) -> int:
        return len(self.organizations) + len(self.tickets_replied)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _active_inventory(day: dt.date):
    """Inventory lines of contracts active on ``day``."""
    return ContractProduct.objects.filter(
        contract__starts_on__lte=day, contract__ends_on__gte=day
    ).select_related("contract__organization", "installed_version__module", "catalog_module")


def affected_organizations(issue: KnownIssue, day: dt.date) -> dict[Organization, str]:
    """Organizations with an active contract whose inventory has a version in one of the
    issue's affected ranges, with the version they run."""
    ranges = list(issue.ranges.all())
    found: dict[Organization, str] = {}
    lines = _active_inventory(day).filter(
        installed_version__module__in=[r.module_id for r in ranges]
    )
    for line in lines.order_by("contract__organization__name", "pk"):
        version = line.installed_version
        if any(r.contains(version) for r in ranges):
            found.setdefault(line.contract.organization, str(version))
    return found


def organizations_with_product(product, day: dt.date) -> dict[Organization, str]:
    """Organizations with ``product`` under an active contract, with what they run."""
    found: dict[Organization, str] = {}
    lines = _active_inventory(day).filter(catalog_module__product=product)
    for line in lines.order_by("contract__organization__name", "pk"):
        installed = line.installed_version
        found.setdefault(line.contract.organization, str(installed) if installed else "")
    return found


STEP_REQUIRES = {
    Publication.Step.ISSUE: ("symptoms", "describe the symptoms before publishing the issue"),
    Publication.Step.WORKAROUND: ("workaround", "write the palliative solution first"),
    Publication.Step.FIX: ("fixed_in", "name the version that fixes it first"),
}


def check_publish(issue: KnownIssue, step: str) -> None:
    if step not in STEP_REQUIRES:
        raise ActionError("step", "choice", "step: issue, workaround or fix")
    required, message = STEP_REQUIRES[step]
    if not getattr(issue, required):
        raise ActionError(required, "required_to_publish", message)
    if step != Publication.Step.ISSUE and issue.published_at is None:
        raise ActionError("step", "issue_first", "publish the issue itself first")
    if issue.status == KnownIssue.Status.RETIRED:
        raise ActionError("status", "not_retired", "a retired known issue is not published")


def _issue_notice(issue: KnownIssue, step: str, version: str) -> tuple[str, str]:
    """The subject and body of a software-issue notice step (the known issue's own words,
    with bilingual labels: the email around it is in each contact's language)."""
    e = html.escape
    subject = {
        "issue": f"Software issue {issue.slug}: {issue.title}",
        "workaround": f"Workaround for {issue.slug}: {issue.title}",
        "fix": f"Fix for {issue.slug} in {issue.fixed_in}: {issue.title}",
    }[step]
    parts = [f"<p><strong>{e(issue.slug)}: {e(issue.title)}</strong></p>"]
    if version:
        parts.append(f"<p>Affected version / Versão afetada: {e(version)}</p>")
    if step == "issue":
        parts.append(f"<p>Symptoms / Sintomas: {e(issue.symptoms)}</p>")
        if issue.cause:
            parts.append(f"<p>Cause / Causa: {e(issue.cause)}</p>")
    if issue.workaround and step in ("issue", "workaround"):
        parts.append(
            f"<p>Palliative solution / Solução paliativa: {e(issue.workaround)}</p>"
            "<p>Use the palliative solution so that the problem does not affect the use of "
            "the system. / Use a solução paliativa para que o problema não afete o uso do "
            "sistema.</p>"
        )
    if step == "fix":
        parts.append(f"<p>Fixed in / Corrigido em: {e(str(issue.fixed_in))}</p>")
        if issue.fix:
            parts.append(f"<p>{e(issue.fix)}</p>")
        parts.append(
            "<p>Please schedule the update and tell us when on this ticket. / Agende a "
            "atualização e nos informe a data neste chamado.</p>"
        )
    return subject, "".join(parts)


def do_publish_known_issue(
    actor: User, issue: KnownIssue, step: str, *, now: dt.datetime | None = None
) -> PublishResult:
    """Publish one step of a known issue and tell everyone affected who was not told yet."""
    now = _now(now)
    require_staff(actor, "publish known issues")
    issue = KnownIssue.objects.get(pk=issue.pk)
    check_publish(issue, step)
    with transaction.atomic():
        publication, _ = Publication.objects.get_or_create(
            known_issue=issue, step=step, defaults={"published_by": actor, "published_at": now}
        )
        if step == Publication.Step.ISSUE and issue.published_at is None:
            issue.published_at = now
            if issue.status == KnownIssue.Status.INVESTIGATING:
                issue.status = KnownIssue.Status.KNOWN_ERROR
        if step == Publication.Step.FIX:
            issue.status = KnownIssue.Status.FIXED
        issue.save()
    result = PublishResult(publication)
    told = set(
        publication.deliveries.filter(kind=NoticeDelivery.Kind.ORGANIZATION).values_list(
            "organization_id", flat=True
        )
    )
    for organization, version in affected_organizations(issue, now.date()).items():
        if organization.pk in told:
            result.already_told += 1
            continue
        subject, body = _issue_notice(issue, step, version)
        if _tell_organization(
            actor, publication, organization, version, subject, body, now,
            notice_key=f"known_issue:{issue.pk}:organization:{organization.pk}",
            kind="known_issue_notice",
            payload={"known_issue": issue.slug, "title": issue.title, "step": step,
                     "affected_version": version,
                     "fixed_in": str(issue.fixed_in) if issue.fixed_in else ""},
        ):  # fmt: skip
            result.organizations.append(organization)
    _reply_on_linked_tickets(actor, issue, publication, step, now, result)
    return result


def _tell_organization(
    actor, publication, organization, version, subject, body, now, *, notice_key, kind, payload
) -> bool:
    """One notice to one organization, recorded; False when it was told already (by a
    concurrent publisher) or cannot be told (no active contract or no authorized contact)."""
    try:
        with transaction.atomic():
            delivery = NoticeDelivery.objects.create(
                publication=publication, kind=NoticeDelivery.Kind.ORGANIZATION,
                organization=organization, ticket_number=0, version=version, delivered_at=now,
            )  # fmt: skip
            existing = Ticket.objects.filter(notice_key=notice_key).first()
            if existing is not None and existing.is_open:
                # Later steps of the same known issue continue the organization's notice.
                ticket, contacts = (
                    existing,
                    ticket_actions.do_notice_reply(
                        actor, existing, body, kind=kind, payload=payload, now=now
                    ),
                )
            else:
                key = notice_key if existing is None else f"{notice_key}:{publication.pk}"
                opened = ticket_actions.do_open_notice(
                    actor, organization=organization, subject=subject, body=body,
                    notice_key=key, kind=kind, payload=payload, now=now,
                )  # fmt: skip
                if opened is None:
                    transaction.set_rollback(True)
                    return False
                ticket, contacts = opened
            delivery.ticket_number = ticket.pk
            delivery.emailed = [c.email for c in contacts]
            delivery.save(update_fields=["ticket_number", "emailed"])
    except IntegrityError:
        return False  # told meanwhile by another publisher: the constraint kept it once
    return True


def _reply_on_linked_tickets(actor, issue, publication, step, now, result) -> None:
    """Linked tickets get a public reply for each step, once; when the fix ships, those that
    waited for it go back to the vendor."""
    done = set(
        publication.deliveries.filter(kind=NoticeDelivery.Kind.LINKED_TICKET).values_list(
            "ticket_number", flat=True
        )
    )
    linked = Ticket.objects.filter(known_issue=issue).exclude(status_category="closed")
    for ticket in linked.select_related("organization").order_by("pk"):
        if ticket.pk in done or ticket.type == Ticket.Type.NOTICE:
            continue
        _subject, body = _issue_notice(issue, step, ticket.version)
        try:
            with transaction.atomic():
                NoticeDelivery.objects.create(
                    publication=publication, kind=NoticeDelivery.Kind.LINKED_TICKET,
                    organization=ticket.organization, ticket_number=ticket.pk,
                    version=ticket.version, emailed=[ticket.requester.email], delivered_at=now,
                )  # fmt: skip
                if ticket.status_category == "solved":
                    continue
                ticket_actions.do_reply(actor, ticket, body, body_format="html", now=now)
                if step == Publication.Step.FIX:
                    ticket_actions.do_resume_after_fix(actor, ticket, now=now)
        except IntegrityError:
            continue
        result.tickets_replied.append(ticket.pk)


# ----------------------------------------------------------------------------- releases


def _release_notice(release: Release, version: str) -> tuple[str, str]:
    e = html.escape
    parts = [f"<p><strong>{e(release.title)}</strong></p>", f"<p>{e(release.notes)}</p>"]
    if version:
        parts.append(f"<p>Your version / Sua versão: {e(version)}</p>")
    if release.kind == Release.Kind.MAINTENANCE:
        when = release.scheduled_for.isoformat(timespec="minutes")
        parts.append(f"<p>Scheduled for / Agendada para: {e(when)}</p>")
    else:
        if release.version:
            parts.append(f"<p>New version / Nova versão: {e(str(release.version))}</p>")
        # senhasegura §11: "The customer will be responsible for scheduling and performing the
        # software update, respecting the company's change management policies."
        parts.append(
            "<p>Please schedule the update under your change management policy and answer "
            "on this ticket with the date. / Agende a atualização conforme sua política de "
            "gestão de mudanças e responda neste chamado com a data.</p>"
        )
    return release.title, "".join(parts)


def do_publish_release(
    actor: User, release: Release, *, now: dt.datetime | None = None
) -> PublishResult:
    """Open a notice ticket for each organization with the release's product under an active
    contract (once each, however often it is published)."""
    now = _now(now)
    require_staff(actor, "publish releases")
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        publication, _ = Publication.objects.get_or_create(
            release=release,
            defaults={"step": Publication.Step.RELEASE, "published_by": actor, "published_at": now},
        )
        if release.published_at is None:
            release.published_at = now
            release.save(update_fields=["published_at"])
    result = PublishResult(publication)
    told = set(publication.deliveries.values_list("organization_id", flat=True))
    for organization, version in organizations_with_product(release.product, now.date()).items():
        if organization.pk in told:
            result.already_told += 1
            continue
        subject, body = _release_notice(release, version)
        if _tell_organization(
            actor, publication, organization, version, subject, body, now,
            notice_key=f"release:{release.pk}:organization:{organization.pk}",
            kind="release_notice",
            payload={"title": release.title, "release_kind": release.get_kind_display(),
                     "new_version": str(release.version) if release.version else "",
                     "affected_version": version},
        ):  # fmt: skip
            result.organizations.append(organization)
    return result


# ----------------------------------------------------------------------------- engineering


def do_update_engineering_item(
    actor: User,
    item: EngineeringItem,
    *,
    status: str | None = None,
    title: str | None = None,
    body: str = "",
    now: dt.datetime | None = None,
):
    """A change of an engineering item (by an agent, or a tracker's webhook through the API):
    recorded as a public update and told to every customer following it."""
    now = _now(now)
    require_staff(actor, "update engineering work")
    with transaction.atomic():
        item = EngineeringItem.objects.select_for_update().get(pk=item.pk)
        update = apply_engineering_change(
            actor, item, status=status, title=title, body=body, now=now
        )
        for ticket in Ticket.objects.filter(engineering_item=item).order_by("pk"):
            ticket_actions.do_record_engineering_update(actor, ticket, update, now=now)
    return update
