"""Changes to policies and contracts."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from pacto.accounts.models import AccountEvent
from pacto.audit import saved_changes
from pacto.catalog.models import Module, Version
from pacto.contracts.models import (
    Contract,
    ContractEvent,
    ContractProduct,
    PolicyVersion,
    contract_end,
)
from pacto.errors import ActionError, NotAllowed
from pacto.notifications.outbox import enqueue
from pacto.sla.policy import PRESETS, PolicyError, loads_policy, preset_names


def check_policy_text(text: str, source: str = "policy.yaml"):
    try:
        return loads_policy(text, source)
    except PolicyError as exc:
        raise ActionError("policy", "valid_policy", str(exc)) from None


def do_store_policy(text: str, *, is_preset: bool = False, source: str = "policy.yaml"):
    """Store a policy file's exact text (once per content) and return its PolicyVersion."""
    policy = check_policy_text(text, source)
    with transaction.atomic():
        version, _ = PolicyVersion.objects.get_or_create(
            sha256=PolicyVersion.digest(text),
            defaults={
                "policy_id": policy.id,
                "version": policy.version,
                "title": policy.title,
                "source_yaml": text,
                "is_preset": is_preset,
            },
        )
    return version


def preset_version(name: str) -> PolicyVersion:
    """The stored version of a shipped preset, stored on first use."""
    path = PRESETS / f"{name}.yaml"
    if not path.exists():
        raise ActionError("policy", "known_preset", f"no preset named {name!r}")
    return do_store_policy(path.read_text(encoding="utf-8"), is_preset=True, source=path.name)


def store_presets() -> list[PolicyVersion]:
    """Every shipped preset, stored as a policy version (once per text): run after each
    ``pacto migrate`` and wherever a policy is chosen, so every preset can be picked without
    pasting its YAML. A preset whose text changed becomes a new version; contracts keep the
    version they point at."""
    return [preset_version(name) for name in preset_names()]


def check_no_overlap(
    organization, starts_on: dt.date, ends_on: dt.date, products, *, exclude=None
) -> None:
    """One organization holds one active contract for a product at a time: a contract that
    overlaps another is refused unless the two cover different products (a new-ticket form
    then asks which product the ticket is for)."""
    names = {_product_name(line).casefold() for line in products}
    overlapping = (
        Contract.objects.filter(
            organization=organization, starts_on__lte=ends_on, ends_on__gte=starts_on
        )
        .exclude(terminated_on__lt=starts_on)
        .prefetch_related("products")
    )
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude.pk)
    for other in overlapping:
        theirs = {p.product.casefold() for p in other.products.all()}
        shared = names & theirs if names and theirs else names | theirs or {""}
        if shared:
            what = ", ".join(sorted(p for p in shared if p)) or "the same products"
            raise ActionError(
                "starts_on",
                "no_overlap",
                f"{organization} already has contract {other.service_contract_id} from "
                f"{other.starts_on} to {other.ends_on} for {what}; end it first or cover "
                "different products",
            )


def _product_name(line) -> str:
    return line.product if isinstance(line, ContractProduct) else str(line[0])


def check_plan(policy_version: PolicyVersion, plan: str) -> None:
    plans = [p.id for p in policy_version.policy.plans]
    if plan not in plans:
        raise ActionError(
            "plan",
            "defined_in_policy",
            f"plan {plan!r} is not in {policy_version} ({', '.join(plans)})",
        )


