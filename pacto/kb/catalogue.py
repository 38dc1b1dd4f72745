"""The knowledge base and the product catalogue: the versions an article applies to, the
versions a reader runs, and the catalogue's known issues among search results.

Versions an article applies to are written per product line as a list (``3.31, 3.32.0``):
an entry is a version number, which also stands for the versions under it ("3.31" covers
"3.31.2"), or comparisons joined by spaces (``>=3.31 <3.33``), which must all hold. An empty
list: every version. Numbers compare as the catalogue sorts them (``version_key``: "3.9" <
"3.10").

Which articles a contact reads depends on the versions recorded in their contracts'
inventory: an article restricted to some versions of a product is shown when one installed
version of that product is in its list, or when the inventory does not say which version is
installed (nothing is hidden on a guess). Staff read every version's articles; anyone may
narrow a search to one product version.

Known issues (senhasegura §9: "the customer will be notified of the issue, temporary palliative
solution and definitive correction") appear beside the articles, with their workaround: the
published ones of the products the reader's contracts cover, except those whose affected
ranges miss every version the reader is known to run.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from pacto.accounts.models import User
from pacto.catalog.models import KnownIssue, Product, Version, version_key
from pacto.contracts.models import ContractProduct
from pacto.errors import ActionError
from pacto.kb.versions import _holds, parse_versions, version_matches  # noqa: F401

KNOWN_ISSUE_LIMIT = 3

# ----------------------------------------------------------------------------- versions


def catalogue_product(name: str) -> Product | None:
    return Product.objects.filter(name__iexact=(name or "").strip()).first()


def check_versions(product: Product | None, module: str, spec: str) -> None:
    """A version list is well formed, and for a catalogue product each plain number names
    one of its versions (or the start of one: "3.31" for "3.31.2")."""
    entries = parse_versions(spec)
    if product is None:
        return
    versions = Version.objects.filter(module__product=product)
    if module:
        versions = versions.filter(module__name__iexact=module) | versions.filter(module__main=True)
    numbers = [v.number for v in versions]
    for entry in entries:
        for op, number in entry:
            if op == "" and not any(_holds("", number, version_key(n)) for n in numbers):
                known = ", ".join(sorted(set(numbers), key=version_key)) or "none yet"
                raise ActionError(
                    "versions", "catalogue_version",
                    f"{product.name} has no version {number} in the catalogue (known: {known})",
                )  # fmt: skip


# ----------------------------------------------------------------------------- readers


# ----------------------------------------------------------------------------- known issues


def fold(text: str) -> str:
    """Lower case without accents, as the article search reads text."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass(frozen=True)
class KnownIssueHit:
    slug: str
    title: str
    status: str
    status_label: str
    product: str
    workaround: str
    fixed_in: str
    url: str
    score: float

    def as_dict(self) -> dict:
        return {
            "slug": self.slug,
            "title": self.title,
            "status": self.status,
            "product": self.product,
            "workaround": self.workaround,
            "fixed_in": self.fixed_in,
            "url": self.url,
            "score": self.score,
        }

    @property
    def title_html(self) -> str:
        return html.escape(self.title)


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"\w+", fold(text)) if len(w) >= 2]


def known_issues(
    user: User,
    text: str,
    *,
    product: str = "",
    version: str = "",
    limit: int = KNOWN_ISSUE_LIMIT,
    day: dt.date | None = None,
    scope=None,
) -> list[KnownIssueHit]:
    """Published known issues matching ``text`` for what ``user`` may read: words are
    prefixes, accents and case ignored, a match in the title ranks above one in the
    symptoms, cause or workaround."""
    from pacto.kb.visibility import reader_organizations, scope_of

    query = _words(text)[:8]
    scope = scope or scope_of(user)
    if not query or scope.nothing:
        return []
    issues = KnownIssue.objects.published().select_related("product", "fixed_in__module")
    if scope.products is not None:
        issues = issues.annotate(product_key=Lower("product__name")).filter(
            product_key__in=scope.products
        )
    if product:
        issues = issues.filter(product__name__iexact=product.strip())
    issues = list(issues[:500])
    if not issues:
        return []
    running = None  # the versions the reader runs, read once a known issue matches
    staff = user.is_staff_member
    hits = []
    for issue in issues:
        title = set(_words(issue.title))
        rest = set(_words(" ".join((issue.symptoms, issue.cause, issue.workaround))))
        score = 0.0
        for word in query:
            if any(t.startswith(word) for t in title):
                score += 3.0
            elif any(t.startswith(word) for t in rest):
                score += 1.0
        if score == 0:
            continue
        if running is None:
            running = _running_versions(user, reader_organizations, version, product, day)
        versions = running.get(issue.product_id)
        if versions and issue.ranges.exists() and not any(issue.affects(v) for v in versions):
            continue  # known not to affect what the reader runs
        url = (
            reverse("catalog:console_known_issue", args=[issue.slug])
            if staff
            else reverse("catalog:known_issues") + f"#{issue.slug}"
        )
        hits.append(
            KnownIssueHit(
                slug=issue.slug, title=issue.title, status=issue.status,
                status_label=str(issue.get_status_display()), product=issue.product.name,
                workaround=issue.workaround, fixed_in=str(issue.fixed_in or ""), url=url,
                score=score,
            )
        )  # fmt: skip
    hits.sort(key=lambda h: (-h.score, h.slug))
    return hits[:limit]


def _running_versions(user, reader_organizations, version, product, day) -> dict[int, list]:
    """catalogue product id → the Version rows the reader runs (or asked for)."""
    if version:
        versions = Version.objects.filter(number=version).select_related("module")
        if product:
            versions = versions.filter(module__product__name__iexact=product.strip())
        running = defaultdict(list)
        for v in versions:
            running[v.module.product_id].append(v)
        return running
    if user.is_staff_member:
        return {}
    day = day or timezone.localdate()
    lines = ContractProduct.objects.filter(
        contract__organization__in=reader_organizations(user),
        contract__starts_on__lte=day,
        contract__ends_on__gte=day,
    ).select_related("installed_version__module")
    running: dict[int, list] = {}
    for line in lines.exclude(installed_version=None):
        running.setdefault(line.installed_version.module.product_id, []).append(
            line.installed_version
        )
    return running
