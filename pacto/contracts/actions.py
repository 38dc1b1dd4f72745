"""Changes to policies and contracts."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pacto.accounts.models import AccountEvent
from pacto.catalog.models import Module, Version
from pacto.contracts.models import Contract, ContractProduct, PolicyVersion, contract_end
from pacto.errors import ActionError, NotAllowed
from pacto.sla.policy import PRESETS, PolicyError, loads_policy


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
        for line in products:
            if isinstance(line, ContractProduct):
                ContractProduct.objects.create(
                    contract=contract, product=line.product, module=line.module,
                    quantity=line.quantity, catalog_module=line.catalog_module,
                    installed_version=line.installed_version,
                )  # fmt: skip
                continue
            product, module, quantity = line
            ContractProduct.objects.create(
                contract=contract, product=product, module=module, quantity=quantity
            )
    return contract


def do_renew_contract(contract: Contract, *, years: int = 1, plan: str | None = None) -> Contract:
    """Seed 000 §5.3: renewed at the end of the current agreement, for the same day and month."""
    starts_on = contract.ends_on + dt.timedelta(days=1)
    with transaction.atomic():
        renewed = do_create_contract(
            organization=contract.organization,
            service_contract_id=f"{contract.service_contract_id}-R{starts_on.year}",
            policy_version=contract.policy_version,
            plan=plan or contract.plan,
            starts_on=starts_on,
            years=years,
            included_services=contract.included_services,
            products=list(contract.products.all()),
            auto_renew=contract.auto_renew,
        )
        renewed.renewal_of = contract
        renewed.save(update_fields=["renewal_of"])
    return renewed


def active_contract(organization, day: dt.date) -> Contract | None:
    return (
        Contract.objects.filter(organization=organization, starts_on__lte=day, ends_on__gte=day)
        .select_related("policy_version")
        .order_by("-starts_on")
        .first()
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
