"""API endpoints for contracts and support policies.

A contract is visible to whoever may see its organization (``pacto.accounts.access``); a
stored policy version to the vendor's staff, and to contacts when it is a shipped preset or
the policy of a contract they can see. Contracts are created by support managers.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePath

import yaml
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from pacto.accounts.access import may_see_contracts, visible_organizations
from pacto.accounts.models import User
from pacto.contracts.actions import (
    do_create_contract,
    do_renew_contract,
    do_terminate_contract,
    preset_version,
)
from pacto.contracts.models import Contract, PolicyVersion
from pacto.errors import ActionError, NotAllowed, NotFound, one_of
from pacto.sla.policy import PolicyError, parse_policy, preset, preset_names
from pacto.tickets.schemas import BodyId, ErrorOut, In, OrganizationRef, error_responses

router = Router()
policies_router = Router()

# An uploaded policy file: at most this many characters (the presets are about 10 000), this
# many YAML aliases (a few anchors are normal; thousands are an expansion bomb) and this many
# levels of nesting (a policy needs about six; thousands make the parser quadratic and then
# recursive). All three are checked while the events stream in, before anything is built.
POLICY_MAX_CHARS = 200_000
POLICY_MAX_ALIASES = 200
POLICY_MAX_DEPTH = 40
# libyaml when PyYAML was built with it (Debian's and the wheels are): many times faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2999, 12, 31)


# ----------------------------------------------------------------------------- schemas


class ProductOut(Schema):
    """One inventory line: a catalogue module (or free text) with the version installed."""

    id: int
    product: str
    module: str
    quantity: int
    catalog_module_id: int | None
    installed_version_id: int | None
    installed_version: str | None = Field(description="its number, when in the catalogue")

    @staticmethod
    def resolve_installed_version(line) -> str | None:
        return line.installed_version.number if line.installed_version else None


class ContractOut(Schema):
    id: int
    organization: OrganizationRef
    service_contract_id: str
    policy: str = Field(description="`id@version` of the policy the contract runs under")
    policy_version_id: int
    plan: str
    starts_on: dt.date
    ends_on: dt.date
    auto_renew: bool
    go_live_on: dt.date | None
    hypercare_weeks: int
    hypercare_until: dt.date | None
    included_services: dict[str, int]
    products: list[ProductOut]
    terminated_on: dt.date | None = Field(description="last day of support when terminated early")
    termination_reason: str
    renewed_by: str | None = Field(description="service contract ID of the renewal, if any")

    @staticmethod
    def resolve_renewed_by(contract: Contract) -> str | None:
        renewal = contract.renewals.first()
        return renewal.service_contract_id if renewal else None

    @staticmethod
    def resolve_policy(contract: Contract) -> str:
        return str(contract.policy_version)

    @staticmethod
    def resolve_hypercare_until(contract: Contract) -> dt.date | None:
        return contract.hypercare_until()

    @staticmethod
    def resolve_products(contract: Contract) -> list:
        return list(contract.products.all())


class ProductIn(In):
    product: str = Field(min_length=1, max_length=100)
    module: str = Field("", max_length=100)
    quantity: int = Field(1, strict=True, ge=1, le=1_000_000)


class RenewalIn(In):
    years: int = Field(1, ge=1, le=10)
    plan: str | None = Field(None, max_length=60, description="a new plan; default: the same")
    products: list[ProductIn] | None = Field(
        None, max_length=200, description="the renewed products; default: the same"
    )


class TerminationIn(In):
    on: dt.date = Field(ge=EARLIEST, le=LATEST, description="the last day of support")
    reason: str = Field(min_length=1, max_length=300)


class ContractIn(In):
    organization: BodyId
    service_contract_id: str = Field(min_length=1, max_length=60)
    policy_version: BodyId | None = Field(None, description="a stored policy version's id…")
    preset: str | None = Field(None, max_length=80, description="…or a shipped preset's name")
    plan: str = Field(max_length=60, description="a plan id of the policy")
    starts_on: dt.date = Field(ge=EARLIEST, le=LATEST)
    years: int = Field(1, strict=True, ge=1, le=10)
    ends_on: dt.date | None = Field(None, ge=EARLIEST, le=LATEST)
    go_live_on: dt.date | None = Field(None, ge=EARLIEST, le=LATEST)
    hypercare_weeks: int = Field(0, strict=True, ge=0, le=104)
    products: list[ProductIn] = Field(default_factory=list, max_length=200)
    included_services: dict[str, int] = Field(
        default_factory=dict, max_length=50, description='e.g. {"assisted upgrade": 1}'
    )
    auto_renew: bool = False


class PresetOut(Schema):
    name: str
    policy: str = Field(description="`id@version`")
    title: str
    vendor: str


class PolicyVersionOut(Schema):
    id: int
    policy: str = Field(description="`id@version`")
    policy_id: str
    version: str
    title: str
    sha256: str
    is_preset: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_policy(version: PolicyVersion) -> str:
        return str(version)


class PoliciesOut(Schema):
    presets: list[PresetOut]
    versions: list[PolicyVersionOut]


class PolicyVersionDetailOut(PolicyVersionOut):
    source_yaml: str
    document: dict = Field(description="the validated policy, every default filled in")

    @staticmethod
    def resolve_document(version: PolicyVersion) -> dict:
        return version.policy.model_dump(mode="json", by_alias=True)


class PresetDetailOut(PresetOut):
    document: dict = Field(description="the validated policy, every default filled in")


class PolicyValidOut(Schema):
    valid: bool
    policy: str = Field(description="`id@version` of the valid policy")


# ----------------------------------------------------------------------------- lookups


def visible_contracts(user: User) -> QuerySet:
    if not may_see_contracts(user):
        return Contract.objects.none()
    return Contract.objects.filter(organization__in=visible_organizations(user))


def visible_policy_versions(user: User) -> QuerySet:
    versions = PolicyVersion.objects.all()
    if user.is_staff_member:
        return versions
    used = visible_contracts(user).values("policy_version")
    return versions.filter(Q(is_preset=True) | Q(pk__in=used))


def _contracts(user: User) -> QuerySet:
    return (
        visible_contracts(user)
        .select_related("organization", "policy_version")
        .prefetch_related("products__installed_version", "renewals")
    )


# ----------------------------------------------------------------------------- contracts


@router.get("", response={200: list[ContractOut], **error_responses()}, summary="Contracts")
def list_contracts(request: HttpRequest):
    return _contracts(request.auth)


@router.get(
    "/{contract_id}",
    response={200: ContractOut, **error_responses(404)},
    summary="One contract",
)
def get_contract(request: HttpRequest, contract_id: int):
    return one_of(_contracts(request.auth), contract_id, "contract")


@router.post(
    "",
    response={201: ContractOut, **error_responses(404)},
    summary="Create a contract (support managers)",
)
def create_contract(request: HttpRequest, payload: ContractIn):
    actor = request.auth
    if not actor.is_manager:
        raise NotAllowed("only support managers create contracts")
    organization = one_of(visible_organizations(actor), payload.organization, "organization")
    if (payload.policy_version is None) == (payload.preset is None):
        raise ActionError(
            "policy_version", "one_policy", "give either policy_version (an id) or preset"
        )
    if payload.preset is not None:
        if payload.preset not in preset_names():
            raise ActionError("preset", "known_preset", f"presets: {', '.join(preset_names())}")
        policy_version = preset_version(payload.preset)
    else:
        policy_version = one_of(PolicyVersion.objects, payload.policy_version, "policy_version")
    contract = do_create_contract(
        organization=organization,
        policy_version=policy_version,
        products=[(p.product, p.module, p.quantity) for p in payload.products],
        **payload.model_dump(include=_AS_GIVEN),
    )
    return Status(201, _contracts(actor).get(pk=contract.pk))


# What ``do_create_contract`` takes from the request as it is.
_AS_GIVEN = {
    "service_contract_id", "plan", "starts_on", "years", "ends_on", "go_live_on",
    "hypercare_weeks", "included_services", "auto_renew",
}  # fmt: skip


def _managed_contract(request: HttpRequest, contract_id: int) -> Contract:
    return one_of(_contracts(request.auth), contract_id, "contract")


@router.post(
    "/{contract_id}/renew",
    response={201: ContractOut, **error_responses(404)},
    summary="Renew a contract from its end date, optionally with another plan or products "
    "(support managers)",
)
def renew_contract(request: HttpRequest, contract_id: int, payload: RenewalIn):
    contract = _managed_contract(request, contract_id)
    renewed = do_renew_contract(
        contract,
        years=payload.years,
        plan=payload.plan,
        products=(
            None
            if payload.products is None
            else [(p.product, p.module, p.quantity) for p in payload.products]
        ),
        actor=request.auth,
    )
    return Status(201, _contracts(request.auth).get(pk=renewed.pk))


@router.post(
    "/{contract_id}/terminate",
    response={200: ContractOut, **error_responses(404)},
    summary="Terminate a contract early, with its last day and a reason (support managers)",
)
def terminate_contract(request: HttpRequest, contract_id: int, payload: TerminationIn):
    contract = _managed_contract(request, contract_id)
    do_terminate_contract(request.auth, contract, on=payload.on, reason=payload.reason)
    return _contracts(request.auth).get(pk=contract.pk)


# ----------------------------------------------------------------------------- policies


@policies_router.get(
    "",
    response={200: PoliciesOut, **error_responses()},
    summary="Shipped presets and the stored policy versions you may see",
)
def list_policies(request: HttpRequest):
    presets = []
    for name in preset_names():
        policy = preset(name)
        presets.append(
            {"name": name, "policy": policy.key, "title": policy.title, "vendor": policy.vendor}
        )
    return {"presets": presets, "versions": list(visible_policy_versions(request.auth))}


@policies_router.get(
    "/presets/{name}",
    response={200: PresetDetailOut, **error_responses(404)},
    summary="One shipped preset, validated",
)
def get_preset(request: HttpRequest, name: str):
    if name not in preset_names():
        raise NotFound("preset")
    policy = preset(name)
    return {
        "name": name,
        "policy": policy.key,
        "title": policy.title,
        "vendor": policy.vendor,
        "document": policy.model_dump(mode="json", by_alias=True),
    }


@policies_router.get(
    "/versions/{version_id}",
    response={200: PolicyVersionDetailOut, **error_responses(404)},
    summary="One stored policy version: its exact text and the validated policy",
)
def get_policy_version(request: HttpRequest, version_id: int):
    return one_of(visible_policy_versions(request.auth), version_id, "policy_version")


_UPLOAD_BODY = {
    "required": True,
    "content": {
        "text/yaml": {"schema": {"type": "string"}},
        "application/yaml": {"schema": {"type": "string"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
    },
}
_LINE = re.compile(r"^(?P<field>[\w-]+(?:\[\d+\]|\.[\w-]+)*|\(top level\)): (?P<message>.*)$")


def policy_problems(message: str, source: str) -> list[dict[str, str]]:
    """A PolicyError's lines (``file: field.path: message``) as ``detail`` entries."""
    detail: list[dict[str, str]] = []
    for line in message.splitlines():
        if line.startswith(f"{source}: "):
            rest = line.removeprefix(f"{source}: ")
            match = _LINE.match(rest)
            field = match["field"] if match else "policy"
            if field == "(top level)":
                field = "policy"
            detail.append(
                {
                    "field": field,
                    "rule": "valid_policy",
                    "message": match["message"] if match else rest,
                }
            )
        elif detail:
            detail[-1]["message"] += "\n" + line
        else:
            detail.append({"field": "policy", "rule": "valid_policy", "message": line})
    return detail


