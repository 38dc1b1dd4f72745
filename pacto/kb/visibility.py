"""Who may read which article. Every page, endpoint and suggestion asks here.

- The vendor's staff read published and internal articles (drafts and archived ones only in
  the console's article list, to edit them).
- A customer or partner contact reads published articles only, and only those for products
  their organization's active contracts cover (a partner: the contracts of the customers it
  serves). An article that names no product applies to every customer. An article restricted
  to some versions of a product is hidden from a contact whose inventory shows they run none
  of them (``pacto.kb.catalogue``).
- Nobody else reads anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from pacto.accounts.models import User
from pacto.contracts.models import Contract
from pacto.kb.models import Article, ArticleProduct
from pacto.kb.versions import excluded_by_version


def reader_organizations(user: User) -> list[int]:
    organization = user.organization
    organizations = [organization.pk]
    if organization.is_partner:
        organizations += list(organization.served_customers.values_list("pk", flat=True))
    return organizations


def _contract_lines(user: User, day: dt.date) -> list[tuple] | None:
    """(product, installed version number) of each line of the active contracts whose
    articles ``user`` reads — one query; None when the contact has no active contract."""
    if not user.is_authenticated or not user.is_active or user.organization_id is None:
        return None
    rows = Contract.objects.filter(
        organization__in=reader_organizations(user), starts_on__lte=day, ends_on__gte=day
    ).values_list("pk", "products__product", "products__installed_version__number")
    if not rows:
        return None
    return [(name, number) for _pk, name, number in rows if name]


def _covered(lines: list[tuple]) -> set[str]:
    return {name.strip().lower() for name, _number in lines}


def _installed(lines: list[tuple]) -> dict[str, list[str]]:
    installed: dict[str, list[str]] = {}
    for name, number in lines:
        if number is not None:
            installed.setdefault(name.strip().lower(), []).append(number)
    return installed


def covered_products(user: User, day: dt.date | None = None) -> set[str] | None:
    """The product names (lower case) of the active contracts whose articles ``user`` reads;
    None when the contact has no active contract (they read nothing)."""
    lines = _contract_lines(user, day or timezone.now().date())
    return None if lines is None else _covered(lines)


@dataclass(frozen=True)
class Scope:
    """What a reader may read, ready for the search's SQL: statuses, for contacts the
    products (None: every product, for staff) and the versions they run (product → version
    numbers, None for a product whose installed version is not known)."""

    statuses: tuple[str, ...]
    products: frozenset[str] | None
    installed: dict | None = None

    def excluded(self, *, product: str = "", version: str = "") -> frozenset[int]:
        """Articles of covered products left out by their version lists."""
        return excluded_by_version(self.products, self.installed, product=product, version=version)

    @property
    def nothing(self) -> bool:
        return not self.statuses


def scope_of(user: User) -> Scope:
    statuses = tuple(readable_statuses(user))
    if not statuses or user.is_staff_member:
        return Scope(statuses, None)
    lines = _contract_lines(user, timezone.now().date())
    if lines is None:
        return Scope((), None)
    return Scope(statuses, frozenset(_covered(lines)), _installed(lines))


def readable_statuses(user: User) -> list[str]:
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_staff_member:
        return [Article.Status.PUBLISHED, Article.Status.INTERNAL]
    return [Article.Status.PUBLISHED]


def visible_articles(
    user: User, *, product: str = "", version: str = "", scope: Scope | None = None
) -> QuerySet:
    """The articles ``user`` may read (optionally only those for ``product``, and for one
    ``version`` of it)."""
    articles = Article.objects.filter(status__in=readable_statuses(user))
    if not user.is_authenticated or not user.is_active:
        return articles.none()
    any_product = Exists(ArticleProduct.objects.filter(article=OuterRef("pk")))
    scope = scope or scope_of(user)
    if not user.is_staff_member:
        if scope.nothing:
            return articles.none()
        covered = ArticleProduct.objects.filter(
            article=OuterRef("pk"), product_key__in=scope.products
        )
        articles = articles.filter(~any_product | Exists(covered))
    if product:
        chosen = ArticleProduct.objects.filter(
            article=OuterRef("pk"), product_key=product.strip().lower()
        )
        articles = articles.filter(Q(~any_product) | Exists(chosen))
    excluded = scope.excluded(product=product, version=version)
    if excluded:
        articles = articles.exclude(pk__in=excluded)
    return articles


def manageable_articles(user: User) -> QuerySet:
    """Every article, for the vendor's staff (the console's list and editor)."""
    if user.is_authenticated and user.is_active and user.is_staff_member:
        return Article.objects.all()
    return Article.objects.none()


def get_article_for(user: User, slug: str, locale: str) -> Article | None:
    return visible_articles(user).filter(slug=slug, locale=locale).first()
