"""Who may see what. Every view and endpoint asks here; nothing decides access on its own.

- Vendor staff (agents, managers, product managers, admins) see every organization.
- A customer contact sees the tickets they requested; an organization admin sees all of
  the organization's tickets.
- A partner contact sees the tickets they opened for the customers their partner serves;
  a partner's organization admin sees every ticket the partner opened.
- Internal notes are never shown to contacts.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from pacto.accounts.models import Organization, User
from pacto.errors import NotFound


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
    return tickets.filter(requester=user)


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


def visible_contacts(user: User) -> QuerySet:
    contacts = User.objects.filter(role=User.Role.CONTACT)
    if user.is_authenticated and user.is_staff_member:
        return contacts
    if not user.is_authenticated or user.organization_id is None:
        return contacts.none()
    if user.is_org_admin:
        return contacts.filter(organization_id=user.organization_id)
    return contacts.filter(pk=user.pk)


def get_ticket_for(user: User, pk: int, *, for_update: bool = False):
    """The ticket if ``user`` may see it; otherwise NotFound (a stranger learns nothing)."""
    tickets = visible_tickets(user)
    if for_update:
        tickets = tickets.select_for_update()
    ticket = tickets.filter(pk=pk).select_related("policy_version", "contract").first()
    if ticket is None:
        raise NotFound("ticket")
    return ticket


def can_see_internal(user: User) -> bool:
    return user.is_authenticated and user.is_staff_member
