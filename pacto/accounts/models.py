"""Who may ask, and who answers: organizations, their contacts, the vendor's agents.

senhasegura §2: "Only customers under a valid support contract are authorized to work with
Technical Support. For partners/distributors providing services to customers certification
is required". Allure: "Your technical contacts are the sole liaisons".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import Counter

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pacto.audit import AuditEvent


class Organization(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        PARTNER = "partner", _("Partner")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    account_manager = models.ForeignKey(
        "accounts.User",
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_accounts",
        limit_choices_to={"role__in": ["agent", "manager"]},
    )
    served_customers = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="partners",
        verbose_name=_("customers served (partners only)"),
        limit_choices_to={"kind": "customer"},
    )
    email_domains = models.CharField(
        _("email domains"), max_length=300, blank=True, help_text=_("comma-separated")
    )
    share_tickets = models.BooleanField(
        _("contacts share tickets"),
        null=True,
        blank=True,
        help_text=_(
            "Whether authorized contacts see and answer their colleagues' tickets. Empty: "
            "as the policy of the organization's contract says."
        ),
    )
    partnership_starts_on = models.DateField(_("partnership starts on"), null=True, blank=True)
    partnership_ends_on = models.DateField(_("partnership ends on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_partner(self) -> bool:
        return self.kind == self.Kind.PARTNER

    def partnership_valid_on(self, day: dt.date) -> bool:
        """senhasegura §7: "Partners under a valid partnership contract and having certified
        professional". A partner without recorded agreement dates is not a valid partner."""
        return (
            self.is_partner
            and self.partnership_starts_on is not None
            and self.partnership_starts_on <= day
            and (self.partnership_ends_on is None or day <= self.partnership_ends_on)
        )


class PartnerCertification(models.Model):
    """A certified professional of a partner (senhasegura §2: "senhasegura Pam Core
    certification is required")."""

    holder = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="certifications"
    )
    name = models.CharField(max_length=200)
    valid_until = models.DateField()

    class Meta:
        ordering = ["-valid_until"]

    def __str__(self) -> str:
        return f"{self.name} ({self.holder}, until {self.valid_until})"

    def is_valid_on(self, day: dt.date) -> bool:
        return day <= self.valid_until


class TrainingRecord(models.Model):
    """A course a contact took (Allure: "Your technical contacts must have, at a minimum,
    initial basic product training"; senhasegura §7.5: "qualified personnel")."""

    contact = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="training_records"
    )
    course = models.CharField(_("course"), max_length=200)
    completed_on = models.DateField(_("completed on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        ordering = ["-completed_on"]

    def __str__(self) -> str:
        return f"{self.course} ({self.contact}, {self.completed_on})"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.completed_on <= day and (self.expires_on is None or day <= self.expires_on)


class Invitation(models.Model):
    """An activation link sent to a new contact (senhasegura §7.2: "the access will be created
    automatically, and the user will receive an email to activate their account").

    Only a SHA-256 of the link's secret is stored. A link works once, until ``expires_at``;
    sending it again replaces the secret, so an older email stops working.
    """

    contact = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="invitation"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField()
    sent_count = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"invitation of {self.contact}"

    def state_on(self, now: dt.datetime) -> str:
        if self.accepted_at is not None:
            return "accepted"
        return "expired" if now >= self.expires_at else "pending"


class PactoUserManager(UserManager):
    """Users sign in with their email address, compared case-insensitively."""

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("email: an email address is required")
        # Without a zone of their own (`pacto createsuperuser`), a person's UTC is a guess.
        extra_fields.setdefault("time_zone_guessed", "time_zone" not in extra_fields)
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, role="admin")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person who signs in: a customer or partner contact, or one of the vendor's staff."""

    class Role(models.TextChoices):
        CONTACT = "contact", _("Contact")
        AGENT = "agent", _("Agent")
        MANAGER = "manager", _("Support manager")
        PRODUCT_MANAGER = "product_manager", _("Product manager")
        ADMIN = "admin", _("Administrator")

    class Line(models.TextChoices):
        FIRST = "first", _("First line")
        SECOND = "second", _("Second line")

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CONTACT)
    support_line = models.CharField(
        _("support line"), max_length=8, choices=Line.choices, blank=True
    )
    is_senior = models.BooleanField(
        _("senior engineer"),
        default=False,
        help_text=_("Offered first the tickets a policy routes to senior engineers."),
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    is_authorized = models.BooleanField(
        _("authorized contact"),
        default=False,
        help_text=_("May open tickets and request services for the organization."),
    )
    is_focal_point = models.BooleanField(_("focal point"), default=False)
    is_org_admin = models.BooleanField(_("organization admin"), default=False)
    language = models.CharField(_("language"), max_length=8, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # True while nobody chose ``time_zone`` (it is the organization's or the installation's):
    # the browser's zone replaces it at the person's first page (``do_take_browser_zone``).
    time_zone_guessed = models.BooleanField(_("time zone is a guess"), default=False)

    objects = PactoUserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_contact(self) -> bool:
        return self.role == self.Role.CONTACT

    @property
    def is_staff_member(self) -> bool:
        """One of the vendor's people (agents, managers, product managers, admins)."""
        return self.role != self.Role.CONTACT

    @property
    def is_manager(self) -> bool:
        return self.role in (self.Role.MANAGER, self.Role.ADMIN)

    def certified_on(self, day: dt.date) -> bool:
        return any(c.is_valid_on(day) for c in self.certifications.all())

    def trained_on(self, day: dt.date, course: str | None = None) -> bool:
        """A valid training record on ``day`` (of ``course`` when one is named)."""
        return any(
            r.is_valid_on(day) and (course is None or r.course.casefold() == course.casefold())
            for r in self.training_records.all()
        )


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the secret is stored; the secret is shown once."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")
        # Only pushes probe results (POST /api/availability/results): for an external
        # monitor such as Prometheus blackbox or Uptime Kuma.
        MONITOR = "monitor", _("Monitor: push probe results")

    PREFIX = "pacto_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.READ)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="first characters, to recognise it")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def digest(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class RateCounter(models.Model):
    """Requests counted in one fixed window of a rate limit (``pacto.api``): one row per key
    and window, bumped by a single UPSERT, shared by every web process."""

    key = models.CharField(max_length=120)
    window = models.BigIntegerField(help_text="start of the window, in seconds since 1970")
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="rate_counter_key_window")
        ]


class AccountEvent(AuditEvent):
    """Immutable audit trail of access changes (authorizations, revocations, focal points)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="events", null=True
    )
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    subject = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")


def organization_language(organization: Organization) -> str:
    """The language most of the organization's admins (else contacts) chose: en or pt-br.
    A read, not an action: the notifications render with it, below the actions."""
    people = User.objects.filter(organization=organization, is_active=True)
    admins = people.filter(is_org_admin=True)
    languages = Counter(
        (code or "en").lower().startswith("pt")
        for code in (admins if admins.exists() else people).values_list("language", flat=True)
    )
    return "pt-br" if languages[True] > languages[False] else "en"
