"""Bulk actions on the tickets an agent ticked in the queue. Each ticket goes through its own
action (its own transaction, lock and audit event), so one refusal refuses that ticket only;
the summary says what worked and what was refused, and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pacto.accounts.access import visible_tickets
from pacto.accounts.models import User
from pacto.console.forms import LINE_CHOICES, staff_members
from pacto.console.macros import form_initial, usable_macros
from pacto.console.queues import STATUS_CATEGORIES
from pacto.errors import ActionError
from pacto.portal.forms import PactoForm
from pacto.portal.web import message_of
from pacto.tickets.actions import (
    do_assign,
    do_change_severity,
    do_change_status,
    do_reply,
    do_set_line,
)
from pacto.tickets.models import Ticket

ACTIONS = [
    ("assign", _("Assign")),
    ("status", _("Change status")),
    ("line", _("Move to a line")),
    ("note", _("Add an internal note")),
    ("macro", _("Apply a macro")),
]


class BulkForm(PactoForm):
    tickets = forms.CharField(widget=forms.MultipleHiddenInput, required=False)
    action = forms.ChoiceField(label=_("With the selected tickets"), choices=ACTIONS)
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    line = forms.ChoiceField(label=_("Line"), required=False, choices=[("", "—"), *LINE_CHOICES])
    macro = forms.ChoiceField(label=_("Macro"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["assignee"].choices = [("", "—"), ("none", _("— nobody —"))] + [
            (str(u.pk), str(u)) for u in staff_members()
        ]
        self.fields["status"].choices = [("", "—")] + [
            (k, v) for k, v in STATUS_CATEGORIES.items() if k != "new"
        ]
        self.fields["macro"].choices = [("", "—")] + [
            (str(m.pk), m.name) for m in usable_macros(user)
        ]

    def clean(self):
        data = super().clean()
        ids = [int(i) for i in self.data.getlist("tickets") if str(i).isdigit()]
        if not ids:
            raise forms.ValidationError(_("Select at least one ticket."))
        data["tickets"] = ids[:200]
        needs = {"assign": "assignee", "status": "status", "line": "line", "note": "note",
                 "macro": "macro"}  # fmt: skip
        action = data.get("action")
        if action in needs and not data.get(needs[action]):
            self.add_error(needs[action], _("This field is required."))
        return data


@dataclass
class Outcome:
    ticket: Ticket
    ok: bool
    message: str = ""


def _status_for(ticket: Ticket, category: str) -> str:
    for status in ticket.policy.statuses:
        if status.category.value == category:
            return status.id
    raise ActionError(
        "status", "defined_in_policy", f"the ticket's policy has no status of kind {category}"
    )


def _macro_steps(actor, ticket, macro):
    initial = form_initial(macro, ticket)
    reason = initial.get("reason", macro.name)
    steps = [lambda: do_reply(actor, ticket, initial["body"], public=macro.public)]
    if initial.get("status"):
        steps.append(lambda: do_change_status(actor, ticket, initial["status"], reason=reason))
    if initial.get("severity"):
        steps.append(lambda: do_change_severity(actor, ticket, initial["severity"], reason=reason))
    if initial.get("line"):
        steps.append(lambda: do_set_line(actor, ticket, initial["line"], reason=reason))
    if initial.get("assignee"):
        steps.append(lambda: do_assign(actor, ticket, macro.assignee))
    return steps


def run_bulk(actor: User, data: dict, now: dt.datetime) -> list[Outcome]:
    tickets = (
        visible_tickets(actor)
        .filter(pk__in=data["tickets"])
        .select_related("policy_version", "requester", "organization")
        .prefetch_related("clocks")
        .order_by("id")
    )
    found = {t.pk: t for t in tickets}
    outcomes = []
    action = data["action"]
    assignee = None
    if action == "assign" and data["assignee"] != "none":
        assignee = staff_members().filter(pk=data["assignee"]).first()
    macro = None
    if action == "macro":
        macro = usable_macros(actor).filter(pk=data["macro"]).first()
    for ticket_id in data["tickets"]:
        ticket = found.get(ticket_id)
        if ticket is None:
            outcomes.append(Outcome(Ticket(pk=ticket_id, subject="—"), False, str(_("not found"))))
            continue
        try:
            match action:
                case "assign":
                    do_assign(actor, ticket, assignee)
                case "status":
                    do_change_status(
                        actor, ticket, _status_for(ticket, data["status"]), reason=data["reason"]
                    )
                case "line":
                    do_set_line(actor, ticket, data["line"], reason=data["reason"])
                case "note":
                    do_reply(actor, ticket, data["note"], public=False)
                case "macro":
                    if macro is None:
                        raise ActionError("macro", "exists", "the macro is not available")
                    # The macro's changes on one ticket stand or fall together.
                    with transaction.atomic():
                        for step in _macro_steps(actor, ticket, macro):
                            step()
            outcomes.append(Outcome(ticket, True))
        except ActionError as exc:
            outcomes.append(Outcome(ticket, False, message_of(exc)))
    return outcomes
