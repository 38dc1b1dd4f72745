"""API endpoints for the signed-in user, organizations, contacts and personal API tokens.

Who sees which organization or contact is decided in ``pacto.accounts.access``; what may be
changed, in ``pacto.accounts.actions``. A contact or organization the caller cannot see is a
404, the same as one that does not exist.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from pacto.accounts.access import visible_contacts, visible_organizations
from pacto.accounts.actions import (
    do_authorize_contact,
    do_create_token,
    do_revoke_contact,
    do_revoke_token,
    do_set_focal_point,
)
from pacto.accounts.models import ApiToken, Organization, User
from pacto.errors import NotFound
from pacto.tickets.schemas import In, OrganizationRef, QueryId, Reason, error_responses

router = Router()
tokens_router = Router()


# ----------------------------------------------------------------------------- schemas


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    account_manager: str | None = Field(description="name of the vendor's account manager")
    served_customers: list[OrganizationRef] = Field(description="partners: customers served")

    @staticmethod
    def resolve_account_manager(organization: Organization) -> str | None:
        manager = organization.account_manager
        return str(manager) if manager else None

    @staticmethod
    def resolve_served_customers(organization: Organization) -> list:
        return list(organization.served_customers.all())


class ContactOut(Schema):
    id: int
    email: str
    full_name: str
    phone: str
    organization: OrganizationRef | None
    is_active: bool
    is_authorized: bool
    is_focal_point: bool
    is_org_admin: bool
    language: str
    time_zone: str


class MeOut(ContactOut):
    role: str
    support_line: str
    is_staff_member: bool


class ContactFilters(In):
    organization: QueryId | None = None


class ContactChangeIn(In):
    reason: Reason = ""


class TokenIn(In):
    name: str = Field(min_length=1, max_length=100)
    scope: ApiToken.Scope = ApiToken.Scope.READ


class TokenOut(Schema):
    id: int
    name: str
    scope: str
    hint: str = Field(description="the token's first characters, to recognise it")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="shown once; only its SHA-256 is stored")


# ----------------------------------------------------------------------------- lookups


def _contact(request: HttpRequest, contact_id: int) -> User:
    contact = visible_contacts(request.auth).select_related("organization")
    contact = contact.filter(pk=contact_id).first()
    if contact is None:
        raise NotFound("contact")
    return contact


def _token(request: HttpRequest, token_id: int) -> ApiToken:
    """Your own token; a manager may reach anyone's (to revoke a leaked one)."""
    tokens = ApiToken.objects.all()
    if not request.auth.is_manager:
        tokens = tokens.filter(user=request.auth)
    token = tokens.filter(pk=token_id).first()
    if token is None:
        raise NotFound("token")
    return token


# ----------------------------------------------------------------------------- me


@router.get("/me", response={200: MeOut, **error_responses()}, summary="The signed-in user")
def me(request: HttpRequest):
    return request.auth


# ----------------------------------------------------------------------------- organizations


@router.get(
    "/organizations",
    response={200: list[OrganizationOut], **error_responses()},
    summary="Organizations you may see",
)
def list_organizations(request: HttpRequest):
    return visible_organizations(request.auth).select_related("account_manager")


@router.get(
    "/organizations/{organization_id}",
    response={200: OrganizationOut, **error_responses(404)},
    summary="One organization",
)
def get_organization(request: HttpRequest, organization_id: int):
    organization = visible_organizations(request.auth).filter(pk=organization_id).first()
    if organization is None:
        raise NotFound("organization")
    return organization


# ----------------------------------------------------------------------------- contacts


@router.get(
    "/contacts",
    response={200: list[ContactOut], **error_responses()},
    summary="Contacts you may see",
)
def list_contacts(request: HttpRequest, filters: Query[ContactFilters]):
    contacts = visible_contacts(request.auth).select_related("organization")
    if filters.organization is not None:
        contacts = contacts.filter(organization_id=filters.organization)
    return contacts


@router.get(
    "/contacts/{contact_id}",
    response={200: ContactOut, **error_responses(404)},
    summary="One contact",
)
def get_contact(request: HttpRequest, contact_id: int):
    return _contact(request, contact_id)


@router.post(
    "/contacts/{contact_id}/authorize",
    response={200: ContactOut, **error_responses(404)},
    summary="Authorize a contact to open tickets (staff)",
)
def authorize_contact(request: HttpRequest, contact_id: int, payload: ContactChangeIn):
    return do_authorize_contact(request.auth, _contact(request, contact_id), reason=payload.reason)


@router.post(
    "/contacts/{contact_id}/revoke",
    response={200: ContactOut, **error_responses(404)},
    summary="Revoke a contact's authorization (staff, or the organization's admin)",
)
def revoke_contact(request: HttpRequest, contact_id: int, payload: ContactChangeIn):
    return do_revoke_contact(request.auth, _contact(request, contact_id), reason=payload.reason)


@router.post(
    "/contacts/{contact_id}/focal-point",
    response={200: ContactOut, **error_responses(404)},
    summary="Make a contact the organization's focal point (staff, or the organization's admin)",
)
def set_focal_point(request: HttpRequest, contact_id: int):
    return do_set_focal_point(request.auth, _contact(request, contact_id))


# ----------------------------------------------------------------------------- tokens


@tokens_router.get(
    "", response={200: list[TokenOut], **error_responses()}, summary="Your API tokens"
)
def list_tokens(request: HttpRequest):
    return ApiToken.objects.filter(user=request.auth)


@tokens_router.post(
    "",
    response={201: TokenCreatedOut, **error_responses()},
    summary="Create an API token; its secret is shown once",
)
def create_token(request: HttpRequest, payload: TokenIn):
    token, secret = do_create_token(request.auth, name=payload.name, scope=payload.scope)
    token.secret = secret
    return Status(201, token)


@tokens_router.delete(
    "/{token_id}",
    response={200: TokenOut, **error_responses(404)},
    summary="Revoke an API token",
)
def revoke_token(request: HttpRequest, token_id: int):
    token = _token(request, token_id)
    do_revoke_token(request.auth, token)
    token.refresh_from_db()
    return token
