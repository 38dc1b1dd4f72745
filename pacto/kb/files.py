"""Articles as files: Markdown with YAML front matter, one file per article and language.

``pacto kb import DIR`` reads ``*.md`` files (front matter keys ``title``, ``locale``,
``slug``, ``status``, ``products``, ``categories``, optional ``summary``, ``owner`` (email)
and ``translation_of`` (the original's slug)) and creates or updates each article by slug and
locale, through the actions: a second run over the same files changes nothing.
``pacto kb export DIR`` writes the same format, so an export imports back unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction

from pacto.accounts.models import User
from pacto.errors import ActionError
from pacto.kb.actions import do_change_article_status, do_create_article, do_update_article
from pacto.kb.models import Article, ArticleEvent

FRONT = "---"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def parse(text: str, source: str) -> tuple[dict, str]:
    if not text.startswith(FRONT):
        raise ActionError("front_matter", "required", f"{source}: no YAML front matter (--- first)")
    _empty, header, body = text.split(FRONT, 2) if text.count(FRONT) >= 2 else ("", "", "")
    if not header:
        raise ActionError(
            "front_matter", "closed", f"{source}: the front matter is not closed by ---"
        )
    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as exc:
        raise ActionError("front_matter", "yaml", f"{source}: {exc}") from None
    if not isinstance(meta, dict):
        raise ActionError("front_matter", "mapping", f"{source}: the front matter is not a mapping")
    for key in ("title", "locale", "slug"):
        if not meta.get(key):
            raise ActionError(key, "required", f"{source}: front matter needs {key}")
    return meta, body.lstrip("\n")


def _files(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.md"))


def _ordered(parsed: list[tuple[Path, dict, str]]) -> Iterator[tuple[Path, dict, str]]:
    """Originals first, so a translation finds the article it translates."""
    yield from (p for p in parsed if not p[1].get("translation_of"))
    yield from (p for p in parsed if p[1].get("translation_of"))


def import_directory(
    actor: User, directory: Path, progress: Callable[[int, int], None] | None = None
) -> ImportResult:
    result = ImportResult()
    parsed = []
    for path in _files(directory):
        try:
            meta, body = parse(path.read_text(encoding="utf-8"), str(path.relative_to(directory)))
            parsed.append((path, meta, body))
        except ActionError as exc:
            result.errors.append(exc.message)
    total = len(parsed)
    for done, (path, meta, body) in enumerate(_ordered(parsed), start=1):
        try:
            with transaction.atomic():
                outcome = _import_one(actor, meta, body)
            setattr(result, outcome, getattr(result, outcome) + 1)
        except ActionError as exc:
            result.errors.append(f"{path.relative_to(directory)}: {exc.field}: {exc.message}")
        if progress:
            progress(done, total)
    return result


def _import_one(actor: User, meta: dict, body: str) -> str:
    locale, slug = str(meta["locale"]).lower(), str(meta["slug"])
    status = str(meta.get("status") or Article.Status.DRAFT)
    translation_of = None
    if meta.get("translation_of"):
        translation_of = (
            Article.objects.filter(slug=str(meta["translation_of"])).exclude(locale=locale).first()
        )
        if translation_of is None:
            raise ActionError(
                "translation_of", "exists", f"no article has the slug {meta['translation_of']}"
            )
        translation_of = translation_of.original
    owner = None
    if meta.get("owner"):
        owner = User.objects.filter(email__iexact=str(meta["owner"])).first()
        if owner is None:
            raise ActionError("owner", "exists", f"no user has the address {meta['owner']}")
    fields = {
        "title": str(meta["title"]),
        "summary": str(meta.get("summary") or ""),
        "body_markdown": body.strip(),
        "products": [str(p) for p in meta.get("products") or []],
        "categories": [str(c) for c in meta.get("categories") or []],
        "translation_of": translation_of,
    }
    existing = Article.objects.filter(locale=locale, slug=slug).first()
    if existing is None:
        do_create_article(
            actor, locale=locale, slug=slug, status=status, owner=owner,
            event_kind=ArticleEvent.Kind.IMPORTED, **fields,
        )  # fmt: skip
        return "created"
    version = existing.lock_version
    if owner is not None:
        fields["owner"] = owner
    updated = do_update_article(actor, existing, event_kind=ArticleEvent.Kind.IMPORTED, **fields)
    if updated.status != status:
        do_change_article_status(actor, updated, status, reason="imported")
        return "updated"
    return "updated" if updated.lock_version != version else "unchanged"


def export_text(article: Article) -> str:
    meta = {
        "title": article.title,
        "locale": article.locale,
        "slug": article.slug,
        "status": article.status,
        "products": [p.line for p in article.products.all()],
        "categories": [c.slug for c in article.categories.all()],
        "owner": article.owner.email,
    }
    if article.summary:
        meta["summary"] = article.summary
    if article.translation_of_id:
        meta["translation_of"] = article.translation_of.slug
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).strip()
    return f"{FRONT}\n{header}\n{FRONT}\n\n{article.body_markdown.rstrip()}\n"


def export_directory(directory: Path, progress: Callable[[int, int], None] | None = None) -> int:
    articles = list(
        Article.objects.select_related("owner", "translation_of").prefetch_related(
            "products", "categories"
        )
    )
    for done, article in enumerate(articles, start=1):
        target = directory / article.locale / f"{article.slug}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = export_text(article)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        if progress:
            progress(done, len(articles))
    return len(articles)
