"""Changes to the catalogue: products, modules, versions, known issues, releases and
engineering items. Each ``do_*`` is one transaction with its audit event (``CatalogEvent``).

Only the vendor's staff change the catalogue. What tells customers (publishing a known issue
or a release, linking tickets, engineering updates) is in ``pacto.catalog.notices``, above
tickets.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from pacto.accounts.models import User
from pacto.catalog.models import (
    AffectedRange,
    CatalogEvent,
    EngineeringItem,
    EngineeringUpdate,
    KnownIssue,
    Module,
    Product,
    Release,
    SupportStatus,
    Version,
    version_key,
)
from pacto.errors import ActionError, NotAllowed
from pacto.times import aware_now as _now


def require_staff(actor: User, what: str) -> None:
    if not (actor and actor.is_authenticated and actor.is_staff_member):
        raise NotAllowed(f"only the vendor's staff may {what}")


def _event(kind: str, actor: User | None, ref: str, now: dt.datetime, **data) -> CatalogEvent:
    return CatalogEvent.objects.create(kind=kind, actor=actor, object_ref=ref, at=now, data=data)


def _text(field: str, value: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionError(field, "required", f"{field} is required")
    if len(value) > max_length:
        raise ActionError(field, "max_length", f"{field}: at most {max_length} characters")
    return value


def _slug(field: str, value: str, source: str) -> str:
    slug = slugify(value or source)[:80]
    if not slug:
        raise ActionError(field, "slug", f"{field}: letters, digits and hyphens")
    return slug


# ----------------------------------------------------------------------------- products


def do_create_product(
    actor: User,
    *,
    name: str,
    slug: str = "",
    vendor: str = "",
    description: str = "",
    modules: list[str] = (),
    now=None,
) -> Product:
    """A product with its main module (named after it) and any further modules."""
    now = _now(now)
    require_staff(actor, "change the catalogue")
    name = _text("name", name, 100)
    slug = _slug("slug", slug, name)
    if Product.objects.filter(slug=slug).exists() or Product.objects.filter(name=name).exists():
        raise ActionError("name", "unique", f"a product named {name!r} exists")
    with transaction.atomic():
        product = Product.objects.create(
            slug=slug, name=name, vendor=vendor.strip(), description=description, created_at=now
        )
        Module.objects.create(product=product, slug=slug, name=name, main=True)
        for module_name in modules:
            _create_module(product, module_name)
        _event("product_created", actor, f"product:{slug}", now, name=name, modules=list(modules))
    return product


def _create_module(product: Product, name: str, slug: str = "") -> Module:
    name = _text("name", name, 100)
    slug = _slug("slug", slug, name)
    if product.modules.filter(slug=slug).exists():
        raise ActionError("name", "unique", f"{product} already has a module {name!r}")
    return Module.objects.create(product=product, slug=slug, name=name)


def do_add_module(actor: User, product: Product, *, name: str, slug: str = "", now=None) -> Module:
    now = _now(now)
    require_staff(actor, "change the catalogue")
    with transaction.atomic():
        module = _create_module(product, name, slug)
        _event("module_added", actor, f"product:{product.slug}", now, module=module.name)
    return module


def _check_status(status: str) -> None:
    if status not in SupportStatus.values:
        raise ActionError(
            "status", "choice", f"status must be one of {', '.join(SupportStatus.values)}"
        )


def do_add_version(
    actor: User,
    module: Module,
    *,
    number: str,
    released_on: dt.date | None = None,
    status: str = SupportStatus.SUPPORTED,
    end_of_support_on: dt.date | None = None,
    beta_policy: str = "",
    notes: str = "",
    now=None,
) -> Version:
    now = _now(now)
    require_staff(actor, "change the catalogue")
    number = _text("number", number, 60)
    if not version_key(number):
        raise ActionError("number", "version", "a version number such as 4.2 or 4.2.1")
    _check_status(status)
    if beta_policy and status != SupportStatus.BETA:
        raise ActionError("beta_policy", "beta_only", "only a beta version names its own policy")
    if end_of_support_on and released_on and end_of_support_on < released_on:
        raise ActionError("end_of_support_on", "after_release", "support ends after release")
    if module.versions.filter(number=number).exists():
        raise ActionError("number", "unique", f"{module} {number} exists")
    with transaction.atomic():
        version = Version.objects.create(
            module=module, number=number, released_on=released_on, status=status,
            end_of_support_on=end_of_support_on, beta_policy=beta_policy.strip(), notes=notes,
        )  # fmt: skip
        _event(
            "version_added", actor, f"version:{version.pk}", now, version=str(version),
            status=status, end_of_support_on=end_of_support_on and end_of_support_on.isoformat(),
        )  # fmt: skip
    return version


def do_update_version(
    actor: User,
    version: Version,
    *,
    status: str | None = None,
    end_of_support_on: dt.date | type | None = ...,
    beta_policy: str | None = None,
    now=None,
) -> Version:
    """Change a version's support status, end of support or beta policy."""
    now = _now(now)
    require_staff(actor, "change the catalogue")
    with transaction.atomic():
        version = Version.objects.select_for_update().get(pk=version.pk)
        before = {
            "status": version.status,
            "end_of_support_on": version.end_of_support_on
            and version.end_of_support_on.isoformat(),
        }
        if status is not None:
            _check_status(status)
            version.status = status
        if end_of_support_on is not ...:
            version.end_of_support_on = end_of_support_on
        if beta_policy is not None:
            version.beta_policy = beta_policy.strip()
        if version.beta_policy and version.status != SupportStatus.BETA:
            raise ActionError(
                "beta_policy", "beta_only", "only a beta version names its own policy"
            )
        version.save()
        _event(
            "version_updated", actor, f"version:{version.pk}", now, version=str(version),
            before=before, status=version.status,
            end_of_support_on=version.end_of_support_on and version.end_of_support_on.isoformat(),
        )  # fmt: skip
    return version


