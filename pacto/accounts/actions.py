"""Changes to organizations, contacts and API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from pacto.accounts.models import (
    AccountEvent,
    ApiToken,
    Invitation,
    Organization,
    PartnerCertification,
    TrainingRecord,
    User,
)
from pacto.audit import saved_changes
from pacto.errors import ActionError, NotAllowed, NotFound
from pacto.notifications.outbox import enqueue

ACCESS_HELP = gettext_lazy(
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


def do_create_staff(
    *,
    email: str,
    full_name: str,
    role: str,
    line: str = "",
    password=None,
    senior: bool = False,
    time_zone: str | None = None,
):
    """A member of the vendor's staff; ``senior``: offered first the tickets a policy routes
    to senior engineers (senhasegura §5.1 Premier). An administrator runs the installation:
    the admin site lets them do everything (a staff flag without permissions would show an
    empty admin whose every "add" answers 403). Without ``time_zone``: the installation's
    (``TIME_ZONE``), where the vendor works, until their browser says where they are
    (``time_zone_guessed``)."""
    if role == User.Role.CONTACT:
        raise ActionError("role", "staff_role", "use do_create_contact for contacts")
    guessed = not time_zone
    time_zone = time_zone or settings.TIME_ZONE
    check_contact_fields(time_zone=time_zone)
    return User.objects.create_user(
        email, password, full_name=full_name, role=role, support_line=line,
        is_staff=role == "admin", is_superuser=role == "admin", is_senior=senior,
        time_zone=time_zone, time_zone_guessed=guessed,
    )  # fmt: skip


LANGUAGES = ("en", "pt-br")


def organization_zone(organization: Organization | None, day: dt.date) -> str:
    """Where an organization's people are: the zone of its active contract's policy
    calendar (Banco Azul on senhasegura: São Paulo); a partner's, the first customer it
    serves with a contract; else the installation's (``TIME_ZONE``)."""
    from pacto.contracts.actions import active_contract

    candidates = [organization] if organization is not None else []
    if organization is not None and organization.is_partner:
        candidates += list(organization.served_customers.order_by("pk"))
    for candidate in candidates:
        contract = active_contract(candidate, day)
        if contract is not None:
            return contract.policy.calendar().zone.key
    return settings.TIME_ZONE


def check_contact_fields(*, email: str | None = None, language=None, time_zone=None) -> None:
    """The fields every way of creating or changing a contact validates the same way."""
    if email is not None and ("@" not in email or len(email) > 254 or email != email.strip()):
        raise ActionError("email", "email", f"{email!r} is not an email address")
    if language is not None and language not in LANGUAGES:
        raise ActionError("language", "choice", f"language must be one of {', '.join(LANGUAGES)}")
    if time_zone is not None:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ActionError(
                "time_zone", "iana_zone", f"{time_zone!r} is not an IANA time zone"
            ) from None


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
    time_zone: str | None = None,
    invite: bool = False,
    now: dt.datetime | None = None,
) -> User:
    """A new contact. With ``invite``, the contact gets an activation email with a link to
    set their password (senhasegura §7.2). Without ``time_zone``, the contact reads times in
    their organization's (``organization_zone``) until their browser says where they are
    (``time_zone_guessed``)."""
    guessed = not time_zone
    time_zone = time_zone or organization_zone(organization, (now or timezone.now()).date())
    check_contact_fields(email=email, language=language, time_zone=time_zone)
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
            time_zone_guessed=guessed,
        )
        AccountEvent.objects.create(
            organization=organization,
            actor=actor,
            subject=contact,
            kind="contact_created",
            data={"authorized": authorized, "org_admin": org_admin, "focal_point": focal_point},
        )
        if invite:
            do_invite_contact(actor, contact, now=now)
    return contact


# ----------------------------------------------------------------------------- invitations


def _activation_url(secret: str) -> str:
    return f"{settings.PACTO_BASE_URL.rstrip('/')}/activate/{secret}/"