def _uploaded_text(request: HttpRequest) -> tuple[str, str]:
    """The policy file's text and name, from a multipart ``file`` or the raw body."""
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise ActionError("file", "required", "send the policy as the multipart field `file`")
        if upload.size > POLICY_MAX_CHARS:
            raise ActionError(
                "file", "max_size", f"a policy file has at most {POLICY_MAX_CHARS} bytes"
            )
        raw, name = upload.read(), PurePath(upload.name or "policy.yaml").name
    else:
        raw, name = request.body, "policy.yaml"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ActionError("file", "utf8", "a policy file is UTF-8 text") from None
    if len(text) > POLICY_MAX_CHARS:
        raise ActionError(
            "file", "max_size", f"a policy file has at most {POLICY_MAX_CHARS} characters"
        )
    return text, name


def _check_shape(text: str, source: str) -> None:
    """Refuse an expansion bomb or a deeply nested document from the stream of parser events,
    stopping at the first event past a limit: what it costs is bounded by the limits."""
    aliases = depth = 0
    for event in yaml.parse(text, Loader=_YAML_LOADER):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > POLICY_MAX_ALIASES:
                raise PolicyError(
                    f"{source}: (top level): more than {POLICY_MAX_ALIASES} YAML aliases"
                )
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > POLICY_MAX_DEPTH:
                raise PolicyError(
                    f"{source}: (top level): nested more than {POLICY_MAX_DEPTH} levels deep"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _load_upload(text: str, source: str):
    """Parse an uploaded policy. Unlike a file on the server, an upload may not name other
    files (``holidays.ical``): the server would read whatever path it was given."""
    try:
        _check_shape(text, source)
        data = yaml.load(text, Loader=_YAML_LOADER)  # a safe loader (CSafeLoader or SafeLoader)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{source}: not valid YAML: {exc}") from None
    calendars = data.get("calendars") if isinstance(data, dict) else None
    for name, spec in (calendars or {}).items() if isinstance(calendars, dict) else ():
        holidays = spec.get("holidays") if isinstance(spec, dict) else None
        if isinstance(holidays, dict) and holidays.get("ical"):
            raise PolicyError(
                f"{source}: calendars.{name}.holidays.ical: an uploaded policy cannot refer to "
                "files; list the closures under holidays.dates"
            )
    return parse_policy(data, source)


@policies_router.post(
    "/validate",
    response={200: PolicyValidOut, **error_responses()},
    summary="Validate a policy file (YAML body, or multipart field `file`)",
    openapi_extra={"requestBody": _UPLOAD_BODY},
)
def validate_policy(request: HttpRequest):
    text, source = _uploaded_text(request)
    try:
        policy = _load_upload(text, source)
    except PolicyError as exc:
        return Status(422, ErrorOut(detail=policy_problems(str(exc), source)))
    return {"valid": True, "policy": policy.key}
