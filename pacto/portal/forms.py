"""The portal's forms. They parse and check the shape of input; the actions check the rules."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pacto.accounts.models import ApiToken
from pacto.errors import ActionError
from pacto.portal.display import DETAIL_LABELS, policy_name
from pacto.sla.policy import Policy, preset, preset_names
from pacto.tickets.actions import _DETAIL_ALIASES, DETAIL_FIELDS
from pacto.tickets.content import ALLOWED_ATTACHMENT_SUFFIXES, MARKDOWN_HELP, check_attachment
from pacto.tickets.models import Ticket

DETAIL_HELP = {
    "version": _("The exact version in use, e.g. 3.31.0."),
    "steps": _("The commands or procedure in which the error occurs, step by step."),
    "expected_result": _("What you expected to happen."),
    "obtained_result": _("What happened: error messages, symptoms."),
    "circumstances": _("When and how the problem was found (after an upgrade, a change…)."),
}
CUSTOMER_TYPES = [
    (Ticket.Type.PROBLEM, _("Problem")),
    (Ticket.Type.QUESTION, _("Question")),
    (Ticket.Type.SERVICE_REQUEST, _("Service request")),
    (Ticket.Type.FEATURE_REQUEST, _("Feature request")),
]
ENVIRONMENTS = {"production": _("Production"), "non-production": _("Non-production")}
CHANNELS = {"portal": _("Portal"), "email": _("Email"), "phone": _("Phone"), "api": _("API")}
DUE_INPUT = {"data-due": ""}  # inputs whose change updates the due-time preview (htmx)


def version_label(version, installed: bool) -> str:
    status = version.get_status_display()
    label = f"{version.module} {version.number} — {status}"
    if version.end_of_support_on and version.status == "supported":
        label += " " + gettext("until %(date)s") % {"date": version.end_of_support_on.isoformat()}
    if installed:
        label += " " + gettext("(installed)")
    return label


class ProductVersionField(forms.ChoiceField):
    """The contract's catalogue products and versions; the free-text product and version
    fields stay for products outside the catalogue."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("Product and version"),
            required=False,
            widget=forms.Select(attrs=DUE_INPUT),
            help_text=_("The versions of the products under your contract."),
            **kwargs,
        )
        self.versions = {}

    def offer(self, versions, installed_ids=()) -> None:
        self.versions = {str(v.pk): v for v in versions}
        self.choices = [("", gettext("Not in the list (type it below)"))] + [
            (str(v.pk), version_label(v, v.pk in installed_ids)) for v in versions
        ]

    def clean(self, value):
        value = super().clean(value)
        return self.versions.get(value) if value else None


def offer_versions(field: ProductVersionField, contract) -> None:
    from pacto.tickets.actions import contract_versions

    installed = set(
        contract.products.exclude(installed_version=None).values_list(
            "installed_version", flat=True
        )
    )
    versions = contract_versions(contract)
    field.offer(versions, installed)
    if installed and not field.initial:
        field.initial = str(next(iter(installed)))


class PactoForm(forms.Form):
    """Labels without a trailing colon; required fields' labels carry the class ``required``."""

    required_css_class = "required"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def required_details(policy: Policy) -> list[str]:
    """The ticket fields a problem report must fill under ``policy`` (senhasegura §7.6, Xecuritas)."""
    fields = []
    for name in policy.details_supplied_by("customer"):
        field = _DETAIL_ALIASES.get(name, name)
        if field and field not in fields:
            fields.append(field)
    return fields


def initial_severity(policy: Policy, channel: str) -> str:
    """The severity a form starts on: the policy's default for the channel, else the least
    severe (a report never starts out claiming more urgency than the customer chose)."""
    return policy.default_severity.get(channel) or policy.severities[-1].id


def severity_choices(policy: Policy) -> list[tuple[str, str]]:
    return [
        (s.id, f"{s.label} — {s.name}" if s.label and s.label != s.name else s.name)
        for s in policy.severities
    ]


def clean_upload(upload):
    """The form's half of ``check_attachment``: a refused file is a field error before any
    action runs, so a reply or a ticket is never saved without the file it came with."""
    if not upload:
        return upload
    try:
        check_attachment(upload)
    except ActionError as error:
        limit = settings.PACTO_ATTACHMENT_MAX_BYTES // 1_000_000
        name = PurePath(upload.name or "").name
        if error.rule == "max_size":
            message = gettext("%(name)s is larger than %(mb)d MB.") % {"name": name, "mb": limit}
        else:
            message = gettext("%(name)s: files of this type are not accepted (allowed: %(types)s).")
            message %= {"name": name, "types": ", ".join(sorted(ALLOWED_ATTACHMENT_SUFFIXES))}
        raise forms.ValidationError(message, code=error.rule) from None
    return upload


class AttachmentForm:
    """A form with an optional ``attachment`` field checked by ``clean_upload``."""

    def clean_attachment(self):
        return clean_upload(self.cleaned_data.get("attachment"))