def do_create_contract(
    *,
    organization,
    service_contract_id: str,
    policy_version: PolicyVersion,
    plan: str,
    starts_on: dt.date,
    years: int = 1,
    ends_on: dt.date | None = None,
    go_live_on: dt.date | None = None,
    hypercare_weeks: int = 0,
    products: list[tuple[str, str, int]] = (),
    included_services: dict | None = None,
    auto_renew: bool = False,
    actor=None,
) -> Contract:
    if organization.kind != "customer":
        raise ActionError("organization", "customer", "contracts belong to customer organizations")
    check_plan(policy_version, plan)
    ends_on = ends_on or contract_end(starts_on, years)
    if ends_on < starts_on:
        raise ActionError("ends_on", "after_start", "a contract cannot end before it starts")
    if Contract.objects.filter(service_contract_id=service_contract_id).exists():
        raise ActionError(
            "service_contract_id", "unique", f"contract {service_contract_id!r} already exists"
        )
    if hypercare_weeks and not go_live_on:
        raise ActionError("go_live_on", "required_for_hypercare", "hypercare starts at go-live")
    check_no_overlap(organization, starts_on, ends_on, products)
    with transaction.atomic():
        contract = Contract.objects.create(
            organization=organization,
            service_contract_id=service_contract_id,
            policy_version=policy_version,
            plan=plan,
            starts_on=starts_on,
            ends_on=ends_on,
            go_live_on=go_live_on,
            hypercare_weeks=hypercare_weeks,
            included_services=included_services or {},
            auto_renew=auto_renew,
        )
        _set_products(contract, products)
        ContractEvent.objects.create(
            contract=contract,
            actor=actor,
            kind="created",
            data={
                "plan": plan,
                "starts_on": contract.starts_on.isoformat(),
                "ends_on": contract.ends_on.isoformat(),
            },
        )
    return contract


def _set_products(contract: Contract, products) -> None:
    """Product lines: ``(product, module, quantity)`` tuples, or the lines of another
    contract (a renewal keeps their catalogue module and installed version)."""
    for line in products:
        if isinstance(line, ContractProduct):
            ContractProduct.objects.create(
                contract=contract, product=line.product, module=line.module,
                quantity=line.quantity, catalog_module=line.catalog_module,
                installed_version=line.installed_version,
            )  # fmt: skip
            continue
        product, module, quantity = line
        if not str(product).strip():
            raise ActionError("products", "required", "every product line names a product")
        if int(quantity) < 1:
            raise ActionError("products", "positive_quantity", "quantities are at least 1")
        ContractProduct.objects.create(
            contract=contract, product=product, module=module, quantity=quantity
        )


def _require_manager(actor, what: str) -> None:
    if actor is not None and not actor.is_manager:
        raise NotAllowed(f"only support managers {what}")


def do_renew_contract(
    contract: Contract,
    *,
    years: int = 1,
    plan: str | None = None,
    products: list[tuple[str, str, int]] | None = None,
    actor=None,
) -> Contract:
    """senhasegura §5.3: "The renewal of the support contract will be performed at the end of the
    current agreement, for the same day and month", and it "may be renegotiated in the purchase
    of more senhasegura modules": the plan and the products may change on renewal.

    ``actor`` None is the worker honouring ``auto_renew``."""
    _require_manager(actor, "renew contracts")
    if not 1 <= years <= 10:
        raise ActionError("years", "range", "a renewal is for 1 to 10 years")
    if contract.terminated_on is not None:
        raise ActionError("contract", "not_terminated", "a terminated contract is not renewed")
    starts_on = contract.ends_on + dt.timedelta(days=1)
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        if locked.renewals.exists():
            raise ActionError("contract", "not_renewed", f"{contract} was already renewed")
        renewed = do_create_contract(
            organization=contract.organization,
            service_contract_id=f"{contract.service_contract_id}-R{starts_on.year}",
            policy_version=contract.policy_version,
            plan=plan or contract.plan,
            starts_on=starts_on,
            years=years,
            included_services=contract.included_services,
            products=products if products is not None else list(contract.products.all()),
            auto_renew=contract.auto_renew,
            actor=actor,
        )
        renewed.renewal_of = contract
        renewed.save(update_fields=["renewal_of"])
        ContractEvent.objects.create(
            contract=contract,
            actor=actor,
            kind="renewed" if actor else "renewed_automatically",
            data={
                "renewal": renewed.service_contract_id,
                "years": years,
                "plan": renewed.plan,
                "ends_on": renewed.ends_on.isoformat(),
            },
        )
        _tell_customer_admins(contract, "contract_renewed", f"renewed:{contract.pk}", renewed)
    return renewed