def do_invite_contact(actor: User | None, contact: User, *, now: dt.datetime | None = None):
    """Send (or send again) the activation email of ``contact``.

    A new secret each time, so only the newest link works; it expires after
    ``PACTO_INVITATION_DAYS`` and works once. Returns the Invitation.
    """
    now = now or timezone.now()
    if actor is not None and not actor.is_staff_member:
        same_org = actor.is_org_admin and actor.organization_id == contact.organization_id
        if not same_org:
            raise NotAllowed("only the vendor's staff or an organization admin may invite")
    if not contact.is_contact:
        raise ActionError("contact", "contact", "only contacts are invited; staff sign in directly")
    invitation = Invitation.objects.filter(contact=contact).first()
    if invitation is not None and invitation.accepted_at is not None:
        raise ActionError("contact", "not_activated", f"{contact} has already activated")
    secret = secrets.token_urlsafe(32)
    expires_at = now + dt.timedelta(days=settings.PACTO_INVITATION_DAYS)
    with transaction.atomic():
        if invitation is None:
            invitation = Invitation.objects.create(
                contact=contact,
                token_hash=ApiToken.digest(secret),
                invited_by=actor,
                sent_at=now,
                expires_at=expires_at,
            )
        else:
            invitation.token_hash = ApiToken.digest(secret)
            invitation.sent_at = now
            invitation.expires_at = expires_at
            invitation.sent_count += 1
            invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "sent_count"])
        AccountEvent.objects.create(
            organization=contact.organization,
            actor=actor,
            subject=contact,
            kind="invitation_sent",
            data={"count": invitation.sent_count, "expires_at": expires_at.isoformat()},
            at=now,
        )
        enqueue(
            kind="invitation",
            dedupe_key=f"invitation:{invitation.pk}:{invitation.sent_count}",
            recipients=[contact],
            organization=contact.organization,
            payload={
                "url": _activation_url(secret),
                "organization": str(contact.organization or ""),
                "expires_at": expires_at.isoformat(),
            },
        )
    return invitation


def invitation_for(secret: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("contact", "contact__organization")
        .filter(token_hash=ApiToken.digest(secret))
        .first()
    )
    if invitation is None:
        raise NotFound("invitation")
    return invitation


