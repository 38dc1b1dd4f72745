"""Who may see what. Every view and endpoint asks here; nothing decides access on its own.

- Vendor staff (agents, managers, product managers, admins) see every organization.
- A customer contact sees the tickets they requested; an organization admin sees all of
  the organization's tickets. Where the organization shares tickets (its own setting, or its
  policy's ``contacts.share_tickets``: senhasegura §7.4), every *authorized* contact sees
  and answers the organization's tickets too.
- Contracts (plan, service contract ID, included services) are shown to authorized
  contacts and organization admins only; a contact without authorization, or a partner
  contact whose partnership or certification lapsed, still sees the organizations (names, so
  a refusal can say why) and the tickets they requested (their history), but no contract.
- A partner contact sees the tickets they opened for the customers their partner serves;
  a partner's organization admin sees every ticket the partner opened.
- Internal notes are never shown to contacts.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from pacto.accounts.models import Organization, User
from pacto.errors import NotFound
from pacto.observability import bind_ticket


def visible_tickets(user: User) -> QuerySet:
    from pacto.tickets.models import Ticket

    tickets = Ticket.objects.all()
    if not user.is_authenticated or not user.is_active:
        return tickets.none()
    if user.is_staff_member:
        return tickets
    if user.organization_id is None:
        return tickets.none()
    if user.is_org_admin:
        return tickets.filter(
            Q(organization_id=user.organization_id) | Q(partner_id=user.organization_id)
        )
    if user.is_authorized and _shares(user):
        return tickets.filter(Q(organization_id=user.organization_id) | Q(requester=user))
    return tickets.filter(requester=user)


def _shares(user: User) -> bool:
    from pacto.accounts.actions import shares_tickets

    return shares_tickets(user.organization, timezone.localdate())


def works_for_partner(user: User, day: dt.date) -> bool:
    """A partner contact in good standing on ``day``: the partnership is valid, and the
    contact is the partner's admin or an authorized contact with a valid certification."""
    organization = user.organization
    if organization is None or not organization.partnership_valid_on(day):
        return False
    return user.is_org_admin or (user.is_authorized and user.certified_on(day))


def visible_organizations(user: User) -> QuerySet:
    organizations = Organization.objects.all()
    if not user.is_authenticated or not user.is_active:
        return organizations.none()
    if user.is_staff_member:
        return organizations
    if user.organization_id is None:
        return organizations.none()
    own = Q(pk=user.organization_id)
    if user.organization.is_partner:
        own |= Q(partners=user.organization_id)
    return organizations.filter(own).distinct()


def may_see_contracts(user: User) -> bool:
    """Contacts see contracts only while they work with support (see the module text)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff_member:
        return True
    if user.organization_id is None:
        return False
    if user.organization.is_partner:
        return works_for_partner(user, timezone.localdate())
    return user.is_authorized or user.is_org_admin


def visible_contacts(user: User) -> QuerySet:
    contacts = User.objects.filter(role=User.Role.CONTACT)
    if user.is_authenticated and user.is_staff_member:
        return contacts
    if not user.is_authenticated or user.organization_id is None:
        return contacts.none()
    if user.is_org_admin:
        return contacts.filter(organization_id=user.organization_id)
    return contacts.filter(pk=user.pk)


def get_ticket_for(user: User, pk: int, *, for_update: bool = False, related: tuple = ()):
    """The ticket if ``user`` may see it; otherwise NotFound (a stranger learns nothing).
    ``related``: more relations to read in the same query."""
    tickets = visible_tickets(user)
    if for_update:
        tickets = tickets.select_for_update()
    tickets = tickets.filter(pk=pk).select_related("policy_version", "contract", *related)
    ticket = tickets.first()
    if ticket is None:
        raise NotFound("ticket")
    bind_ticket(ticket)
    return ticket


def can_see_internal(user: User) -> bool:
    return user.is_authenticated and user.is_staff_member
