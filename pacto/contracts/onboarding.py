"""Onboarding in bulk: organizations, contacts and contracts from CSV or XLSX files, and the
same files back out.

Every row goes through the same actions as the console and the API (``do_create_*``,
``do_update_*``), so each rule and each audit event is the same as one by one. An import is
one transaction: each row runs in a savepoint, so a bad row is reported with its line, field
and rule, and then either everything is rolled back (the default: nothing is written unless
every row is valid) or only that row is (``skip_invalid``). Rows are matched to what exists by
a natural key — an organization's name, a contact's email, a contract's service contract ID —
so importing the same file twice changes nothing the second time.

A contract row may name the customer's focal point (senhasegura §7.2: "If the contact of the
customer focal point was declared in Purchase Order, the access will be created
automatically, and the user will receive an email to activate their account").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from pacto.accounts.actions import (
    do_authorize_contact,
    do_create_contact,
    do_create_organization,
    do_revoke_contact,
    do_set_focal_point,
    do_update_contact,
    do_update_organization,
)
from pacto.accounts.models import Organization, User
from pacto.contracts.actions import do_create_contract, do_update_contract, preset_version
from pacto.contracts.models import Contract
from pacto.errors import ActionError
from pacto.sla.policy import preset_names

COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations": (
        "name", "kind", "account_manager", "email_domains", "share_tickets",
        "partnership_starts_on", "partnership_ends_on", "serves",
    ),
    "contacts": (
        "email", "full_name", "organization", "phone", "authorized", "org_admin",
        "focal_point", "language", "time_zone", "invite",
    ),
    "contracts": (
        "service_contract_id", "organization", "policy", "plan", "starts_on", "ends_on",
        "years", "auto_renew", "go_live_on", "hypercare_weeks", "products",
        "focal_point_email", "focal_point_name",
    ),
}  # fmt: skip
REQUIRED = {
    "organizations": ("name", "kind"),
    "contacts": ("email", "full_name", "organization"),
    "contracts": ("service_contract_id", "organization", "policy", "plan", "starts_on"),
}
EXAMPLES = {
    "organizations": [
        ["Banco Azul", "customer", "marina@vendor.example", "bancoazul.example", "", "", "", ""],
        ["Parceira Integradora", "partner", "", "parceira.example", "", "2026-01-01",
         "2027-12-31", "Banco Azul"],
    ],
    "contacts": [
        ["rafael@bancoazul.example", "Rafael Azevedo", "Banco Azul", "+55 11 5555-0101", "yes",
         "no", "yes", "pt-br", "America/Sao_Paulo", "yes"],
    ],
    "contracts": [
        ["AZUL-2027", "Banco Azul", "senhasegura", "premier-24x7", "2027-01-01", "", "1", "yes",
         "", "0", "senhasegura PAM/Core x200; senhasegura PAM/DevOps Secret Manager x50",
         "rafael@bancoazul.example", "Rafael Azevedo"],
    ],
}  # fmt: skip
TRUE = {"yes", "y", "true", "1", "sim", "s", "x"}
FALSE = {"no", "n", "false", "0", "não", "nao", ""}


class RowError(ActionError):
    """A cell that cannot be read: it names the column and the rule, like an action."""


@dataclass
class Problem:
    line: int
    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message} ({self.rule})"


@dataclass
class Report:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: bool = False

    @property
    def skipped(self) -> int:
        return len({p.line for p in self.problems})

    def summary(self) -> str:
        state = "written" if self.written else "nothing written"
        return (
            f"{self.kind}: {self.rows} rows — {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.skipped} with problems ({state})"
        )


# ----------------------------------------------------------------------------- files


def read_rows(data: bytes, filename: str) -> list[dict[str, str]]:
    """The rows of a CSV (UTF-8, with or without BOM; comma or semicolon) or XLSX file, as
    dicts keyed by the header's lower-cased names. Line numbers follow the file: the header
    is line 1."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(data)
    if suffix not in (".csv", ".txt"):
        raise ActionError("file", "csv_or_xlsx", "the file must be .csv or .xlsx")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ActionError("file", "utf8", "a CSV file must be UTF-8") from None
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return _as_dicts(list(reader))


