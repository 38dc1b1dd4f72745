"""API endpoints for the signed-in user, organizations, contacts and personal API tokens.

Who sees which organization or contact is decided in ``pacto.accounts.access``; what may be
changed, in ``pacto.accounts.actions``. A contact or organization the caller cannot see is a
404, the same as one that does not exist.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from pacto.accounts.access import visible_contacts, visible_organizations
from pacto.accounts.actions import (
    LANGUAGES,
    do_authorize_contact,
    do_create_contact,
    do_create_token,
    do_invite_contact,
    do_record_training,
    do_revoke_contact,
    do_revoke_token,
    do_set_focal_point,
    do_update_organization,
)
from pacto.accounts.models import ApiToken, Invitation, Organization, TrainingRecord, User
from pacto.errors import NotAllowed, one_of
from pacto.tickets.schemas import BodyId, In, OrganizationRef, QueryId, Reason, error_responses

router = Router()
tokens_router = Router()
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2999, 12, 31)


# ----------------------------------------------------------------------------- schemas


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    account_manager: str | None = Field(description="name of the vendor's account manager")
    served_customers: list[OrganizationRef] = Field(description="partners: customers served")
    share_tickets: bool | None = Field(
        description="authorized contacts see colleagues' tickets; null: as the policy says"
    )
    partnership_starts_on: dt.date | None
    partnership_ends_on: dt.date | None

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


class OrganizationChangeIn(In):
    share_tickets: bool | None = Field(None, description="null: as the contract's policy says")
    partnership_starts_on: dt.date | None = Field(None, ge=EARLIEST, le=LATEST)
    partnership_ends_on: dt.date | None = Field(None, ge=EARLIEST, le=LATEST)
    email_domains: str = Field("", max_length=300, description="comma-separated")


class ContactIn(In):
    organization: BodyId
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    full_name: str = Field(min_length=1, max_length=200)
    phone: str = Field("", max_length=40)
    language: str = Field("en", description=f"one of {', '.join(LANGUAGES)}")
    time_zone: str | None = Field(
        None,
        max_length=64,
        description="an IANA time zone; default: the organization's (its contract's policy "
        "calendar)",
    )
    authorized: bool = Field(False, description="staff only: may open tickets at once")
    invite: bool = Field(True, description="send the activation email (senhasegura §7.2)")


class InvitationOut(Schema):
    contact: int = Field(description="the contact's id")
    email: str
    organization: str
    sent_at: dt.datetime
    sent_count: int
    expires_at: dt.datetime
    accepted_at: dt.datetime | None
    state: str = Field(description="pending, expired or accepted")

    @staticmethod
    def resolve_contact(invitation: Invitation) -> int:
        return invitation.contact_id

    @staticmethod
    def resolve_email(invitation: Invitation) -> str:
        return invitation.contact.email

    @staticmethod
    def resolve_organization(invitation: Invitation) -> str:
        return str(invitation.contact.organization or "")

    @staticmethod
    def resolve_state(invitation: Invitation) -> str:
        return invitation.state_on(timezone.now())


class TrainingIn(In):
    course: str = Field(min_length=1, max_length=200)
    completed_on: dt.date = Field(ge=EARLIEST, le=LATEST)
    expires_on: dt.date | None = Field(None, ge=EARLIEST, le=LATEST)


class TrainingOut(Schema):
    id: int
    course: str
    completed_on: dt.date
    expires_on: dt.date | None


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
    contacts = visible_contacts(request.auth).select_related("organization")
    return one_of(contacts, contact_id, "contact")


def _token(request: HttpRequest, token_id: int) -> ApiToken:
    """Your own token; a manager may reach anyone's (to revoke a leaked one)."""
    tokens = ApiToken.objects.all()
    if not request.auth.is_manager:
        tokens = tokens.filter(user=request.auth)
    return one_of(tokens, token_id, "token")


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
    return one_of(visible_organizations(request.auth), organization_id, "organization")


@router.patch(
    "/organizations/{organization_id}",
    response={200: OrganizationOut, **error_responses(404)},
    summary="Change an organization: ticket sharing, partnership agreement (staff)",
)
def change_organization(request: HttpRequest, organization_id: int, payload: OrganizationChangeIn):
    organization = one_of(visible_organizations(request.auth), organization_id, "organization")
    changes = payload.model_dump(exclude_unset=True)
    return do_update_organization(request.auth, organization, **changes)


# ----------------------------------------------------------------------------- contacts


@router.post(
    "/contacts",
    response={201: ContactOut, **error_responses(404)},
    summary="Create a contact and send the activation email (staff, or the organization's admin)",
)
def create_contact(request: HttpRequest, payload: ContactIn):
    actor = request.auth
    organization = one_of(visible_organizations(actor), payload.organization, "organization")
    own_admin = actor.is_org_admin and actor.organization_id == organization.pk
    if not (actor.is_staff_member or own_admin):
        raise NotAllowed("only the vendor's staff or the organization's admin add contacts")
    if payload.authorized and not actor.is_staff_member:
        raise NotAllowed(
            "authorizing a contact goes through an access request to the vendor",
            rule="staff_authorizes",
        )
    fields = payload.model_dump(
        include={"full_name", "phone", "language", "time_zone", "authorized", "invite"}
    )
    contact = do_create_contact(
        organization=organization, email=payload.email.lower(), actor=actor, **fields
    )
    return Status(201, contact)


@router.post(
    "/contacts/{contact_id}/invitation",
    response={200: InvitationOut, **error_responses(404)},
    summary="Send the activation email again; older links stop working (staff, org admin)",
)
def resend_invitation(request: HttpRequest, contact_id: int):
    return do_invite_contact(request.auth, _contact(request, contact_id))


@router.get(
    "/invitations",
    response={200: list[InvitationOut], **error_responses()},
    summary="Activation emails sent and whether they were used (staff: all; org admins: theirs)",
)
def list_invitations(request: HttpRequest):
    return Invitation.objects.filter(contact__in=visible_contacts(request.auth)).select_related(
        "contact", "contact__organization"
    )


@router.get(
    "/contacts/{contact_id}/training",
    response={200: list[TrainingOut], **error_responses(404)},
    summary="A contact's training records",
)
def list_training(request: HttpRequest, contact_id: int):
    return TrainingRecord.objects.filter(contact=_contact(request, contact_id))


@router.post(
    "/contacts/{contact_id}/training",
    response={201: TrainingOut, **error_responses(404)},
    summary="Record a course a contact completed (staff)",
)
def record_training(request: HttpRequest, contact_id: int, payload: TrainingIn):
    record = do_record_training(
        request.auth,
        _contact(request, contact_id),
        course=payload.course,
        completed_on=payload.completed_on,
        expires_on=payload.expires_on,
    )
    return Status(201, record)


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
