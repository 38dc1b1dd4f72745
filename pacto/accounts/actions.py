"""Changes to organizations, contacts and API tokens."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from pacto.accounts.models import AccountEvent, ApiToken, Organization, PartnerCertification, User
from pacto.errors import ActionError, NotAllowed
from pacto.notifications.outbox import enqueue

ACCESS_HELP = (
    "Only authorized technical contacts of a customer with a valid support contract, or "
    "certified contacts of a partner serving it, may open tickets. Ask an authorized contact "
    "of your organization to open an access request for you, or write to your account manager."
)


def do_create_organization(*, name: str, kind: str, account_manager: User | None = None):
    if kind not in Organization.Kind.values:
        raise ActionError("kind", "choice", f"kind must be one of {Organization.Kind.values}")
    if Organization.objects.filter(name__iexact=name).exists():
        raise ActionError("name", "unique", f"an organization named {name!r} exists")
    return Organization.objects.create(name=name, kind=kind, account_manager=account_manager)


def do_create_staff(*, email: str, full_name: str, role: str, line: str = "", password=None):
    if role == User.Role.CONTACT:
        raise ActionError("role", "staff_role", "use do_create_contact for contacts")
    return User.objects.create_user(
        email, password, full_name=full_name, role=role, support_line=line, is_staff=role == "admin"
    )


def do_create_contact(
    *,
    organization: Organization,
    email: str,
    full_name: str,
    actor: User | None = None,
    authorized: bool = False,
    org_admin: bool = False,
    focal_point: bool = False,
    phone: str = "",
    password: str | None = None,
    language: str = "en",
    time_zone: str = "UTC",
) -> User:
    if User.objects.filter(email__iexact=email).exists():
        raise ActionError("email", "unique", f"{email} already has an account")
    with transaction.atomic():
        contact = User.objects.create_user(
            email,
            password,
            full_name=full_name,
            phone=phone,
            role=User.Role.CONTACT,
            organization=organization,
            is_authorized=authorized,
            is_org_admin=org_admin,
            is_focal_point=focal_point,
            language=language,
            time_zone=time_zone,
        )
        AccountEvent.objects.create(
            organization=organization,
            actor=actor,
            subject=contact,
            kind="contact_created",
            data={"authorized": authorized, "org_admin": org_admin, "focal_point": focal_point},
        )
    return contact


def _notify_technical_contacts(organization: Organization, event: AccountEvent, message: str):
    """Seed 002: "you must notify Allure whenever technical contact responsibilities are
    transferred to another individual" — Pacto records it and tells both sides."""
    recipients = list(
        User.objects.filter(organization=organization, is_authorized=True, is_active=True)
    )
    if organization.account_manager:
        recipients.append(organization.account_manager)
    enqueue(
        kind="technical_contacts_changed",
        dedupe_key=f"account-event:{event.pk}",
        recipients=recipients,
        organization=organization,
        payload={"message": message, "event": event.kind},
    )


def check_staff(actor: User) -> None:
    if not actor.is_staff_member:
        raise NotAllowed("only the vendor's staff may change authorized contacts")


def do_authorize_contact(actor: User, contact: User, *, reason: str = "") -> User:
    check_staff(actor)
    if contact.is_authorized:
        return contact
    with transaction.atomic():
        contact.is_authorized = True
        contact.save(update_fields=["is_authorized"])
        event = AccountEvent.objects.create(
            organization=contact.organization,
            actor=actor,
            subject=contact,
            kind="contact_authorized",
            data={"reason": reason},
        )
        _notify_technical_contacts(
            contact.organization, event, f"{contact} is now an authorized technical contact."
        )
    return contact


def do_record_certification(
    actor: User, holder: User, *, name: str, valid_until: dt.date
) -> PartnerCertification:
    """A partner contact's certification (seed 000 §2), which lets them open tickets for the
    customers their organization serves until ``valid_until``."""
    check_staff(actor)
    if holder.organization is None or holder.organization.kind != Organization.Kind.PARTNER:
        raise ActionError("holder", "partner_contact", "only a partner's contacts are certified")
    with transaction.atomic():
        certification = PartnerCertification.objects.create(
            holder=holder, name=name, valid_until=valid_until
        )
        AccountEvent.objects.create(
            organization=holder.organization,
            actor=actor,
            subject=holder,
            kind="certification_recorded",
            data={"name": name, "valid_until": valid_until.isoformat()},
        )
    return certification