def do_terminate_contract(actor, contract: Contract, *, on: dt.date, reason: str) -> Contract:
    """End support early: ``on`` is the last day of support. Tickets already open keep the
    policy they were opened under; no new ticket is accepted after ``on``."""
    _require_manager(actor, "terminate contracts")
    if not reason.strip():
        raise ActionError("reason", "required", "say why the contract is terminated")
    if on < contract.starts_on or on > contract.ends_on:
        raise ActionError(
            "on", "within_contract", f"the last day must fall between {contract.starts_on} and "
            f"{contract.ends_on}"
        )  # fmt: skip
    if contract.terminated_on is not None:
        raise ActionError("contract", "not_terminated", f"terminated on {contract.terminated_on}")
    with transaction.atomic():
        contract.terminated_on = on
        contract.termination_reason = reason.strip()
        contract.auto_renew = False
        contract.save(update_fields=["terminated_on", "termination_reason", "auto_renew"])
        ContractEvent.objects.create(
            contract=contract,
            actor=actor,
            kind="terminated",
            data={"on": on.isoformat(), "reason": contract.termination_reason},
        )
        _tell_customer_admins(contract, "contract_terminated", f"terminated:{contract.pk}", None)
    return contract


CONTRACT_FIELDS = ("plan", "ends_on", "auto_renew", "go_live_on", "hypercare_weeks")


def do_update_contract(actor, contract: Contract, **changes) -> Contract:
    """Change a contract's terms (support managers), with one audit event naming each change.
    Tickets keep the policy version they were opened under."""
    _require_manager(actor, "change contracts")
    unknown = set(changes) - set(CONTRACT_FIELDS)
    if unknown:
        raise ActionError(sorted(unknown)[0], "known_field", "this field cannot be changed here")
    changed = {k: v for k, v in changes.items() if getattr(contract, k) != v}
    if "plan" in changed:
        check_plan(contract.policy_version, changed["plan"])
    if changed.get("ends_on") and changed["ends_on"] < contract.starts_on:
        raise ActionError("ends_on", "after_start", "a contract cannot end before it starts")
    if not changed:
        return contract
    with transaction.atomic():
        ContractEvent.objects.create(
            contract=contract, actor=actor, kind="changed", data=saved_changes(contract, changed)
        )
    return contract


def _customer_admins(contract: Contract):
    from pacto.accounts.models import User

    return list(
        User.objects.filter(organization=contract.organization, is_org_admin=True, is_active=True)
    )


def _tell_customer_admins(contract: Contract, kind: str, key: str, renewed) -> None:
    recipients = _customer_admins(contract)
    if contract.organization.account_manager:
        recipients.append(contract.organization.account_manager)
    enqueue(
        kind=kind,
        dedupe_key=f"contract:{key}",
        recipients=recipients,
        organization=contract.organization,
        payload={
            "contract": contract.service_contract_id,
            "organization": str(contract.organization),
            "ends_on": contract.last_day.isoformat(),
            "renewal": renewed.service_contract_id if renewed else "",
            "reason": contract.termination_reason,
        },
    )


REMINDER_DAYS = (60, 30)


