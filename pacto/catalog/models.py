"""The vendor's products, what is known to be wrong with them, and what ships next.

Public API (used by contracts, tickets, kb and reports; keep it small):

- ``Product`` (``slug``, ``name``, ``vendor``) → ``Module`` → ``Version`` (``number``,
  ``released_on``, ``status``, ``end_of_support_on``, ``beta_policy``).
  ``Version.status_on(day)`` is the support status on a day (a supported version past its
  end of support is unsupported); ``Version.objects.current()`` the newest released
  supported version of each product and module.
- ``KnownIssue`` (``slug``, ``title``, ``status``, ``symptoms``, ``cause``, ``workaround``,
  ``fixed_in``) with ``AffectedRange`` rows (OSV-style ``introduced`` / ``fixed`` /
  ``last_affected``). ``KnownIssue.objects.published()`` is what customers may see;
  ``known_issue.affects(version)`` says whether a catalogue version is in range.
- ``Release`` (a new version, a platform update or a maintenance notice) and ``Publication``
  (one publishing step of a known issue or a release) with its ``NoticeDelivery`` rows: who
  was told what and when, at most once per step and organization.
- ``EngineeringItem`` (``key``, ``title``, ``status``, ``tracker_url``) with public
  ``EngineeringUpdate`` rows: the vendor's engineering work a customer can follow.

Layering: this module imports neither contracts nor tickets. Contracts' inventory and tickets
point at these rows; whatever opens tickets (notices, links) lives in ``pacto.catalog.notices``,
a layer above tickets.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pacto.audit import AuditEvent


def version_key(number: str) -> tuple:
    """How version numbers sort: numeric parts as numbers, the rest as text
    ("3.9" < "3.10" < "3.10.1"; "4.0-beta" sorts just after "4.0")."""
    parts = re.findall(r"\d+|[A-Za-z]+", number or "")
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in parts)


class SupportStatus(models.TextChoices):
    """Xecuritas: "released, supported Xecuritas products as opposed to
    unsupported/discontinued products; beta and field test technology is covered by a
    separate policy"."""

    SUPPORTED = "supported", _("Supported")
    UNSUPPORTED = "unsupported", _("Unsupported")
    DISCONTINUED = "discontinued", _("Discontinued")
    BETA = "beta", _("Beta / field test")


class Product(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    vendor = models.CharField(_("vendor"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Module(models.Model):
    """A part of a product sold and versioned on its own (senhasegura's PAM Core, …). Every
    product has at least its main module, named after the product, with ``main`` set."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="modules")
    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=100)
    main = models.BooleanField(default=False)

    class Meta:
        ordering = ["product__name", "-main", "name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "slug"], name="module_slug_per_product")
        ]

    def __str__(self) -> str:
        return self.product.name if self.main else f"{self.product.name} {self.name}"


class VersionQuerySet(models.QuerySet):
    def current(self, day: dt.date | None = None) -> list[Version]:
        """The newest released, supported version of each module on ``day``."""
        day = day or timezone.localdate()
        newest: dict[int, Version] = {}
        for version in self.filter(released_on__lte=day).select_related("module__product"):
            if version.status_on(day) != SupportStatus.SUPPORTED:
                continue
            best = newest.get(version.module_id)
            if best is None or version.key > best.key:
                newest[version.module_id] = version
        return sorted(newest.values(), key=lambda v: (v.module.product.name, str(v.module)))


class Version(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="versions")
    number = models.CharField(_("version"), max_length=60)
    released_on = models.DateField(_("released on"), null=True, blank=True)
    status = models.CharField(
        _("support status"),
        max_length=16,
        choices=SupportStatus.choices,
        default=SupportStatus.SUPPORTED,
    )
    end_of_support_on = models.DateField(_("end of support"), null=True, blank=True)
    beta_policy = models.CharField(
        _("policy covering it"),
        max_length=80,
        blank=True,
        help_text=_("beta / field test: the id of the separate policy that covers it"),
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["module__product__name", "module__name", "-released_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["module", "number"], name="version_per_module")
        ]

    def __str__(self) -> str:
        return f"{self.module} {self.number}"

    @property
    def key(self) -> tuple:
        return version_key(self.number)

    @property
    def product(self) -> Product:
        return self.module.product

    def status_on(self, day: dt.date) -> str:
        """The support status on ``day``: a supported version past its end of support is
        unsupported."""
        if (
            self.status == SupportStatus.SUPPORTED
            and self.end_of_support_on is not None
            and day > self.end_of_support_on
        ):
            return SupportStatus.UNSUPPORTED
        return self.status


# ----------------------------------------------------------------------------- known issues


class KnownIssueQuerySet(models.QuerySet):
    def published(self):
        """What customers may see: published, not retired."""
        return self.filter(published_at__isnull=False).exclude(status=KnownIssue.Status.RETIRED)


class KnownIssue(models.Model):
    """senhasegura §9: "Whenever a software issue is identified by the manufacturer, the customer
    will be notified of the issue, temporary palliative solution and definitive correction"."""

    class Status(models.TextChoices):
        INVESTIGATING = "investigating", _("Investigating")
        KNOWN_ERROR = "known_error", _("Known error")
        FIX_SCHEDULED = "fix_scheduled", _("Fix scheduled")
        FIXED = "fixed", _("Fixed")
        RETIRED = "retired", _("Retired")

    slug = models.SlugField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="known_issues")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.INVESTIGATING
    )
    symptoms = models.TextField(_("symptoms"))
    cause = models.TextField(_("cause"), blank=True)
    workaround = models.TextField(_("palliative solution"), blank=True)
    fix = models.TextField(_("definitive correction"), blank=True)
    fixed_in = models.ForeignKey(
        Version,
        verbose_name=_("fixed in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fixes",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = KnownIssueQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.slug}: {self.title}"

    def affects(self, version: Version | None) -> bool:
        """Whether a catalogue version lies in one of the affected ranges."""
        if version is None:
            return False
        return any(r.contains(version) for r in self.ranges.all())


class AffectedRange(models.Model):
    """One OSV-style range of one module: affected from ``introduced`` up to (not including)
    ``fixed``, or up to and including ``last_affected``; open-ended when neither is set."""

    known_issue = models.ForeignKey(KnownIssue, on_delete=models.CASCADE, related_name="ranges")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    introduced = models.CharField(_("introduced"), max_length=60, default="0")
    fixed = models.CharField(_("fixed"), max_length=60, blank=True)
    last_affected = models.CharField(_("last affected"), max_length=60, blank=True)

    class Meta:
        ordering = ["module", "introduced"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fixed="") | Q(last_affected=""), name="fixed_or_last_affected"
            )
        ]

    def __str__(self) -> str:
        end = f"< {self.fixed}" if self.fixed else f"<= {self.last_affected or '∞'}"
        return f"{self.module} >= {self.introduced} {end}"

    def contains(self, version: Version) -> bool:
        if version.module_id != self.module_id:
            return False
        key = version.key
        if self.introduced not in ("", "0") and key < version_key(self.introduced):
            return False
        if self.fixed:
            return key < version_key(self.fixed)
        if self.last_affected:
            return key <= version_key(self.last_affected)
        return True


