"""Who may open a ticket for whom, in one place.

``do_open_ticket``, the portal's new-ticket page, the console's phone ticket and the email
channel all ask ``check_opening`` and show its refusal as it is, so each rule and its message
exist once: a contact opens for themselves; an agent logs a ticket for a contact; a partner's
contact names the customer served (senhasegura §7: "Partners under a valid partnership contract
and having certified professional"); and the requester must be allowed to open tickets for
that customer under an active contract (``check_may_open_tickets``: authorization,
partnership, certification, training).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from pacto.accounts.actions import check_may_open_tickets
from pacto.accounts.models import Organization, User
from pacto.contracts.models import Contract
from pacto.errors import ActionError, NotAllowed


@dataclass(frozen=True)
class Opening:
    """Who a ticket is opened for and under which contract."""

    requester: User
    customer: Organization
    partner: Organization | None
    contract: Contract


def check_opening(
    actor: User,
    requester: User | None,
    organization: Organization | None,
    today: dt.date,
    *,
    contract=None,
    product: str = "",
    product_version=None,
) -> Opening:
    """The opening ``actor`` may make for ``requester`` (None: the actor themselves) and the
    customer ``organization`` (None: the requester's own). Raises ActionError (a missing or
    wrong choice) or NotAllowed (a rule of the policy or the contract), naming the field."""
    if actor.is_staff_member:
        if requester is None:
            raise ActionError("requester", "required", _("an agent logs a ticket for a contact"))
    elif requester not in (None, actor):
        raise NotAllowed(_("contacts open tickets for themselves"), field="requester")
    requester = requester or actor
    home = requester.organization
    partner = None
    if home is not None and home.is_partner:
        partner = home
        if organization is None:
            if not home.served_customers.exists():
                raise NotAllowed(
                    _("%(partner)s serves no customer yet.") % {"partner": home},
                    rule="partner_serves_none",
                )
            raise ActionError(
                "organization", "customer_named", _("Choose the customer this ticket is for.")
            )
    customer = organization or home
    if customer is None:
        raise NotAllowed(_("You do not belong to an organization."), rule="authorized_contact")
    contract = check_may_open_tickets(
        requester, customer, today, contract=contract, product=product,
        product_version=product_version,
    )  # fmt: skip
    return Opening(requester=requester, customer=customer, partner=partner, contract=contract)
