"""API endpoints for the catalogue, known issues, releases and engineering items.

- ``/api/products``: the public catalogue (no sign-in needed to read, as the public page;
  Xecuritas: "current versions, supported products, and products with end of support dates"):
  products, modules, versions, support status and end-of-support dates. Staff change it.
- ``/api/known-issues``: staff see every known issue; contacts see the published ones. The
  linked tickets listed are those the caller may see; who was told (deliveries) is for staff.
- ``/api/releases``: release, platform-update and maintenance notices; staff publish them.
- ``/api/engineering-items``: the vendor's engineering work (staff); ``POST
  /api/engineering-items/{key}`` is what a tracker's webhook calls (with a staff token).
- On tickets: link a known issue or an engineering item (staff), correct the version.
- ``/api/inventory/{line_id}``: the installed version of a contract's product (the customer's
  authorized contacts or staff).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from pacto.accounts.access import get_ticket_for, visible_organizations, visible_tickets
from pacto.catalog import actions, notices
from pacto.catalog.models import (
    EngineeringItem,
    KnownIssue,
    Module,
    Product,
    Release,
    SupportStatus,
    Version,
)
from pacto.catalog.support import verdict
from pacto.contracts.actions import active_contract, do_set_installed_version
from pacto.contracts.api import ProductOut, visible_contracts
from pacto.contracts.models import ContractProduct
from pacto.errors import ActionError, NotFound, one_of
from pacto.tickets import actions as ticket_actions
from pacto.tickets.api import CHANGE, RELATED, answer
from pacto.tickets.schemas import ChangeIn, In, Reason, Text, error_responses

router = Router()
known_issues_router = Router()
releases_router = Router()
engineering_router = Router()
tickets_router = Router()
inventory_router = Router()


# ----------------------------------------------------------------------------- schemas


class VersionOut(Schema):
    id: int
    number: str
    released_on: dt.date | None
    status: str = Field(description="supported, unsupported, discontinued or beta, today")
    declared_status: str = Field(description="the status as recorded")
    end_of_support_on: dt.date | None
    beta_policy: str
    notes: str

    @staticmethod
    def resolve_status(version: Version) -> str:
        return version.status_on(timezone.localdate())

    @staticmethod
    def resolve_declared_status(version: Version) -> str:
        return version.status


class ModuleOut(Schema):
    id: int
    slug: str
    name: str
    main: bool
    current_version: str | None
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(module: Module) -> list:
        return sorted(module.versions.all(), key=lambda v: v.key, reverse=True)

    @staticmethod
    def resolve_current_version(module: Module) -> str | None:
        today = timezone.localdate()
        supported = [
            v
            for v in module.versions.all()
            if v.status_on(today) == SupportStatus.SUPPORTED
            and (v.released_on is None or v.released_on <= today)
        ]
        return max(supported, key=lambda v: v.key).number if supported else None


class ProductDetailOut(Schema):
    id: int
    slug: str
    name: str
    vendor: str
    description: str
    modules: list[ModuleOut]


class ProductIn(In):
    name: str = Field(max_length=100)
    slug: str = Field("", max_length=80)
    vendor: str = Field("", max_length=100)
    description: Text = ""
    modules: list[str] = Field(default_factory=list, max_length=50)


class VersionIn(In):
    module: str = Field("", max_length=80, description="module slug; default: the main module")
    number: str = Field(max_length=60)
    released_on: dt.date | None = None
    status: Literal["supported", "unsupported", "discontinued", "beta"] = "supported"
    end_of_support_on: dt.date | None = None
    beta_policy: str = Field("", max_length=80)
    notes: Text = ""


class VersionChangeIn(In):
    status: Literal["supported", "unsupported", "discontinued", "beta"] | None = None
    end_of_support_on: dt.date | None = None
    clear_end_of_support: bool = False
    beta_policy: str | None = Field(None, max_length=80)


class SupportOut(Schema):
    version: str
    status: str
    handling: str = Field(description="refuse, without_targets, beta_policy or as_supported")
    beta_policy: str
    flagged: bool
    message: str
    cite: str | None


class RangeIO(In):
    module: str = Field("", max_length=80, description="module slug; default: the main module")
    introduced: str = Field("0", max_length=60)
    fixed: str = Field("", max_length=60)
    last_affected: str = Field("", max_length=60)


class TicketRef(Schema):
    id: int
    subject: str
    status: str
    organization: str

    @staticmethod
    def resolve_organization(ticket) -> str:
        return ticket.organization.name


class DeliveryOut(Schema):
    step: str
    kind: str
    organization: str
    ticket: int
    version: str
    emailed: list[str]
    delivered_at: dt.datetime

    @staticmethod
    def resolve_step(delivery) -> str:
        return delivery.publication.step

    @staticmethod
    def resolve_organization(delivery) -> str:
        return delivery.organization.name

    @staticmethod
    def resolve_ticket(delivery) -> int:
        return delivery.ticket_number


class KnownIssueOut(Schema):
    id: int
    slug: str
    title: str
    product: str
    status: str
    symptoms: str
    cause: str
    workaround: str
    fix: str
    fixed_in: str | None
    published_at: dt.datetime | None
    ranges: list[RangeIO]
    published_steps: list[str]

    @staticmethod
    def resolve_product(issue) -> str:
        return issue.product.slug

    @staticmethod
    def resolve_fixed_in(issue) -> str | None:
        return str(issue.fixed_in) if issue.fixed_in else None

    @staticmethod
    def resolve_ranges(issue) -> list:
        return [
            {"module": r.module.slug, "introduced": r.introduced, "fixed": r.fixed,
             "last_affected": r.last_affected}
            for r in issue.ranges.all()
        ]  # fmt: skip

    @staticmethod
    def resolve_published_steps(issue) -> list[str]:
        return [p.step for p in issue.publications.all()]


class KnownIssueDetailOut(KnownIssueOut):
    linked_tickets: list[TicketRef] = Field(description="the linked tickets you may see")
    deliveries: list[DeliveryOut] = Field(description="who was told what and when (staff)")

    @staticmethod
    def resolve_linked_tickets(issue, context) -> list:
        viewer = context["request"].auth
        return list(
            visible_tickets(viewer).filter(known_issue=issue).select_related("organization")
        )

    @staticmethod
    def resolve_deliveries(issue, context) -> list:
        viewer = context["request"].auth
        if not viewer.is_staff_member:
            return []
        from pacto.catalog.models import NoticeDelivery

        return list(
            NoticeDelivery.objects.filter(publication__known_issue=issue).select_related(
                "publication", "organization"
            )
        )


class KnownIssueIn(In):
    product: str = Field(max_length=80, description="product slug")
    title: str = Field(max_length=200)
    symptoms: Text
    cause: Text = ""
    workaround: Text = ""
    fix: Text = ""
    fixed_in: int | None = Field(None, description="the id of the version that fixes it")
    status: Literal["investigating", "known_error", "fix_scheduled", "fixed", "retired"] = (
        "investigating"
    )
    ranges: list[RangeIO] = Field(min_length=1, max_length=50)


class KnownIssueChangeIn(In):
    title: str | None = Field(None, max_length=200)
    status: Literal["investigating", "known_error", "fix_scheduled", "fixed", "retired"] | None = (
        None
    )
    symptoms: Text | None = None
    cause: Text | None = None
    workaround: Text | None = None
    fix: Text | None = None
    fixed_in: int | None = None
    ranges: list[RangeIO] | None = Field(None, max_length=50)


class PublishIn(In):
    step: Literal["issue", "workaround", "fix"]


class PublishOut(Schema):
    step: str
    told_organizations: list[str]
    replied_tickets: list[int]
    already_told: int


class ReleaseOut(Schema):
    id: int
    kind: str
    product: str
    version: str | None
    title: str
    notes: str
    scheduled_for: dt.datetime | None
    published_at: dt.datetime | None

    @staticmethod
    def resolve_product(release) -> str:
        return release.product.slug

    @staticmethod
    def resolve_version(release) -> str | None:
        return release.version.number if release.version else None


class ReleaseIn(In):
    kind: Literal["release", "update", "maintenance"] = "release"
    product: str = Field(max_length=80, description="product slug")
    version: int | None = Field(None, description="the id of the new version (releases)")
    title: str = Field(max_length=200)
    notes: Text
    scheduled_for: dt.datetime | None = None


class UpdateOut(Schema):
    status: str
    body: str
    at: dt.datetime


class EngineeringItemOut(Schema):
    id: int
    key: str
    title: str
    status: str
    tracker_url: str
    updated_at: dt.datetime
    updates: list[UpdateOut]

    @staticmethod
    def resolve_updates(item) -> list:
        return list(item.updates.all())


class EngineeringItemIn(In):
    key: str = Field(max_length=60)
    title: str = Field(max_length=200)
    status: Literal["open", "in_progress", "in_review", "done", "wont_do"] = "open"
    tracker_url: str = Field("", max_length=500)


class EngineeringChangeIn(In):
    status: Literal["open", "in_progress", "in_review", "done", "wont_do"] | None = None
    title: str | None = Field(None, max_length=200)
    body: Reason = Field("", description="a public update the following customers read")


class LinkKnownIssueIn(ChangeIn):
    known_issue: str = Field(max_length=40, description="the known issue's reference, KI-…")
    wait_for_fix: bool = Field(False, description="wait in the policy's fix-pending status")


class UnlinkKnownIssueIn(ChangeIn):
    reason: Reason = Field(description="why the link was wrong (kept in the ticket's history)")


class LinkEngineeringIn(ChangeIn):
    key: str = Field(max_length=60)


class ProductVersionIn(ChangeIn):
    product_version: int
    reason: Reason


class InventoryIn(In):
    installed_version: int = Field(description="the id of the version now installed")
    quantity: int | None = Field(None, ge=1, le=1_000_000)


# ----------------------------------------------------------------------------- helpers


def _products():
    versions = Prefetch("versions", queryset=Version.objects.order_by("-released_on", "-id"))
    modules = Prefetch("modules", queryset=Module.objects.prefetch_related(versions))
    return Product.objects.prefetch_related(modules)


def _product(slug: str) -> Product:
    product = Product.objects.filter(slug=slug).first()
    if product is None:
        raise NotFound("product")
    return product


def _version(version_id: int | None, field: str = "version") -> Version | None:
    if version_id is None:
        return None
    version = Version.objects.select_related("module__product").filter(pk=version_id).first()
    if version is None:
        raise ActionError(field, "exists", f"no catalogue version has id {version_id}")
    return version


def _module(product: Product, slug: str) -> Module:
    module = product.modules.filter(slug=slug).first() if slug else product.modules.first()
    if module is None:
        raise ActionError("module", "exists", f"{product} has no module {slug!r}")
    return module


def visible_known_issues(user):
    if user.is_staff_member:
        return KnownIssue.objects.all()
    return KnownIssue.objects.published()


def _known_issue(request, slug: str) -> KnownIssue:
    issue = (
        visible_known_issues(request.auth)
        .select_related("product", "fixed_in__module__product")
        .filter(slug=slug)
        .first()
    )
    if issue is None:
        raise NotFound("known issue")
    return issue


def _ranges(product: Product, ranges: list[RangeIO]) -> list[dict]:
    return [
        {"module": _module(product, r.module), "introduced": r.introduced, "fixed": r.fixed,
         "last_affected": r.last_affected}
        for r in ranges
    ]  # fmt: skip


def _staff(request, what: str) -> None:
    actions.require_staff(request.auth, what)


# ----------------------------------------------------------------------------- products


@router.get(
    "",
    response={200: list[ProductDetailOut], **error_responses()},
    auth=None,
    summary="The catalogue: products, modules and versions with their support status (public)",
)
def list_products(request: HttpRequest):
    return list(_products())


@router.get(
    "/{slug}",
    response={200: ProductDetailOut, **error_responses(404)},
    auth=None,
    summary="One product with its modules and versions (public)",
)
def get_product(request: HttpRequest, slug: str):
    product = _products().filter(slug=slug).first()
    if product is None:
        raise NotFound("product")
    return product


@router.post(
    "", response={201: ProductDetailOut, **error_responses()}, summary="Add a product (staff)"
)
def create_product(request: HttpRequest, payload: ProductIn):
    product = actions.do_create_product(
        request.auth, name=payload.name, slug=payload.slug, vendor=payload.vendor,
        description=payload.description, modules=payload.modules,
    )  # fmt: skip
    return Status(201, _products().get(pk=product.pk))


@router.post(
    "/{slug}/versions",
    response={201: VersionOut, **error_responses(404)},
    summary="Add a version to a product's module (staff)",
)
def add_version(request: HttpRequest, slug: str, payload: VersionIn):
    _staff(request, "change the catalogue")
    product = _product(slug)
    version = actions.do_add_version(
        request.auth, _module(product, payload.module), number=payload.number,
        released_on=payload.released_on, status=payload.status,
        end_of_support_on=payload.end_of_support_on, beta_policy=payload.beta_policy,
        notes=payload.notes,
    )  # fmt: skip
    return Status(201, version)


@router.post(
    "/versions/{version_id}",
    response={200: VersionOut, **error_responses(404)},
    summary="Change a version's support status, end of support or beta policy (staff)",
)
def change_version(request: HttpRequest, version_id: int, payload: VersionChangeIn):
    _staff(request, "change the catalogue")
    version = one_of(Version.objects, version_id, "version")
    eos = None if payload.clear_end_of_support else payload.end_of_support_on
    return actions.do_update_version(
        request.auth, version, status=payload.status, beta_policy=payload.beta_policy,
        end_of_support_on=eos if (payload.clear_end_of_support or eos) else ...,
    )  # fmt: skip


@router.get(
    "/versions/{version_id}/support",
    response={200: SupportOut, **error_responses(404)},
    summary="What a ticket on this version would get under your contract, before you send it",
)
def version_support(request: HttpRequest, version_id: int, organization: int | None = None):
    actor = request.auth
    version = one_of(Version.objects.select_related("module__product"), version_id, "version")
    organizations = visible_organizations(actor)
    if organization is not None:
        customer = one_of(organizations, organization, "organization")
    else:
        customer = actor.organization if not actor.is_staff_member else None
    if customer is None:
        raise ActionError("organization", "required", "name the customer organization")
    contract = active_contract(customer, timezone.localdate())
    if contract is None:
        raise ActionError("organization", "active_contract", f"{customer} has no active contract")
    result = verdict(version, contract.policy, timezone.localdate())
    return {"version": str(version), **result.as_dict()}


# ----------------------------------------------------------------------------- known issues


@known_issues_router.get(
    "",
    response={200: list[KnownIssueOut], **error_responses()},
    summary="Known issues (contacts: the published ones)",
)
def list_known_issues(request: HttpRequest, product: str | None = None):
    issues = visible_known_issues(request.auth).select_related("product", "fixed_in__module")
    if product:
        issues = issues.filter(product__slug=product)
    return list(issues.prefetch_related("ranges__module", "publications"))


@known_issues_router.get(
    "/{slug}",
    response={200: KnownIssueDetailOut, **error_responses(404)},
    summary="One known issue, its linked tickets you may see, and who was told (staff)",
)
def get_known_issue(request: HttpRequest, slug: str):
    return _known_issue(request, slug)


@known_issues_router.post(
    "",
    response={201: KnownIssueDetailOut, **error_responses()},
    summary="Record a known issue with its affected ranges (staff)",
)
def create_known_issue(request: HttpRequest, payload: KnownIssueIn):
    _staff(request, "record known issues")
    product = _product(payload.product)
    issue = actions.do_create_known_issue(
        request.auth, product=product, title=payload.title, symptoms=payload.symptoms,
        cause=payload.cause, workaround=payload.workaround, fix=payload.fix,
        fixed_in=_version(payload.fixed_in, "fixed_in"), status=payload.status,
        ranges=_ranges(product, payload.ranges),
    )  # fmt: skip
    return Status(201, _known_issue(request, issue.slug))


@known_issues_router.post(
    "/{slug}",
    response={200: KnownIssueDetailOut, **error_responses(404)},
    summary="Change a known issue: text, status, fix, affected ranges (staff)",
)
def change_known_issue(request: HttpRequest, slug: str, payload: KnownIssueChangeIn):
    issue = _known_issue(request, slug)
    _staff(request, "record known issues")
    changes = payload.dict(exclude_unset=True, exclude={"ranges", "fixed_in"})
    changes = {k: v for k, v in changes.items() if v is not None}
    if payload.fixed_in is not None:
        changes["fixed_in"] = _version(payload.fixed_in, "fixed_in")
    ranges = _ranges(issue.product, payload.ranges) if payload.ranges is not None else None
    actions.do_update_known_issue(request.auth, issue, ranges=ranges, **changes)
    return _known_issue(request, slug)


@known_issues_router.post(
    "/{slug}/publish",
    response={200: PublishOut, **error_responses(404)},
    summary="Publish the issue, its workaround or its fix: tell each affected customer once",
)
def publish_known_issue(request: HttpRequest, slug: str, payload: PublishIn):
    issue = _known_issue(request, slug)
    _staff(request, "publish known issues")
    result = notices.do_publish_known_issue(request.auth, issue, payload.step)
    return {
        "step": payload.step,
        "told_organizations": [o.name for o in result.organizations],
        "replied_tickets": result.tickets_replied,
        "already_told": result.already_told,
    }


# ----------------------------------------------------------------------------- releases


def visible_releases(user):
    if user.is_staff_member:
        return Release.objects.all()
    return Release.objects.filter(published_at__isnull=False)


@releases_router.get(
    "",
    response={200: list[ReleaseOut], **error_responses()},
    summary="Releases, platform updates and maintenance (contacts: the published ones)",
)
def list_releases(request: HttpRequest):
    return list(visible_releases(request.auth).select_related("product", "version"))


@releases_router.post(
    "", response={201: ReleaseOut, **error_responses()}, summary="Draft a release notice (staff)"
)
def create_release(request: HttpRequest, payload: ReleaseIn):
    _staff(request, "announce releases")
    release = actions.do_create_release(
        request.auth, product=_product(payload.product), kind=payload.kind,
        version=_version(payload.version), title=payload.title, notes=payload.notes,
        scheduled_for=payload.scheduled_for,
    )  # fmt: skip
    return Status(201, release)


@releases_router.post(
    "/{release_id}/publish",
    response={200: PublishOut, **error_responses(404)},
    summary="Publish: a notice ticket for each customer with the product (staff)",
)
def publish_release(request: HttpRequest, release_id: int):
    release = one_of(visible_releases(request.auth), release_id, "release")
    _staff(request, "publish releases")
    result = notices.do_publish_release(request.auth, release)
    return {
        "step": "release",
        "told_organizations": [o.name for o in result.organizations],
        "replied_tickets": [],
        "already_told": result.already_told,
    }


# ----------------------------------------------------------------------------- engineering


def _item(request, key: str) -> EngineeringItem:
    _staff(request, "see engineering work")
    item = EngineeringItem.objects.filter(key=key).first()
    if item is None:
        raise NotFound("engineering item")
    return item


@engineering_router.get(
    "",
    response={200: list[EngineeringItemOut], **error_responses()},
    summary="Engineering items (staff)",
)
def list_engineering_items(request: HttpRequest):
    _staff(request, "see engineering work")
    return list(EngineeringItem.objects.prefetch_related("updates"))


@engineering_router.post(
    "",
    response={201: EngineeringItemOut, **error_responses()},
    summary="Record an engineering item (staff)",
)
def create_engineering_item(request: HttpRequest, payload: EngineeringItemIn):
    item = actions.do_create_engineering_item(
        request.auth, key=payload.key, title=payload.title, status=payload.status,
        tracker_url=payload.tracker_url,
    )  # fmt: skip
    return Status(201, item)


@engineering_router.post(
    "/{key}",
    response={200: EngineeringItemOut, **error_responses(404)},
    summary="Update an engineering item; every ticket following it is told (tracker webhook)",
)
def update_engineering_item(request: HttpRequest, key: str, payload: EngineeringChangeIn):
    item = _item(request, key)
    notices.do_update_engineering_item(
        request.auth, item, status=payload.status, title=payload.title, body=payload.body
    )
    return EngineeringItem.objects.prefetch_related("updates").get(pk=item.pk)


# ----------------------------------------------------------------------------- tickets


@tickets_router.post(
    "/{ticket_id}/known-issue",
    response=CHANGE,
    summary="Link the ticket to a known issue; the customer is told (staff)",
)
def link_known_issue(request: HttpRequest, ticket_id: int, payload: LinkKnownIssueIn):
    ticket = get_ticket_for(request.auth, ticket_id, related=RELATED)
    _staff(request, "link tickets to known issues")
    issue = KnownIssue.objects.filter(slug=payload.known_issue).first()
    if issue is None:
        raise ActionError("known_issue", "exists", f"no known issue {payload.known_issue}")
    ticket_actions.do_link_known_issue(
        request.auth, ticket, issue, wait_for_fix=payload.wait_for_fix,
        expected_version=payload.lock_version,
    )  # fmt: skip
    return answer(request, ticket)


@tickets_router.post(
    "/{ticket_id}/known-issue/unlink",
    response=CHANGE,
    summary="Take back a known-issue link made in error, with a reason; the customer is told (staff)",
)
def unlink_known_issue(request: HttpRequest, ticket_id: int, payload: UnlinkKnownIssueIn):
    ticket = get_ticket_for(request.auth, ticket_id, related=RELATED)
    _staff(request, "unlink tickets from known issues")
    ticket_actions.do_unlink_known_issue(
        request.auth, ticket, reason=payload.reason, expected_version=payload.lock_version
    )
    return answer(request, ticket)


@tickets_router.post(
    "/{ticket_id}/engineering-item",
    response=CHANGE,
    summary="Link the ticket to an engineering item the customer can follow (staff)",
)
def link_engineering_item(request: HttpRequest, ticket_id: int, payload: LinkEngineeringIn):
    ticket = get_ticket_for(request.auth, ticket_id, related=RELATED)
    _staff(request, "link engineering work")
    item = EngineeringItem.objects.filter(key=payload.key).first()
    if item is None:
        raise ActionError("key", "exists", f"no engineering item {payload.key}")
    ticket_actions.do_link_engineering_item(
        request.auth, ticket, item, expected_version=payload.lock_version
    )
    return answer(request, ticket)


@tickets_router.post(
    "/{ticket_id}/product-version",
    response=CHANGE,
    summary="Correct the catalogue version the ticket is about, with a reason (staff; "
    "customers: their own open tickets, a version of their inventory)",
)
def set_product_version(request: HttpRequest, ticket_id: int, payload: ProductVersionIn):
    ticket = get_ticket_for(request.auth, ticket_id, related=RELATED)
    ticket_actions.do_set_product_version(
        request.auth, ticket, _version(payload.product_version, "product_version"),
        reason=payload.reason, expected_version=payload.lock_version,
    )  # fmt: skip
    return answer(request, ticket)


# ----------------------------------------------------------------------------- inventory


@inventory_router.post(
    "/{line_id}",
    response={200: ProductOut, **error_responses(404)},
    summary="Record the version installed (and quantity) of a contract's product",
)
def set_installed_version(request: HttpRequest, line_id: int, payload: InventoryIn):
    line = (
        ContractProduct.objects.filter(contract__in=visible_contracts(request.auth), pk=line_id)
        .select_related("contract")
        .first()
    )
    if line is None:
        raise NotFound("inventory line")
    version = _version(payload.installed_version, "installed_version")
    return do_set_installed_version(request.auth, line, version, quantity=payload.quantity)
