"""``{% casework_console_panel ticket %}`` for the console's ticket page and
``{% casework_portal_panel ticket %}`` for the portal's: each a self-contained piece the host
page includes once."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from pacto.portal.display import detail_label
from pacto.tickets import actions
from pacto.tickets.models import Ticket

register = template.Library()

# What the engineer records, as the engineer reads it.
ENGINEER_LABELS = {
    "workaround": _("Work-around (the customer's or ours), or “none”"),
    "initial_recommendation": _("Initial recommendation by the engineer"),
    "engineer_name": _("Engineer handling the issue (assign the ticket)"),
}
FIELD_LABELS = {
    "channel": _("Channel"),
    "environment": _("Environment"),
    "type": _("Type"),
    "category": _("Category"),
}


def _field_choices(fields) -> list[tuple[str, str]]:
    return [(f, str(FIELD_LABELS.get(f) or detail_label(f))) for f in fields]


def _to_record(ticket: Ticket) -> list[str]:
    """What the engineer still has to record, in the engineer's words."""
    if ticket.type != Ticket.Type.PROBLEM:
        return []
    missing = actions.engineer_details_missing(ticket)
    return [str(ENGINEER_LABELS.get(f) or detail_label(f)) for f in missing]


def _to_record(ticket: Ticket) -> list[str]:
    """What the engineer still has to record, in the engineer's words."""
    if ticket.type != Ticket.Type.PROBLEM:
        return []
    missing = actions.engineer_details_missing(ticket)
    return [str(ENGINEER_LABELS.get(f) or detail_label(f)) for f in missing]


@register.inclusion_tag("casework/console_panel.html", takes_context=True)
def casework_console_panel(context, ticket: Ticket):
    request = context["request"]
    policy = ticket.policy
    clocks = list(ticket.clocks.all())
    breached = [c for c in clocks if c.state == "breached" and not c.exempt_reason]
    fields = [f for f in actions.CORRECTABLE if f != "category" or policy.categories]
    return {
        "ticket": ticket,
        "policy": policy,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "is_open": ticket.status_category != "closed",
        "to_record": _to_record(ticket),
        "checklists": actions.checklist_state(ticket),
        "fields": _field_choices(fields),
        "channels": policy.accepted_channels,
        "types": actions.CORRECTABLE_TYPES,
        "environments": Ticket.Environment.choices,
        "categories": policy.categories,
        "out_of_scope": [c for c in policy.categories if c.scope == "out_of_scope"],
        "plan_delivered": ticket.events.filter(kind="resolution_plan").exists(),
        "third_party": ticket.events.filter(kind="third_party").first(),
        "breached": breached,
        "exempt": [c for c in clocks if c.exempt_reason],
        "may_exempt": request.user.is_manager and policy.breach_exemption is not None,
    }


@register.inclusion_tag("casework/portal_panel.html", takes_context=True)
def casework_portal_panel(context, ticket: Ticket):
    fields = [f for f in actions.CUSTOMER_CORRECTABLE
              if not (ticket.product_version_id and f in ("product", "version"))]  # fmt: skip
    versions = actions.contract_versions(ticket.contract) if ticket.product_version_id else []
    return {
        "ticket": ticket,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "may_correct": ticket.is_open,
        "fields": _field_choices(fields),
        "versions": versions,
    }