class NewTicketForm(AttachmentForm, PactoForm):
    """A ticket as the contract's policy wants it reported."""

    type = forms.ChoiceField(
        label=_("Kind of request"),
        choices=CUSTOMER_TYPES,
        initial=Ticket.Type.PROBLEM,
        widget=forms.Select(attrs=DUE_INPUT),
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=250,
        help_text=_(
            "One issue per request: a separate ticket for each problem is answered faster."
        ),
    )
    severity = forms.ChoiceField(label=_("Severity"), widget=forms.RadioSelect(attrs=DUE_INPUT))
    environment = forms.ChoiceField(label=_("Environment"), widget=forms.Select(attrs=DUE_INPUT))
    product_version = ProductVersionField()
    product = forms.CharField(label=_("Product"), max_length=100, required=False)
    version = forms.CharField(label=DETAIL_LABELS["version"], max_length=60, required=False)
    steps = forms.CharField(
        label=DETAIL_LABELS["steps"], widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    expected_result = forms.CharField(
        label=DETAIL_LABELS["expected_result"],
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    obtained_result = forms.CharField(
        label=DETAIL_LABELS["obtained_result"],
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    circumstances = forms.CharField(
        label=DETAIL_LABELS["circumstances"],
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    hardware_os = forms.CharField(
        label=DETAIL_LABELS["hardware_os"], max_length=250, required=False
    )
    workaround = forms.CharField(
        label=DETAIL_LABELS["workaround"], widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    initial_recommendation = forms.CharField(
        label=DETAIL_LABELS["initial_recommendation"],
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    body = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=format_lazy(
            "{} {}",
            _("Describe the problem or request and its impact on your operation."),
            MARKDOWN_HELP,
        ),
    )
    attachment = forms.FileField(
        label=_("Attachment (logs, screenshots)"),
        required=False,
    )

    def __init__(self, *args, policy: Policy, products: list[str] = (), contract=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        if contract is not None:
            offer_versions(self.fields["product_version"], contract)
        self.required = required_details(policy)
        self.fields["severity"].choices = severity_choices(policy)
        self.fields["severity"].initial = initial_severity(policy, "portal")
        self.fields["environment"].choices = [
            (e, ENVIRONMENTS.get(e, e)) for e in policy.environments
        ]
        self.fields["attachment"].help_text = attachment_help()
        if products:
            self.fields["product"].initial = products[0]
        for name in self.required:
            field = self.fields.get(name)
            if field is not None:
                field.widget.attrs["aria-required"] = "true"
                field.help_text = DETAIL_HELP.get(name, "")

    @property
    def required_fields(self):
        return [self[name] for name in self.required if name in self.fields]

    @property
    def optional_fields(self):
        names = ["version", *DETAIL_FIELDS]
        return [self[name] for name in names if name not in self.required]

    def clean(self):
        data = super().clean()
        if data.get("type") == Ticket.Type.PROBLEM:
            for name in self.required:
                if name == "version" and data.get("product_version"):
                    continue
                if name in self.fields and not (data.get(name) or "").strip():
                    self.add_error(
                        name, _("Your support policy requires this detail for problem reports.")
                    )
        return data

    def details(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in DETAIL_FIELDS}


def attachment_help() -> str:
    return gettext("Optional. Up to %(mb)d MB.") % {
        "mb": settings.PACTO_ATTACHMENT_MAX_BYTES // 1_000_000
    }


class DuePreviewForm(PactoForm):
    """The inputs of a due-time preview (GET, from htmx or a plain form)."""

    severity = forms.CharField(required=False)
    environment = forms.CharField(required=False)
    type = forms.CharField(required=False)
    channel = forms.CharField(required=False)
    product_version = forms.CharField(required=False)


class ReplyForm(AttachmentForm, PactoForm):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), help_text=MARKDOWN_HELP
    )
    attachment = forms.FileField(label=_("Attach a file"), required=False)


class CcForm(PactoForm):
    """An address to copy on a ticket, or to stop copying (the action checks it)."""

    email = forms.CharField(label=_("Email address"), max_length=254, widget=forms.EmailInput)


class ReopenForm(PactoForm):
    reason = forms.CharField(
        label=_("Why is the problem not solved?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class EscalateForm(PactoForm):
    reason = forms.CharField(
        label=_("Reason for the escalation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your account manager is notified and answers you."),
    )


class SeverityRequestForm(PactoForm):
    severity = forms.ChoiceField(label=_("Severity you ask for"))
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a higher severity, describe the increased impact on production."),
    )

    def __init__(self, *args, policy: Policy, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["severity"].choices = [
            choice for choice in severity_choices(policy) if choice[0] != current
        ]


class AccessRequestForm(PactoForm):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email address"))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    reason = forms.CharField(
        label=_("Role and reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who the person is and why they need to open support tickets."),
    )


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class PreferencesForm(PactoForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Every date and time is shown in this time zone."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()


# What each event is called on the preferences page.
EMAIL_KIND_LABELS = {
    "ticket_opened": _("My ticket is received"),
    "agent_reply": _("Support replies on a ticket"),
    "status_changed": _("A ticket's status changes"),
    "severity_changed": _("A ticket's severity changes"),
    "ticket_reopened": _("A ticket is reopened"),
    "lifecycle_reminder": _("Reminders while a ticket waits for my answer"),
    "known_issue_notice": _("Known issues affecting our products"),
    "release_notice": _("New releases of our products"),
}


class NotificationsForm(PactoForm):
    """Which events reach the person by email: one checkbox per event, ticked when on."""

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind] = forms.BooleanField(
                label=EMAIL_KIND_LABELS.get(kind, kind), required=False
            )


class TokenForm(PactoForm):
    """A new personal API token: what it is for and what it may do."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “monitoring script”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        help_text=_(
            "A read token may only read (GET); to open tickets or reply, choose read and write."
        ),
    )


# The years the calculator answers for (a ticket's lifetime fits well inside).
CALCULATOR_YEARS = (1970, 2999)


def _opened_in_zone(opened: str, written_in: str | None, zone: zoneinfo.ZoneInfo) -> str:
    """``opened`` (wall-clock time in ``written_in``) as wall-clock time in ``zone``; as
    given when either is unreadable (the form then says what is wrong)."""
    if not written_in or written_in == zone.key:
        return opened
    try:
        instant = dt.datetime.fromisoformat(opened).replace(tzinfo=zoneinfo.ZoneInfo(written_in))
    except (ValueError, zoneinfo.ZoneInfoNotFoundError, TypeError):
        return opened
    return instant.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


class CalculatorForm(PactoForm):
    """The public SLA calculator: a preset, a ticket's facts and when it is opened."""

    policy = forms.ChoiceField(label=_("Support policy"))
    plan = forms.ChoiceField(label=_("Plan"))
    severity = forms.ChoiceField(label=_("Severity"))
    channel = forms.ChoiceField(label=_("Channel"))
    environment = forms.ChoiceField(label=_("Environment"))
    type = forms.ChoiceField(
        label=_("Kind of request"),
        choices=[(t.value, t.label) for t in Ticket.Type if t != Ticket.Type.NOTICE],
    )
    opened = forms.DateTimeField(
        label=_("Opened at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    # The zone "opened" was written in: switching to a policy in another zone keeps the same
    # instant, shown in the new policy's zone.
    opened_zone = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, **kwargs):
        data = data.copy() if data is not None else None
        names = preset_names()
        chosen = (data or {}).get("policy") or kwargs.get("initial", {}).get("policy") or names[0]
        if chosen not in names:
            chosen = names[0]
        self.preset = preset(chosen).localized(translation.get_language())
        if data is not None:
            zone = self.preset.calendar().zone
            data["opened"] = _opened_in_zone(data.get("opened", ""), data.get("opened_zone"), zone)
            data["opened_zone"] = zone.key
            # Switching policy keeps the other choices only where the new policy has them.
            for name, values in (
                ("plan", [p.id for p in self.preset.plans]),
                ("severity", [s.id for s in self.preset.severities]),
                ("channel", self.preset.channels),
                ("environment", self.preset.environments),
            ):
                if data.get(name) not in values:
                    data[name] = values[0]
        super().__init__(data, **kwargs)
        policy = self.preset
        language = translation.get_language()
        self.fields["policy"].choices = [
            (n, policy_name(preset(n).localized(language))) for n in names
        ]
        self.fields["plan"].choices = [(p.id, p.name) for p in policy.plans]
        self.fields["severity"].choices = severity_choices(policy)
        self.fields["channel"].choices = [(c, CHANNELS.get(c, c)) for c in policy.channels]
        self.fields["environment"].choices = [
            (e, ENVIRONMENTS.get(e, e)) for e in policy.environments
        ]
        zone = policy.calendar().zone
        self.fields["opened"].help_text = _("Local time in %(zone)s, the policy's time zone.") % {
            "zone": zone.key
        }
        for field in self.fields.values():
            field.widget.attrs.setdefault("data-calc", "")

    def clean_opened(self):
        """A browser lets anyone type year 9999; the engine compiles calendars a few years
        around the instants it is asked about, and a target must still land in a year
        Python can write. Opening times outside these years get a clear error."""
        opened = self.cleaned_data["opened"]
        if not CALCULATOR_YEARS[0] <= opened.year <= CALCULATOR_YEARS[1]:
            raise forms.ValidationError(
                gettext("Pick an opening time between the years %(first)d and %(last)d.")
                % {"first": CALCULATOR_YEARS[0], "last": CALCULATOR_YEARS[1]},
                code="range",
            )
        return opened