def find_version(modules, product: str, version: str) -> Version | None:
    """The catalogue version a free-text product and version name (email, older tickets),
    among ``modules``: the module named like ``product`` (or the only one), then the version
    numbered ``version``."""
    number = (version or "").strip().removeprefix("v").removeprefix("V")
    if not number:
        return None
    modules = list(modules)
    wanted = (product or "").strip().lower()
    if wanted:
        named = [
            m
            for m in modules
            if wanted in (m.name.lower(), m.slug, str(m).lower(), m.product.name.lower())
        ]
        named = [m for m in named if str(m).lower() == wanted] or named
        modules = named
    candidates = Version.objects.filter(module__in=modules, number__iexact=number)
    found = list(candidates.select_related("module__product")[:2])
    return found[0] if len(found) == 1 else None


# ----------------------------------------------------------------------------- known issues


def _ranges(product: Product, ranges: list[dict]) -> list[AffectedRange]:
    if not ranges:
        raise ActionError("ranges", "required", "name at least one affected range")
    built = []
    for i, item in enumerate(ranges):
        module = item.get("module")
        if isinstance(module, str):
            module = product.modules.filter(slug=module).first()
        if module is None:
            module = product.modules.filter(main=True).first()
        if module is None or module.product_id != product.pk:
            raise ActionError(f"ranges[{i}].module", "of_product", f"a module of {product}")
        introduced = (item.get("introduced") or "0").strip()
        fixed = (item.get("fixed") or "").strip()
        last_affected = (item.get("last_affected") or "").strip()
        if fixed and last_affected:
            raise ActionError(
                f"ranges[{i}].fixed", "fixed_or_last_affected", "give fixed or last_affected"
            )
        end = fixed or last_affected
        if end and introduced != "0" and version_key(end) < version_key(introduced):
            raise ActionError(f"ranges[{i}]", "ordered", f"{end} comes before {introduced}")
        built.append(
            AffectedRange(
                module=module, introduced=introduced, fixed=fixed, last_affected=last_affected
            )
        )
    return built


def do_create_known_issue(
    actor: User,
    *,
    product: Product,
    title: str,
    symptoms: str,
    ranges: list[dict],
    cause: str = "",
    workaround: str = "",
    fix: str = "",
    fixed_in: Version | None = None,
    status: str = KnownIssue.Status.INVESTIGATING,
    slug: str = "",
    now=None,
) -> KnownIssue:
    """A known issue with its affected ranges (introduced / fixed / last affected, as OSV)."""
    now = _now(now)
    require_staff(actor, "record known issues")
    title = _text("title", title, 200)
    symptoms = _text("symptoms", symptoms, 100_000)
    if status not in KnownIssue.Status.values:
        raise ActionError("status", "choice", f"status: {', '.join(KnownIssue.Status.values)}")
    if fixed_in is not None and fixed_in.module.product_id != product.pk:
        raise ActionError("fixed_in", "of_product", f"a version of {product}")
    built = _ranges(product, ranges)
    with transaction.atomic():
        issue = KnownIssue.objects.create(
            slug=slug or "pending", title=title, product=product, status=status,
            symptoms=symptoms, cause=cause, workaround=workaround, fix=fix, fixed_in=fixed_in,
            created_by=actor, created_at=now, updated_at=now,
        )  # fmt: skip
        if not slug:
            issue.slug = f"KI-{issue.pk}"
            issue.save(update_fields=["slug"])
        elif KnownIssue.objects.filter(slug=slug).exclude(pk=issue.pk).exists():
            raise ActionError("slug", "unique", f"known issue {slug} exists")
        for affected in built:
            affected.known_issue = issue
            affected.save()
        _event("known_issue_created", actor, f"known_issue:{issue.slug}", now, title=title,
               ranges=[str(r) for r in built])  # fmt: skip
    return issue


KNOWN_ISSUE_FIELDS = ("title", "status", "symptoms", "cause", "workaround", "fix", "fixed_in")


