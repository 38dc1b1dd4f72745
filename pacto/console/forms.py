"""The console's forms: parse what an agent typed; the ticket actions check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pacto.accounts.models import Organization, User
from pacto.console.queues import STATUS_CATEGORIES
from pacto.portal.forms import (
    CHANNELS,
    DETAIL_LABELS,
    DUE_INPUT,
    ENVIRONMENTS,
    AttachmentForm,
    PactoForm,
    ProductVersionField,
    attachment_help,
    initial_severity,
    offer_versions,
    severity_choices,
)
from pacto.sla.policy import Policy, StatusCategory
from pacto.tickets.models import Ticket


class ConsoleReplyForm(AttachmentForm, PactoForm):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}))
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=[
            ("public", _("Public reply — the customer sees it")),
            ("internal", _("Internal note — only the vendor's staff see it")),
        ],
        initial="public",
        widget=forms.RadioSelect,
    )
    attachment = forms.FileField(label=_("Attach a file"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = attachment_help()


class StatusForm(PactoForm):
    status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
    details_requested = forms.BooleanField(
        label=_("Details or logs were requested from the customer"),
        required=False,
        help_text=_("Lets the policy's auto-close rule for unanswered requests apply."),
    )

    def __init__(self, *args, policy: Policy, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (s.id, f"{s.name} ({STATUS_CATEGORIES.get(s.category.value, s.category.value)})")
            for s in policy.statuses
            if s.category != StatusCategory.NEW and s.id != current
        ]


class SeverityForm(PactoForm):
    severity = forms.ChoiceField(label=_("New severity"))
    reason = forms.CharField(label=_("Reason"), max_length=500)

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
        label=_("What the contact reported"), widget=forms.Textarea(attrs={"rows": 6})
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