# ----------------------------------------------------------------------------- releases


class Release(models.Model):
    """senhasegura §11: "Whenever a new software release version is available, customers will
    be notified via ticket"; SecPod: "Updates may be made to the SanerNow platform for
    various reasons including ... critical patches, security fixes, general maintenance"."""

    class Kind(models.TextChoices):
        RELEASE = "release", _("New release")
        UPDATE = "update", _("Platform update")
        MAINTENANCE = "maintenance", _("Maintenance")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.RELEASE)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="releases")
    version = models.ForeignKey(
        Version, null=True, blank=True, on_delete=models.PROTECT, related_name="releases"
    )
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("release notes"))
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Publication(models.Model):
    """One publishing step: a known issue, its workaround or its fix, or a release. Exists
    once per step; publishing again finds it and tells only whom it has not told yet."""

    class Step(models.TextChoices):
        ISSUE = "issue", _("Issue")
        WORKAROUND = "workaround", _("Palliative solution")
        FIX = "fix", _("Definitive correction")
        RELEASE = "release", _("Release")

    known_issue = models.ForeignKey(
        KnownIssue, null=True, blank=True, on_delete=models.CASCADE, related_name="publications"
    )
    release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.CASCADE, related_name="publications"
    )
    step = models.CharField(max_length=16, choices=Step.choices)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["published_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["known_issue", "step"],
                condition=Q(known_issue__isnull=False),
                name="one_publication_per_issue_step",
            ),
            models.UniqueConstraint(
                fields=["release"],
                condition=Q(release__isnull=False),
                name="one_publication_per_release",
            ),
            models.CheckConstraint(
                condition=Q(known_issue__isnull=True) ^ Q(release__isnull=True),
                name="publication_of_issue_or_release",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.known_issue or self.release} {self.step}"


class NoticeDelivery(models.Model):
    """Who was told what and when: one row per organization (its notice ticket and the
    contacts emailed) or per linked ticket (its public reply). The unique constraints make
    telling anyone twice impossible, even for two publishers at once."""

    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("Notice ticket")
        LINKED_TICKET = "linked_ticket", _("Reply on a linked ticket")

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="notices"
    )
    # The ticket told (notice ticket or linked ticket), by number: tickets sit above the
    # catalogue, so it is not a foreign key.
    ticket_number = models.PositiveBigIntegerField()
    version = models.CharField(max_length=60, blank=True, help_text=_("the installed version"))
    emailed = models.JSONField(default=list, blank=True, help_text=_("addresses emailed"))
    delivered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["delivered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "organization"],
                condition=Q(kind="organization"),
                name="one_notice_per_organization_and_step",
            ),
            models.UniqueConstraint(
                fields=["publication", "ticket_number"],
                condition=Q(kind="linked_ticket"),
                name="one_reply_per_linked_ticket_and_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publication} → {self.organization} (#{self.ticket_number})"


# ----------------------------------------------------------------------------- engineering


class EngineeringItem(models.Model):
    """Allure: "a ticket will be opened which will track the issue. You will be notified if
    and when this happens, and will be given access to follow the ticket as it is updated"."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        IN_REVIEW = "in_review", _("In review")
        DONE = "done", _("Done")
        WONT_DO = "wont_do", _("Will not be done")

    key = models.CharField(_("key"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default="open")
    tracker_url = models.URLField(_("tracker URL"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"


class EngineeringUpdate(models.Model):
    """A public update of an engineering item (customers following it read it)."""

    item = models.ForeignKey(EngineeringItem, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=16, choices=EngineeringItem.Status.choices)
    body = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item.key} {self.status} at {self.at:%Y-%m-%d %H:%M}"


class CatalogEvent(AuditEvent):
    """Immutable audit trail of catalogue changes (versions, known issues, releases)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_ref = models.CharField(max_length=120, help_text=_("e.g. known_issue:KI-12"))

    def __str__(self) -> str:
        return f"{self.kind} {self.object_ref} at {self.at:%Y-%m-%d %H:%M}"