def do_update_known_issue(actor: User, issue: KnownIssue, *, ranges=None, now=None, **changes):
    """Change a known issue's text, status, fix version or affected ranges."""
    now = _now(now)
    require_staff(actor, "record known issues")
    if unknown := set(changes) - set(KNOWN_ISSUE_FIELDS):
        raise ActionError(sorted(unknown)[0], "known_field", "not a known-issue field")
    if "status" in changes and changes["status"] not in KnownIssue.Status.values:
        raise ActionError("status", "choice", f"status: {', '.join(KnownIssue.Status.values)}")
    fixed_in = changes.get("fixed_in")
    if fixed_in is not None and fixed_in.module.product_id != issue.product_id:
        raise ActionError("fixed_in", "of_product", f"a version of {issue.product}")
    for field in ("title", "symptoms"):
        if field in changes:
            changes[field] = _text(field, changes[field], 200 if field == "title" else 100_000)
    built = _ranges(issue.product, ranges) if ranges is not None else None
    with transaction.atomic():
        issue = KnownIssue.objects.select_for_update().get(pk=issue.pk)
        for field, value in changes.items():
            setattr(issue, field, value)
        issue.updated_at = now
        issue.save()
        if built is not None:
            issue.ranges.all().delete()
            for affected in built:
                affected.known_issue = issue
                affected.save()
        _event("known_issue_updated", actor, f"known_issue:{issue.slug}", now,
               fields=sorted(changes) + (["ranges"] if built is not None else []))  # fmt: skip
    return issue


# ----------------------------------------------------------------------------- releases


def do_create_release(
    actor: User,
    *,
    product: Product,
    title: str,
    notes: str,
    kind: str = Release.Kind.RELEASE,
    version: Version | None = None,
    scheduled_for: dt.datetime | None = None,
    now=None,
) -> Release:
    """A release (a new version), a platform update or a maintenance, not yet published."""
    now = _now(now)
    require_staff(actor, "announce releases")
    if kind not in Release.Kind.values:
        raise ActionError("kind", "choice", f"kind: {', '.join(Release.Kind.values)}")
    if kind == Release.Kind.RELEASE and version is None:
        raise ActionError("version", "required", "a release names the new version")
    if version is not None and version.module.product_id != product.pk:
        raise ActionError("version", "of_product", f"a version of {product}")
    if kind == Release.Kind.MAINTENANCE and scheduled_for is None:
        raise ActionError("scheduled_for", "required", "say when the maintenance happens")
    if scheduled_for is not None and timezone.is_naive(scheduled_for):
        raise ActionError("scheduled_for", "aware", "give a time zone offset")
    with transaction.atomic():
        release = Release.objects.create(
            kind=kind, product=product, version=version, title=_text("title", title, 200),
            notes=_text("notes", notes, 100_000), scheduled_for=scheduled_for,
            created_by=actor, created_at=now,
        )  # fmt: skip
        _event("release_created", actor, f"release:{release.pk}", now, title=release.title)
    return release


# ----------------------------------------------------------------------------- engineering


def do_create_engineering_item(
    actor: User,
    *,
    key: str,
    title: str,
    status: str = EngineeringItem.Status.OPEN,
    tracker_url: str = "",
    now=None,
) -> EngineeringItem:
    now = _now(now)
    require_staff(actor, "record engineering work")
    key = _text("key", key, 60)
    if EngineeringItem.objects.filter(key=key).exists():
        raise ActionError("key", "unique", f"engineering item {key} exists")
    if status not in EngineeringItem.Status.values:
        raise ActionError("status", "choice", f"status: {', '.join(EngineeringItem.Status.values)}")
    if tracker_url and not tracker_url.startswith(("https://", "http://")):
        raise ActionError("tracker_url", "url", "the tracker's https:// address")
    with transaction.atomic():
        item = EngineeringItem.objects.create(
            key=key, title=_text("title", title, 200), status=status, tracker_url=tracker_url,
            created_at=now, updated_at=now,
        )  # fmt: skip
        EngineeringUpdate.objects.create(item=item, status=status, body="", author=actor, at=now)
        _event("engineering_item_created", actor, f"engineering:{key}", now, title=item.title)
    return item


def apply_engineering_change(
    actor: User | None, item: EngineeringItem, *, status: str | None, title: str | None,
    body: str, now: dt.datetime,
) -> EngineeringUpdate:  # fmt: skip
    """Inside the caller's transaction: record one public update of ``item`` (``notices``
    tells the customers following it)."""
    if status is not None and status not in EngineeringItem.Status.values:
        raise ActionError("status", "choice", f"status: {', '.join(EngineeringItem.Status.values)}")
    body = (body or "").strip()
    if status in (None, item.status) and not body and title in (None, item.title):
        raise ActionError("status", "changed", "nothing changed: give a status, title or update")
    if title is not None:
        item.title = _text("title", title, 200)
    if status is not None:
        item.status = status
    item.updated_at = now
    item.save()
    update = EngineeringUpdate.objects.create(
        item=item, status=item.status, body=body, author=actor, at=now
    )
    _event("engineering_item_updated", actor, f"engineering:{item.key}", now, status=item.status)
    return update