def sweep_contracts(now: dt.datetime) -> dict:
    """Daily contract work, idempotent (every notice has a key, renewals are checked under a
    row lock): reminders 60 and 30 days before a contract ends (senhasegura §5.3), and the renewal
    of contracts marked ``auto_renew`` on their end date."""
    today = timezone.localdate(now)
    counts = {"reminders": 0, "renewed": 0}
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    ending = (
        Contract.objects.filter(ends_on__gte=today, ends_on__lte=horizon, terminated_on=None)
        .filter(renewals=None)
        .select_related("organization", "organization__account_manager")
    )
    for contract in ending:
        days_left = (contract.ends_on - today).days
        due = [d for d in REMINDER_DAYS if days_left <= d]
        if not due:
            continue
        mark = min(due)
        with transaction.atomic():
            Contract.objects.select_for_update().filter(pk=contract.pk).first()
            if ContractEvent.objects.filter(
                contract=contract, kind="reminded", data__days=mark
            ).exists():
                continue
            ContractEvent.objects.create(
                contract=contract, kind="reminded", data={"days": mark}, at=now
            )
            manager = contract.organization.account_manager
            enqueue(
                kind="contract_ending",
                dedupe_key=f"contract:ending:{contract.pk}:{mark}",
                recipients=_customer_admins(contract) + ([manager] if manager else []),
                organization=contract.organization,
                payload={
                    "contract": contract.service_contract_id,
                    "organization": str(contract.organization),
                    "ends_on": contract.ends_on.isoformat(),
                    "days": days_left,
                    "auto_renew": contract.auto_renew,
                },
            )
            counts["reminders"] += 1
    for contract in Contract.objects.filter(
        auto_renew=True, ends_on__lte=today, terminated_on=None, renewals=None
    ).filter(ends_on__gte=today - dt.timedelta(days=30)):
        try:
            do_renew_contract(contract, years=1)
        except ActionError:
            continue  # renewed meanwhile by another worker or a manager
        counts["renewed"] += 1
    return counts


def active_contracts(organization, day: dt.date) -> list[Contract]:
    """The organization's contracts in force on ``day``, newest first (more than one only when
    they cover different products: ``check_no_overlap``)."""
    return list(
        Contract.objects.filter(organization=organization, starts_on__lte=day, ends_on__gte=day)
        .exclude(terminated_on__lt=day)
        .select_related("policy_version")
        .prefetch_related("products__catalog_module__product")
        .order_by("-starts_on", "-pk")
    )


def active_contract(organization, day: dt.date) -> Contract | None:
    contracts = active_contracts(organization, day)
    return contracts[0] if contracts else None


def contract_products(contract: Contract) -> list[str]:
    """The product names a contract covers, as its inventory lines name them."""
    names = []
    for line in contract.products.all():
        name = line.catalog_module.product.name if line.catalog_module_id else line.product
        if name and name not in names:
            names.append(name)
    return names


def contract_label(contract: Contract) -> str:
    """How a customer tells their contracts apart: the products first, then the contract."""
    products = ", ".join(contract_products(contract)) or gettext("no product listed")
    return f"{products} ({contract.service_contract_id})"


def choose_contract(
    organization, day: dt.date, *, contract=None, product: str = "", product_version=None
) -> Contract | None:
    """The active contract a ticket of ``organization`` runs under.

    ``contract`` (a Contract, its id or its service contract ID) names it; else the
    ``product`` (or the catalogue version's product) picks the contract that covers it; with
    one contract in force, that one. Several contracts and nothing to tell them apart is an
    error naming the field to fill, never a silent pick. None: no contract in force."""
    contracts = active_contracts(organization, day)
    if contract not in (None, ""):
        wanted = str(getattr(contract, "pk", contract))
        found = next((c for c in contracts if wanted in (str(c.pk), c.service_contract_id)), None)
        if found is None:
            # Another organization's contract reads exactly like one that does not exist.
            raise ActionError(
                "contract",
                "active_contract_of_customer",
                gettext("%(customer)s has no active contract %(contract)s.")
                % {"customer": organization, "contract": wanted},
            )
        return found
    if len(contracts) <= 1:
        return contracts[0] if contracts else None
    if product_version is not None:
        product = product_version.module.product.name
    choices = "; ".join(contract_label(c) for c in contracts)
    if product.strip():
        wanted = product.strip().casefold()
        covering = [c for c in contracts if wanted in {n.casefold() for n in contract_products(c)}]
        if len(covering) == 1:
            return covering[0]
        raise ActionError(
            "product",
            "covered_by_one_contract",
            gettext(
                "No active contract of %(customer)s covers %(product)s; its contracts cover: "
                "%(choices)s."
            )
            % {"customer": organization, "product": product.strip(), "choices": choices},
        )
    raise ActionError(
        "contract",
        "contract_named",
        gettext(
            "%(customer)s has several active contracts; say which product (or contract) the "
            "ticket is for: %(choices)s."
        )
        % {"customer": organization, "choices": choices},
    )


