"""The console's forms: parse what an agent typed; the ticket actions check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pacto.accounts.models import Organization, User
from pacto.console.queues import STATUS_CATEGORIES
from pacto.portal.forms import (
    CHANNELS,
    DETAIL_LABELS,
    DUE_INPUT,
    ENVIRONMENTS,
    PactoForm,
    ProductVersionField,
    attachment_help,
    clean_upload,
    initial_severity,
    offer_versions,
    severity_choices,
)
from pacto.sla.policy import Policy, StatusCategory
from pacto.tickets.content import MARKDOWN_HELP
from pacto.tickets.models import Ticket


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (chosen together, or dropped on it)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


LINE_CHOICES = [
    ("first", _("First line")),
    ("second", _("Second line")),
    ("product", _("Product management")),
]


def reason_public_field() -> forms.BooleanField:
    """The box an agent ticks to let the customer read a reason; unticked, it stays with
    the vendor's staff (``pacto.tickets.models.customer_reason``)."""
    return forms.BooleanField(
        label=_("Show this reason to the customer"),
        required=False,
        help_text=_("Unticked, only the vendor's staff read it; the customer sees the change."),
    )


def _named_with_category(name: str, category: str) -> str:
    label = str(STATUS_CATEGORIES.get(category, category))
    return name if label.casefold() == name.casefold() else f"{name} ({label})"


class ConsoleReplyForm(PactoForm):
    """A reply or a note and the changes that go with it, sent in one request: each change
    still runs through its own action (and writes its own audit event), all or nothing."""

    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=MARKDOWN_HELP,
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=[
            ("public", _("Public reply — the customer sees it")),
            ("internal", _("Internal note — only the vendor's staff see it")),
        ],
        initial="public",
        widget=forms.RadioSelect,
    )
    attachment = MultipleFileField(label=_("Attach files"), required=False)
    status = forms.ChoiceField(label=_("Then set the status"), required=False)
    severity = forms.ChoiceField(label=_("Change the severity"), required=False)
    line = forms.ChoiceField(label=_("Move to the line"), required=False)
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    reason = forms.CharField(
        label=_("Reason for the changes"),
        required=False,
        max_length=500,
        help_text=_("A severity or line change needs one."),
    )
    reason_public = reason_public_field()
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, ticket: Ticket | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = attachment_help()
        keep = [("", _("— unchanged —"))]
        if ticket is not None:
            # The policy's names in the agent's language; Pacto's category beside a name
            # only where it says something more ("Pendente conosco (Pendente)").
            policy = ticket.policy.localized(get_language())
            self.fields["status"].choices = keep + [
                (s.id, _named_with_category(s.name, s.category.value))
                for s in policy.statuses
                if s.category != StatusCategory.NEW and s.id != ticket.status
            ]
            self.fields["severity"].choices = keep + [
                c for c in severity_choices(policy) if c[0] != ticket.severity
            ]
            self.fields["line"].choices = keep + [
                c for c in LINE_CHOICES if c[0] != ticket.support_line
            ]
            self.fields["version"].initial = ticket.lock_version
        self.fields["assignee"].choices = (
            keep + [("none", _("— nobody —"))] + [(str(u.pk), str(u)) for u in staff_members()]
        )

    def clean_attachment(self):
        return [clean_upload(upload) for upload in self.cleaned_data.get("attachment") or []]

    def clean(self):
        data = super().clean()
        changes = [data.get(k) for k in ("status", "severity", "line", "assignee")]
        if not (data.get("body") or "").strip() and not any(changes):
            self.add_error("body", _("Write a reply or a note, or choose a change to make."))
        if data.get("attachment") and not (data.get("body") or "").strip():
            self.add_error("body", _("Files go with a reply or a note: write a few words."))
        return data


def staff_members():
    return (
        User.objects.filter(is_active=True)
        .exclude(role=User.Role.CONTACT)
        .order_by("full_name", "email")
    )


class StatusForm(PactoForm):
    status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
    reason_public = reason_public_field()
    details_requested = forms.BooleanField(
        label=_("Details or logs were requested from the customer"),
        required=False,
        help_text=_("Lets the policy's auto-close rule for unanswered requests apply."),
    )

    def __init__(self, *args, policy: Policy, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (s.id, _named_with_category(s.name, s.category.value))
            for s in policy.statuses
            if s.category != StatusCategory.NEW and s.id != current
        ]


class SeverityForm(PactoForm):
    severity = forms.ChoiceField(label=_("New severity"))
    reason = forms.CharField(label=_("Reason"), max_length=500)
    reason_public = reason_public_field()

    def __init__(self, *args, policy: Policy, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["severity"].choices = [c for c in severity_choices(policy) if c[0] != current]


class AssignForm(PactoForm):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— nobody —"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(is_active=True).exclude(
            role=User.Role.CONTACT
        )


class LineForm(PactoForm):
    line = forms.ChoiceField(
        label=_("Support line"),
        choices=[
            ("first", _("First line")),
            ("second", _("Second line")),
            ("product", _("Product management")),
        ],
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)


