"""Who may see which report.

- The vendor's staff see every organization's SLA figures and customer reports.
- An organization admin sees their own organization's figures and customer reports, never
  another's: a request for another organization is answered as if it did not exist.
- Every other contact sees no report.
"""

from __future__ import annotations

from pacto.accounts.models import Organization, User
from pacto.errors import NotAllowed, NotFound


def report_scope(user: User, organization: str | int | None) -> Organization | None:
    """The organization a report is about (None: all of them, staff only)."""
    if not user.is_authenticated or not user.is_active:
        raise NotAllowed("sign in to see reports")
    if user.is_staff_member:
        if organization in (None, ""):
            return None
        return find_organization(organization)
    if not user.is_org_admin or user.organization_id is None:
        raise NotAllowed("reports are for the vendor's staff and organization admins")
    if organization in (None, ""):
        return user.organization
    found = find_organization(organization)
    if found.pk != user.organization_id:
        raise NotFound("organization")
    return found


def find_organization(value: str | int) -> Organization:
    text = str(value).strip()
    found = None
    if text.isdigit():
        found = Organization.objects.filter(pk=int(text)).first()
    if found is None:
        found = Organization.objects.filter(name__iexact=text).first()
    if found is None:
        raise NotFound("organization")
    return found
