"""Who may read which article. Every page, endpoint and suggestion asks here.

- The vendor's staff read published and internal articles (drafts and archived ones only in
  the console's article list, to edit them).
- A customer or partner contact reads published articles only, and only those for products
  their organization's active contracts cover (a partner: the contracts of the customers it
  serves). An article that names no product applies to every customer.
- Nobody else reads anything.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from pacto.accounts.models import User
from pacto.contracts.models import ContractProduct
from pacto.kb.models import Article, ArticleProduct


def covered_products(user: User, day: dt.date | None = None) -> set[str]:
    """The product names (lower case) of the active contracts whose articles ``user`` reads."""
    if not user.is_authenticated or not user.is_active or user.organization_id is None:
        return set()
    day = day or timezone.now().date()
    organization = user.organization
    organizations = [organization.pk]
    if organization.is_partner:
        organizations += list(organization.served_customers.values_list("pk", flat=True))
    names = ContractProduct.objects.filter(
        contract__organization__in=organizations,
        contract__starts_on__lte=day,
        contract__ends_on__gte=day,
    ).values_list("product", flat=True)
    return {name.strip().lower() for name in names}


def has_active_contract(user: User, day: dt.date | None = None) -> bool:
    from pacto.contracts.models import Contract

    if not user.is_authenticated or user.organization_id is None:
        return False
    day = day or timezone.now().date()
    organization = user.organization
    organizations = [organization.pk]
    if organization.is_partner:
        organizations += list(organization.served_customers.values_list("pk", flat=True))
    return Contract.objects.filter(
        organization__in=organizations, starts_on__lte=day, ends_on__gte=day
    ).exists()


def readable_statuses(user: User) -> list[str]:
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_staff_member:
        return [Article.Status.PUBLISHED, Article.Status.INTERNAL]
    return [Article.Status.PUBLISHED]


def visible_articles(user: User, *, product: str = "") -> QuerySet:
    """The articles ``user`` may read (optionally only those for ``product``)."""
    articles = Article.objects.filter(status__in=readable_statuses(user))
    if not user.is_authenticated or not user.is_active:
        return articles.none()
    any_product = Exists(ArticleProduct.objects.filter(article=OuterRef("pk")))
    if not user.is_staff_member:
        products = covered_products(user)
        if not has_active_contract(user):
            return articles.none()
        covered = ArticleProduct.objects.annotate(name=Lower("product")).filter(
            article=OuterRef("pk"), name__in=products
        )
        articles = articles.filter(~any_product | Exists(covered))
    if product:
        chosen = ArticleProduct.objects.annotate(name=Lower("product")).filter(
            article=OuterRef("pk"), name=product.strip().lower()
        )
        articles = articles.filter(Q(~any_product) | Exists(chosen))
    return articles


def manageable_articles(user: User) -> QuerySet:
    """Every article, for the vendor's staff (the console's list and editor)."""
    if user.is_authenticated and user.is_active and user.is_staff_member:
        return Article.objects.all()
    return Article.objects.none()


def get_article_for(user: User, slug: str, locale: str) -> Article | None:
    return visible_articles(user).filter(slug=slug, locale=locale).first()