# ----------------------------------------------------------------------------- inventory


def _may_change_inventory(actor, contract: Contract) -> None:
    """Agents, and the customer's own authorized contacts, keep the inventory current."""
    if actor.is_staff_member:
        return
    if actor.organization_id != contract.organization_id or not actor.is_authorized:
        raise NotAllowed(
            "only the vendor's staff and the customer's authorized contacts change the inventory",
            field="contract",
        )


def _inventory_event(actor, contract: Contract, kind: str, now, **data) -> None:
    AccountEvent.objects.create(
        organization=contract.organization, actor=actor, kind=kind, at=now,
        data={"contract": contract.service_contract_id, **data},
    )  # fmt: skip


def do_add_inventory(
    actor,
    contract: Contract,
    *,
    module: Module,
    quantity: int = 1,
    installed_version: Version | None = None,
    now: dt.datetime | None = None,
) -> ContractProduct:
    """A catalogue product or module under the contract, with its quantity (devices, users)
    and the version installed."""
    now = now or timezone.now()
    if not actor.is_staff_member:
        raise NotAllowed("only the vendor's staff add products to a contract", field="contract")
    if quantity < 1:
        raise ActionError("quantity", "min_value", "quantity: at least 1")
    if installed_version is not None and installed_version.module_id != module.pk:
        raise ActionError("installed_version", "of_module", f"a version of {module}")
    if contract.products.filter(catalog_module=module).exists():
        raise ActionError("module", "unique", f"{module} is already under this contract")
    with transaction.atomic():
        line = ContractProduct.objects.create(
            contract=contract, product=module.product.name,
            module="" if module.main else module.name, quantity=quantity, catalog_module=module,
            installed_version=installed_version, updated_at=now,
        )  # fmt: skip
        _inventory_event(actor, contract, "inventory_added", now, module=str(module),
                         quantity=quantity, version=str(installed_version or ""))  # fmt: skip
    return line


def do_set_installed_version(
    actor,
    line: ContractProduct,
    version: Version,
    *,
    quantity: int | None = None,
    now: dt.datetime | None = None,
) -> ContractProduct:
    """The customer (an authorized contact) or an agent records the version now installed
    (and, optionally, the quantity)."""
    now = now or timezone.now()
    _may_change_inventory(actor, line.contract)
    if line.catalog_module_id is None:
        raise ActionError("module", "in_catalogue", f"{line} is not a catalogue product")
    if version.module_id != line.catalog_module_id:
        raise ActionError("installed_version", "of_module", f"a version of {line.catalog_module}")
    if quantity is not None and quantity < 1:
        raise ActionError("quantity", "min_value", "quantity: at least 1")
    with transaction.atomic():
        line = ContractProduct.objects.select_for_update().get(pk=line.pk)
        previous = str(line.installed_version or "")
        line.installed_version = version
        if quantity is not None:
            line.quantity = quantity
        line.updated_at = now
        line.save()
        _inventory_event(actor, line.contract, "installed_version_changed", now,
                         module=str(line.catalog_module), version=str(version),
                         previous=previous, quantity=line.quantity)  # fmt: skip
    return line


def link_free_text_inventory() -> int:
    """Point free-text inventory lines at the catalogue where a product and module of that
    name exist (``pacto catalog link``). Returns how many lines were linked."""
    linked = 0
    for line in ContractProduct.objects.filter(catalog_module=None):
        module = (
            Module.objects.filter(product__name__iexact=line.product)
            .filter(Q(name__iexact=line.module) if line.module else Q(main=True))
            .first()
        )
        if module is not None:
            ContractProduct.objects.filter(pk=line.pk).update(catalog_module=module)
            linked += 1
    return linked