def _read_xlsx(data: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ActionError("file", "xlsx", "the file is not a readable XLSX workbook") from None
    sheet = workbook.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append([_cell(value) for value in row])
    workbook.close()
    return _as_dicts(rows)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    if not rows:
        raise ActionError("file", "header", "the file is empty: the first line names the columns")
    header = [h.strip().lower() for h in rows[0]]
    result = []
    for values in rows[1:]:
        if not any(str(v).strip() for v in values):
            result.append({})  # a blank line keeps its number and is skipped
            continue
        result.append({h: str(v).strip() for h, v in zip(header, values, strict=False) if h})
    return result


def write_rows(kind: str, rows: Iterable[list[str]], filename: str) -> bytes:
    """A file of ``kind``'s columns and ``rows``, CSV or XLSX by the file name."""
    header = list(COLUMNS[kind])
    if Path(filename).suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(kind)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def template(kind: str, filename: str) -> bytes:
    check_kind(kind)
    return write_rows(kind, EXAMPLES[kind], filename)


def check_kind(kind: str) -> None:
    if kind not in COLUMNS:
        raise ActionError("kind", "choice", f"kind must be one of {', '.join(COLUMNS)}")


# ----------------------------------------------------------------------------- cells


def _flag(row: dict, column: str, default: bool | None = False) -> bool | None:
    value = row.get(column, "").strip().lower()
    if value == "" and default is None:
        return None
    if value in TRUE:
        return True
    if value in FALSE:
        return False if value else default
    raise RowError(column, "yes_or_no", f"{value!r} is not yes or no")


def _date(row: dict, column: str) -> dt.date | None:
    value = row.get(column, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise RowError(column, "iso_date", f"{value!r} is not a date like 2027-01-31") from None


def _int(row: dict, column: str, default: int, low: int, high: int) -> int:
    value = row.get(column, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise RowError(column, "integer", f"{value!r} is not a whole number") from None
    if not low <= number <= high:
        raise RowError(column, "range", f"{number} is not between {low} and {high}")
    return number


# Organizations by case-folded name, read once per import (rows name them again and again);
# the ones an import creates are added as it goes. A speed-up: without it, one query a row.
KNOWN: ContextVar[dict[str, Organization] | None] = ContextVar("known_organizations", default=None)


def _organization(row: dict, column: str = "organization") -> Organization:
    name = row.get(column, "").strip()
    known = KNOWN.get()
    if known is not None:
        organization = known.get(name.casefold())
    else:
        organization = Organization.objects.filter(name__iexact=name).first()
    if organization is None:
        raise RowError(column, "existing_organization", f"no organization named {name!r}")
    return organization


def _staff(row: dict, column: str) -> User | None:
    email = row.get(column, "").strip()
    if not email:
        return None
    user = User.objects.filter(email__iexact=email).exclude(role=User.Role.CONTACT).first()
    if user is None:
        raise RowError(column, "existing_staff", f"{email} is not one of the vendor's staff")
    return user


def _products(row: dict) -> list[tuple[str, str, int]]:
    """``Product/Module x3; Other product`` → [(product, module, quantity), …]."""
    text = row.get("products", "").strip()
    products = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        quantity = 1
        head, _, tail = item.rpartition(" x")
        if head and tail.isdigit():
            item, quantity = head, int(tail)
        product, _, module = item.partition("/")
        if not product.strip():
            raise RowError("products", "product_name", f"{item!r} names no product")
        products.append((product.strip(), module.strip(), quantity))
    return products


# ----------------------------------------------------------------------------- rows


def _import_organization(actor: User, row: dict) -> str:
    name = row["name"]
    kind = row["kind"].lower()
    changes = {
        "account_manager": _staff(row, "account_manager"),
        "email_domains": row.get("email_domains", ""),
        "share_tickets": _flag(row, "share_tickets", default=None),
    }
    if kind == Organization.Kind.PARTNER:
        changes["partnership_starts_on"] = _date(row, "partnership_starts_on")
        changes["partnership_ends_on"] = _date(row, "partnership_ends_on")
    served = [
        _organization({"serves": n.strip()}, "serves")
        for n in row.get("serves", "").split(";")
        if n.strip()
    ]
    if served and kind != Organization.Kind.PARTNER:
        raise RowError("serves", "partner", "only partners serve customers")
    organization = Organization.objects.filter(name__iexact=name).first()
    outcome = "unchanged"
    if organization is None:
        organization = do_create_organization(
            name=name, kind=kind, account_manager=changes.pop("account_manager")
        )
        if (known := KNOWN.get()) is not None:
            known[name.casefold()] = organization
        outcome = "created"
    elif organization.kind != kind:
        raise RowError("kind", "unchanged_kind", f"{name} is a {organization.kind} already")
    before = {k: getattr(organization, k) for k in changes}
    do_update_organization(actor, organization, **changes)
    if outcome == "unchanged" and any(getattr(organization, k) != v for k, v in before.items()):
        outcome = "updated"
    missing = [c for c in served if not organization.served_customers.filter(pk=c.pk).exists()]
    if missing:
        organization.served_customers.add(*missing)
        outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


def _import_contact(actor: User, row: dict) -> str:
    email = row["email"].lower()
    organization = _organization(row)
    authorized = _flag(row, "authorized")
    org_admin = _flag(row, "org_admin")
    focal_point = _flag(row, "focal_point")
    fields = {
        "full_name": row["full_name"],
        "phone": row.get("phone", ""),
        "language": (row.get("language") or "en").lower(),
        # Blank: the organization's zone for a new contact; an existing one keeps theirs.
        "time_zone": row.get("time_zone") or None,
    }
    contact = User.objects.filter(email__iexact=email).first()
    if contact is None:
        do_create_contact(
            organization=organization, email=email, actor=actor, authorized=authorized,
            org_admin=org_admin, focal_point=focal_point, invite=_flag(row, "invite", True),
            **fields,
        )  # fmt: skip
        return "created"
    if contact.organization_id != organization.pk or not contact.is_contact:
        raise RowError("email", "same_organization", f"{email} belongs to another organization")
    changed = {
        k: v
        for k, v in {**fields, "is_org_admin": org_admin}.items()
        if v is not None and getattr(contact, k) != v
    }
    do_update_contact(actor, contact, **changed)
    if authorized and not contact.is_authorized:
        do_authorize_contact(actor, contact, reason="import")
        changed["is_authorized"] = True
    elif not authorized and contact.is_authorized:
        do_revoke_contact(actor, contact, reason="import")
        changed["is_authorized"] = False
    if focal_point and not contact.is_focal_point:
        do_set_focal_point(actor, contact)
        changed["is_focal_point"] = True
    return "updated" if changed else "unchanged"


def _import_contract(actor: User, row: dict) -> str:
    organization = _organization(row)
    policy = row["policy"].lower()
    if policy not in preset_names():
        raise RowError("policy", "known_preset", f"presets: {', '.join(preset_names())}")
    version = preset_version(policy)
    starts_on = _date(row, "starts_on")
    ends_on = _date(row, "ends_on")
    years = _int(row, "years", 1, 1, 10)
    products = _products(row)
    terms = {
        "auto_renew": _flag(row, "auto_renew"),
        "go_live_on": _date(row, "go_live_on"),
        "hypercare_weeks": _int(row, "hypercare_weeks", 0, 0, 104),
    }
    contract = Contract.objects.filter(service_contract_id=row["service_contract_id"]).first()
    outcome = "unchanged"
    if contract is None:
        do_create_contract(
            organization=organization, service_contract_id=row["service_contract_id"],
            policy_version=version, plan=row["plan"], starts_on=starts_on, years=years,
            ends_on=ends_on, products=products, actor=actor, **terms,
        )  # fmt: skip
        outcome = "created"
    else:
        if contract.organization_id != organization.pk:
            raise RowError("organization", "same_organization", "the contract is another's")
        if contract.starts_on != starts_on:
            raise RowError("starts_on", "unchanged_start", "a contract's start does not change")
        current = sorted((p.product, p.module, p.quantity) for p in contract.products.all())
        if current != sorted(products):
            raise RowError(
                "products", "renewal_changes_products", "products change on renewal, not here"
            )
        changes = {"plan": row["plan"], **terms}
        if ends_on:
            changes["ends_on"] = ends_on
        changed = {k: v for k, v in changes.items() if getattr(contract, k) != v}
        if changed:
            do_update_contract(actor, contract, **changed)
            outcome = "updated"
    focal_email = row.get("focal_point_email", "").strip().lower()
    if focal_email and not User.objects.filter(email__iexact=focal_email).exists():
        do_create_contact(
            organization=organization, email=focal_email,
            full_name=row.get("focal_point_name") or focal_email, actor=actor,
            authorized=True, focal_point=True, invite=True,
        )  # fmt: skip
        outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


IMPORTERS: dict[str, Callable[[User, dict], str]] = {
    "organizations": _import_organization,
    "contacts": _import_contact,
    "contracts": _import_contract,
}


def run_import(
    actor: User,
    kind: str,
    rows: list[dict[str, str]],
    *,
    skip_invalid: bool = False,
    progress: Callable | None = None,
) -> Report:
    """Import ``rows`` (from ``read_rows``) as ``actor``: all or nothing unless
    ``skip_invalid``. The report lists every problem with its line, field and rule."""
    check_kind(kind)
    if not actor.is_manager:
        raise ActionError("actor", "manager", "imports are made by support managers")
    report = Report(kind=kind)
    importer = IMPORTERS[kind]
    token = KNOWN.set({o.name.casefold(): o for o in Organization.objects.all()})
    try:
        with transaction.atomic():
            for index, row in enumerate(rows, start=2):
                if progress:
                    progress()
                if row:
                    _import_row(actor, kind, importer, index, row, report)
            report.written = not report.problems or skip_invalid
            if not report.written:
                transaction.set_rollback(True)
    finally:
        KNOWN.reset(token)
    return report


def _import_row(actor, kind: str, importer, line: int, row: dict, report: Report) -> None:
    """One row in its own savepoint: a broken rule rolls back that row alone."""
    report.rows += 1
    missing = [c for c in REQUIRED[kind] if not row.get(c, "").strip()]
    for column in missing:
        report.problems.append(Problem(line, column, "required", "is empty"))
    if missing:
        return
    try:
        with transaction.atomic():
            outcome = importer(actor, row)
    except ActionError as error:
        report.problems.append(Problem(line, error.field, error.rule, error.message))
        return
    setattr(report, outcome, getattr(report, outcome) + 1)


# ----------------------------------------------------------------------------- export


def _yes(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def export_rows(kind: str) -> list[list[str]]:
    """Every row of ``kind`` as an import would read it (an export imports back unchanged)."""
    check_kind(kind)
    if kind == "organizations":
        return [
            [o.name, o.kind, o.account_manager.email if o.account_manager else "",
             o.email_domains, _yes(o.share_tickets), _day(o.partnership_starts_on),
             _day(o.partnership_ends_on), "; ".join(c.name for c in o.served_customers.all())]
            for o in Organization.objects.select_related("account_manager")
            .prefetch_related("served_customers").order_by("name")
        ]  # fmt: skip
    if kind == "contacts":
        return [
            [c.email, c.full_name, c.organization.name, c.phone, _yes(c.is_authorized),
             _yes(c.is_org_admin), _yes(c.is_focal_point), c.language, c.time_zone, "no"]
            for c in User.objects.filter(role=User.Role.CONTACT, organization__isnull=False)
            .select_related("organization").order_by("organization__name", "email")
        ]  # fmt: skip
    return [
        [c.service_contract_id, c.organization.name, c.policy_version.policy_id, c.plan,
         _day(c.starts_on), _day(c.ends_on), "", _yes(c.auto_renew), _day(c.go_live_on),
         str(c.hypercare_weeks),
         "; ".join(f"{p.product}{'/' + p.module if p.module else ''} x{p.quantity}"
                   for p in c.products.all()), "", ""]
        for c in Contract.objects.select_related("organization", "policy_version")
        .prefetch_related("products").order_by("organization__name", "starts_on")
    ]  # fmt: skip