def do_accept_invitation(secret: str, *, password: str, now: dt.datetime | None = None) -> User:
    """The contact sets their password through the link: once, before it expires."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = invitation_for(secret)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        state = invitation.state_on(now)
        if state == "accepted":
            raise ActionError("invitation", "single_use", "this activation link was already used")
        if state == "expired":
            raise ActionError(
                "invitation",
                "expired",
                "this activation link has expired; ask your account manager for a new one",
            )
        contact = invitation.contact
        try:
            validate_password(password, contact)
        except ValidationError as error:
            raise ActionError("password", "password_rules", " ".join(error.messages)) from None
        contact.set_password(password)
        contact.save(update_fields=["password"])
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
        AccountEvent.objects.create(
            organization=contact.organization,
            actor=contact,
            subject=contact,
            kind="invitation_accepted",
            at=now,
        )
    return contact


def do_record_partnership(
    actor: User, partner: Organization, *, starts_on: dt.date, ends_on: dt.date | None
) -> Organization:
    """The partnership agreement of a partner (senhasegura §7: "Partners under a valid
    partnership contract"): its contacts act only while it is valid."""
    return do_update_organization(
        actor, partner, partnership_starts_on=starts_on, partnership_ends_on=ends_on
    )


# ----------------------------------------------------------------------------- training


def do_record_training(
    actor: User,
    contact: User,
    *,
    course: str,
    completed_on: dt.date,
    expires_on: dt.date | None = None,
) -> TrainingRecord:
    """A course a contact completed (Allure: "initial basic product training")."""
    check_staff(actor)
    if not contact.is_contact:
        raise ActionError("contact", "contact", "training records belong to contacts")
    if not course.strip():
        raise ActionError("course", "required", "name the course")
    if expires_on is not None and expires_on < completed_on:
        raise ActionError("expires_on", "after_completion", "a training cannot expire before it")
    with transaction.atomic():
        record = TrainingRecord.objects.create(
            contact=contact, course=course.strip(), completed_on=completed_on, expires_on=expires_on
        )
        AccountEvent.objects.create(
            organization=contact.organization,
            actor=actor,
            subject=contact,
            kind="training_recorded",
            data={
                "course": record.course,
                "completed_on": completed_on.isoformat(),
                "expires_on": expires_on.isoformat() if expires_on else None,
            },
        )
    return record


# ----------------------------------------------------------------------------- changes


ORGANIZATION_FIELDS = (
    "name",
    "account_manager",
    "email_domains",
    "share_tickets",
    "partnership_starts_on",
    "partnership_ends_on",
)
CONTACT_FIELDS = ("full_name", "phone", "language", "time_zone", "is_org_admin", "is_active")


def _diff(instance, changes: dict) -> dict:
    return {k: v for k, v in changes.items() if getattr(instance, k) != v}


def do_update_organization(actor: User, organization: Organization, **changes) -> Organization:
    """Change an organization's fields (staff), with one audit event naming each change."""
    check_staff(actor)
    unknown = set(changes) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ActionError(sorted(unknown)[0], "known_field", "this field cannot be changed here")
    changed = _diff(organization, changes)
    starts = changed.get("partnership_starts_on", organization.partnership_starts_on)
    ends = changed.get("partnership_ends_on", organization.partnership_ends_on)
    if starts and ends and ends < starts:
        raise ActionError(
            "partnership_ends_on", "after_start", "a partnership cannot end before it starts"
        )
    if (starts or ends) and organization.kind != Organization.Kind.PARTNER:
        raise ActionError("partnership_starts_on", "partner", "only partners have partnerships")
    name = changed.get("name")
    if name is not None and (
        Organization.objects.filter(name__iexact=name).exclude(pk=organization.pk).exists()
    ):
        raise ActionError("name", "unique", f"an organization named {name!r} exists")
    if not changed:
        return organization
    with transaction.atomic():
        AccountEvent.objects.create(
            organization=organization,
            actor=actor,
            kind="organization_changed",
            data=saved_changes(organization, changed),
        )
    return organization


def do_update_contact(actor: User, contact: User, **changes) -> User:
    """Change a contact's own fields (staff, or their organization's admin). A zone set here
    is chosen: the browser's no longer replaces it."""
    is_admin_of_org = actor.is_org_admin and actor.organization_id == contact.organization_id
    if not (actor.is_staff_member or is_admin_of_org or actor.pk == contact.pk):
        raise NotAllowed("you may not change this contact")
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise ActionError(sorted(unknown)[0], "known_field", "this field cannot be changed here")
    if not actor.is_staff_member and {"is_org_admin", "is_active"} & set(changes):
        raise NotAllowed("only the vendor's staff may change this")
    check_contact_fields(language=changes.get("language"), time_zone=changes.get("time_zone"))
    changed = _diff(contact, changes)
    if not changed:
        return contact
    with transaction.atomic():
        before = {k: getattr(contact, k) for k in changed}
        for key, value in changed.items():
            setattr(contact, key, value)
        fields = list(changed)
        if "time_zone" in changed:
            contact.time_zone_guessed = False
            fields.append("time_zone_guessed")
        contact.save(update_fields=fields)
        AccountEvent.objects.create(
            organization=contact.organization,
            actor=actor,
            subject=contact,
            kind="contact_changed",
            data={k: [before[k], v] for k, v in changed.items()},
        )
    return contact


def shares_tickets(organization: Organization | None, day: dt.date) -> bool:
    """Whether authorized contacts of ``organization`` work on each other's tickets: the
    organization's own setting, else its active contract's policy (``contacts.share_tickets``)."""
    if organization is None or organization.is_partner:
        return False
    if organization.share_tickets is not None:
        return organization.share_tickets
    from pacto.contracts.actions import active_contract

    contract = active_contract(organization, day)
    return bool(contract and contract.policy.contacts.share_tickets)


def _notify_technical_contacts(organization: Organization, event: AccountEvent, message: str):
    """Allure: "you must notify Allure whenever technical contact responsibilities are
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
    """A partner contact's certification (senhasegura §2), which lets them open tickets for the
    customers their organization serves until ``valid_until``."""
    check_staff(actor)
    if not name.strip():
        raise ActionError("name", "required", "name the certification")
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


def check_may_open_tickets(
    user: User, customer: Organization, day: dt.date, *, contract=None, product="",
    product_version=None,
):  # fmt: skip
    """Return the active contract under which ``user`` may open a ticket for ``customer``:
    the one named by ``contract`` or covering ``product`` when the customer has several
    (``choose_contract``).

    Raises NotAllowed with a message that says how to get access.
    """
    from pacto.contracts.actions import choose_contract

    def in_force():
        return choose_contract(
            customer, day, contract=contract, product=product, product_version=product_version
        )

    if user.is_staff_member:
        contract = in_force()
        if contract is None:
            raise ActionError(
                "organization", "active_contract", f"{customer} has no active support contract"
            )
        return contract
    if not user.is_active or not user.is_authorized or user.organization_id is None:
        raise NotAllowed(str(ACCESS_HELP), rule="authorized_contact")
    organization = user.organization
    if organization.is_partner:
        if not organization.served_customers.filter(pk=customer.pk).exists():
            raise NotAllowed(
                gettext("%(partner)s does not serve %(customer)s.")
                % {"partner": organization, "customer": customer}
                + " "
                + str(ACCESS_HELP),
                rule="partner_serves",
            )
        if not organization.partnership_valid_on(day):
            raise NotAllowed(
                gettext(
                    "%(partner)s's partnership agreement is not valid today, so its contacts "
                    "cannot open tickets. Ask your account manager to renew the partnership."
                )
                % {"partner": organization},
                rule="partnership_valid",
            )
        if not user.certified_on(day):
            raise NotAllowed(
                gettext(
                    "Partner contacts need a valid certification to open tickets; yours is "
                    "missing or expired."
                )
                + " "
                + str(ACCESS_HELP),
                rule="partner_certified",
            )
    elif organization.pk != customer.pk:
        raise NotAllowed(str(ACCESS_HELP), rule="own_organization")
    contract = in_force()
    if contract is None:
        raise NotAllowed(
            gettext(
                "%(customer)s has no active support contract today. Contact your account "
                "manager to renew it."
            )
            % {"customer": customer},
            rule="active_contract",
        )
    course = contract.policy.contacts.required_training
    if course and not user.trained_on(day, course):
        raise NotAllowed(
            gettext(
                "The support policy asks technical contacts to have completed %(course)s "
                "before they open tickets, and we have no valid record of it for you. Ask your "
                "account manager to record your training, or an authorized colleague to open "
                "the ticket."
            )
            % {"course": repr(course)},
            rule="trained_contact",
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


# ----------------------------------------------------------------------------- sweeps

PARTNER_WARNING_DAYS = 30


def sweep_partnerships(now: dt.datetime) -> dict:
    """Warnings, 30 days ahead, of a partnership agreement or a partner's certification that
    expires (senhasegura §7: "Partners under a valid partnership contract and having certified
    professional"), to the partner's admins and authorized contacts and its account manager.
    Idempotent: each warning has a key."""
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=PARTNER_WARNING_DAYS)
    counts = {"partnerships": 0, "certifications": 0}

    def recipients(organization: Organization) -> list:
        people = list(
            User.objects.filter(organization=organization, is_active=True).filter(
                Q(is_org_admin=True) | Q(is_authorized=True)
            )
        )
        if organization.account_manager:
            people.append(organization.account_manager)
        return people

    for partner in Organization.objects.filter(
        kind=Organization.Kind.PARTNER,
        partnership_ends_on__gte=today,
        partnership_ends_on__lte=horizon,
    ).select_related("account_manager"):
        with transaction.atomic():
            rows = enqueue(
                kind="partnership_expiring",
                dedupe_key=f"partnership:{partner.pk}:{partner.partnership_ends_on}",
                recipients=recipients(partner),
                organization=partner,
                payload={
                    "organization": str(partner),
                    "ends_on": partner.partnership_ends_on.isoformat(),
                },
            )
        counts["partnerships"] += bool(rows)
    for certification in PartnerCertification.objects.filter(
        valid_until__gte=today, valid_until__lte=horizon
    ).select_related("holder", "holder__organization", "holder__organization__account_manager"):
        partner = certification.holder.organization
        people = [certification.holder]
        if partner.account_manager:
            people.append(partner.account_manager)
        with transaction.atomic():
            rows = enqueue(
                kind="certification_expiring",
                dedupe_key=f"certification:{certification.pk}:{certification.valid_until}",
                recipients=people,
                organization=partner,
                payload={
                    "organization": str(partner),
                    "contact": str(certification.holder),
                    "certification": certification.name,
                    "ends_on": certification.valid_until.isoformat(),
                },
            )
        counts["certifications"] += bool(rows)
    return counts