class EscalateForm(PactoForm):
    reason = forms.CharField(label=_("Reason"), max_length=500)
    reason_public = reason_public_field()


class WorkForm(PactoForm):
    minutes = forms.IntegerField(label=_("Minutes worked"), min_value=1, max_value=24 * 60)
    note = forms.CharField(label=_("What was done"), required=False, max_length=500)


class RequesterForm(PactoForm):
    """Step one of logging a phone ticket: who called, and for which customer."""

    requester = forms.ModelChoiceField(label=_("Contact who called"), queryset=User.objects.none())
    organization = forms.ModelChoiceField(
        label=_("Customer (for partner contacts)"),
        queryset=Organization.objects.filter(kind=Organization.Kind.CUSTOMER),
        required=False,
    )
    # Shown only for a customer with several contracts in force (one per product): which
    # product the call is about, and so which contract and policy the ticket runs under.
    # (Checked against the customer's contracts in force by ``check_opening``.)
    contract = forms.CharField(
        label=_("Product (contract)"),
        help_text=_("The customer has several contracts, one per product: which is it?"),
        required=False,
        max_length=40,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester"].queryset = (
            User.objects.filter(role=User.Role.CONTACT, is_authorized=True, is_active=True)
            .select_related("organization")
            .order_by("organization__name", "full_name")
        )
        self.fields["requester"].label_from_instance = lambda u: (
            f"{u.full_name or u.email} — {u.organization} <{u.email}>"
        )

    def offer_contracts(self, choices: list[tuple[int, str]]) -> None:
        """Ask which of these contracts the ticket is for (a select instead of the hidden
        field the form starts with)."""
        self.fields["contract"].widget = forms.Select(choices=[("", "—"), *choices])


class PhoneTicketForm(PactoForm):
    """Step two: the ticket itself, as the contact told it on the phone."""

    channel = forms.ChoiceField(label=_("Received by"), widget=forms.Select(attrs=DUE_INPUT))
    type = forms.ChoiceField(
        label=_("Kind of request"),
        choices=[
            (t.value, t.label)
            for t in Ticket.Type
            if t not in (Ticket.Type.ACCESS_REQUEST, Ticket.Type.NOTICE)
        ],
        widget=forms.Select(attrs=DUE_INPUT),
    )
    severity = forms.ChoiceField(label=_("Severity"), widget=forms.RadioSelect(attrs=DUE_INPUT))
    environment = forms.ChoiceField(label=_("Environment"), widget=forms.Select(attrs=DUE_INPUT))
    subject = forms.CharField(label=_("Subject"), max_length=250)
    product_version = ProductVersionField()
    product = forms.CharField(label=_("Product"), max_length=100, required=False)
    version = forms.CharField(label=DETAIL_LABELS["version"], max_length=60, required=False)
    body = forms.CharField(
        label=_("What the contact reported"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=MARKDOWN_HELP,
    )

    def __init__(self, *args, policy: Policy, contract=None, **kwargs):
        super().__init__(*args, **kwargs)
        if contract is not None:
            offer_versions(self.fields["product_version"], contract)
        channels = [c for c in policy.channels if c in ("phone", "email")]
        self.fields["channel"].choices = [(c, CHANNELS[c]) for c in channels]
        self.fields["severity"].choices = severity_choices(policy)
        self.fields["severity"].initial = initial_severity(
            policy, channels[0] if channels else "phone"
        )
        self.fields["environment"].choices = [
            (e, ENVIRONMENTS.get(e, e)) for e in policy.environments
        ]


class DeclineForm(PactoForm):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    reason_public = reason_public_field()


class SavedViewForm(PactoForm):
    name = forms.CharField(label=_("Name of the view"), max_length=80)
    shared = forms.BooleanField(label=_("Share with the team"), required=False)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)


class MacroForm(PactoForm):
    name = forms.CharField(label=_("Name"), max_length=80)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), ("en", "English"), ("pt-br", "Português (Brasil)")],
    )
    body = forms.CharField(
        label=_("Reply"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Placeholders: {customer_name}, {ticket_number}, {due_time}."),
    )
    public = forms.BooleanField(label=_("Public reply (unset: internal note)"), required=False,
                                initial=True)  # fmt: skip
    status_category = forms.ChoiceField(label=_("Status to set"), required=False)
    severity = forms.CharField(
        label=_("Severity to set"),
        required=False,
        max_length=40,
        help_text=_("A severity id of the policy, e.g. high; left alone where it is unknown."),
    )
    line = forms.ChoiceField(
        label=_("Line to set"), required=False, choices=[("", "—"), *LINE_CHOICES]
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee to set"), required=False, queryset=User.objects.none()
    )
    shared = forms.BooleanField(label=_("Share with the team"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status_category"].choices = [("", "—")] + [
            (k, v) for k, v in STATUS_CATEGORIES.items() if k != "new"
        ]
        self.fields["assignee"].queryset = staff_members()
