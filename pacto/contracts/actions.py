"""Changes to policies and contracts."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from pacto.contracts.models import Contract, ContractProduct, PolicyVersion, contract_end
from pacto.errors import ActionError
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
        for product, module, quantity in products:
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
            products=[(p.product, p.module, p.quantity) for p in contract.products.all()],
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