def do_revoke_contact(actor: User, contact: User, *, reason: str = "") -> User:
    is_admin_of_org = actor.is_org_admin and actor.organization_id == contact.organization_id
    if not (actor.is_staff_member or is_admin_of_org):
        raise NotAllowed("only the vendor's staff or an organization admin may revoke access")
    if not contact.is_authorized:
        return contact
    with transaction.atomic():
        contact.is_authorized = False
        contact.is_focal_point = False
        contact.save(update_fields=["is_authorized", "is_focal_point"])
        event = AccountEvent.objects.create(
            organization=contact.organization,
            actor=actor,
            subject=contact,
            kind="contact_revoked",
            data={"reason": reason},
        )
        _notify_technical_contacts(
            contact.organization, event, f"{contact} is no longer an authorized contact."
        )
    return contact


def do_set_focal_point(actor: User, contact: User) -> User:
    """Move the focal point (technical contact) of an organization to ``contact``."""
    is_admin_of_org = actor.is_org_admin and actor.organization_id == contact.organization_id
    if not (actor.is_staff_member or is_admin_of_org):
        raise NotAllowed("only the vendor's staff or an organization admin may change it")
    if not contact.is_authorized:
        raise ActionError("contact", "authorized", "the focal point must be an authorized contact")
    with transaction.atomic():
        previous = list(
            User.objects.filter(organization=contact.organization, is_focal_point=True).exclude(
                pk=contact.pk
            )
        )
        User.objects.filter(pk__in=[p.pk for p in previous]).update(is_focal_point=False)
        contact.is_focal_point = True
        contact.save(update_fields=["is_focal_point"])
        event = AccountEvent.objects.create(
            organization=contact.organization,
            actor=actor,
            subject=contact,
            kind="focal_point_changed",
            data={"previous": [p.email for p in previous]},
        )
        _notify_technical_contacts(
            contact.organization,
            event,
            f"The technical contact is now {contact}"
            + (f" (was {', '.join(map(str, previous))})." if previous else "."),
        )
    return contact


def check_may_open_tickets(user: User, customer: Organization, day: dt.date):
    """Return the active contract under which ``user`` may open a ticket for ``customer``.

    Raises NotAllowed with a message that says how to get access.
    """
    from pacto.contracts.actions import active_contract

    if user.is_staff_member:
        contract = active_contract(customer, day)
        if contract is None:
            raise ActionError(
                "organization", "active_contract", f"{customer} has no active support contract"
            )
        return contract
    if not user.is_active or not user.is_authorized or user.organization_id is None:
        raise NotAllowed(ACCESS_HELP, rule="authorized_contact")
    organization = user.organization
    if organization.is_partner:
        if not organization.served_customers.filter(pk=customer.pk).exists():
            raise NotAllowed(
                f"{organization} does not serve {customer}. " + ACCESS_HELP, rule="partner_serves"
            )
        if not user.certified_on(day):
            raise NotAllowed(
                "Partner contacts need a valid certification to open tickets; yours is missing "
                "or expired. " + ACCESS_HELP,
                rule="partner_certified",
            )
    elif organization.pk != customer.pk:
        raise NotAllowed(ACCESS_HELP, rule="own_organization")
    contract = active_contract(customer, day)
    if contract is None:
        raise NotAllowed(
            f"{customer} has no active support contract today. Contact your account manager "
            "to renew it.",
            rule="active_contract",
        )
    return contract


def do_create_token(user: User, *, name: str, scope: str = "read") -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is not stored and cannot be shown again."""
    if scope not in ApiToken.Scope.values:
        raise ActionError("scope", "choice", f"scope must be one of {ApiToken.Scope.values}")
    if not name.strip():
        raise ActionError("name", "required", "a token needs a name")
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        scope=scope,
        token_hash=ApiToken.digest(secret),
        hint=secret[:10],
    )
    return token, secret


def do_revoke_token(user: User, token: ApiToken) -> None:
    if token.user_id != user.pk and not user.is_manager:
        raise NotAllowed("you may revoke only your own tokens")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
