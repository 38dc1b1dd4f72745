"""Every change to the knowledge base. Each ``do_*`` is one transaction with its audit event:
articles and their lifecycle (draft, internal, published, archived; scheduled publishing),
attachments, votes and the owner's tasks, what readers searched, were shown and chose, and
the articles agents send in replies or mark as a ticket's solution.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify

from pacto.accounts.access import get_ticket_for
from pacto.accounts.models import User
from pacto.errors import ActionError, Conflict, NotAllowed, NotFound, one_of
from pacto.kb import catalogue, markdown
from pacto.kb.models import (
    LOCALES,
    Article,
    ArticleAttachment,
    ArticleEvent,
    ArticleProduct,
    ArticleTask,
    Category,
    KbEvent,
    TicketArticle,
    Vote,
)
from pacto.kb.search import MIN_QUERY_LENGTH, Hit, search
from pacto.kb.versions import COMPARISON
from pacto.kb.visibility import visible_articles
from pacto.notifications import outbox
from pacto.tickets.actions import do_reply
from pacto.tickets.models import Ticket
from pacto.times import aware_now as _now

STATUSES = {value for value, _label in Article.Status.choices}
LOCALE_CODES = {code for code, _name in LOCALES}
# What an article may carry, and the type it is served as: taken from the name, never from
# what the uploading browser claimed, so a page cannot be uploaded as "image/png" and served
# back as HTML. Images are shown inline, so their first bytes must be the format's signature.
CONTENT_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".pdf": "application/pdf", ".txt": "text/plain",
    ".log": "text/plain", ".zip": "application/zip", ".csv": "text/csv",
    ".json": "application/json", ".yaml": "application/yaml", ".yml": "application/yaml",
}  # fmt: skip
IMAGE_SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"), ".webp": (b"RIFF",),
}  # fmt: skip
IMAGE_SUFFIXES = set(IMAGE_SIGNATURES)
FILE_SUFFIXES = set(CONTENT_TYPES)


def _is_image_of_its_type(upload, suffix: str) -> bool:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if suffix == ".webp":
        return head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    return head.startswith(IMAGE_SIGNATURES[suffix])


def _require_staff(actor: User, what: str) -> None:
    if not (actor.is_authenticated and actor.is_staff_member):
        raise NotAllowed(f"only the vendor's staff may {what}")


def _event(article: Article, kind: str, actor: User | None, now: dt.datetime, **data):
    return ArticleEvent.objects.create(article=article, kind=kind, actor=actor, at=now, data=data)


def attachment_base(article: Article) -> str:
    return reverse(
        "kb:attachment", kwargs={"locale": article.locale, "slug": article.slug, "name": "X"}
    )[:-1]


# ----------------------------------------------------------------------------- articles


def check_article(
    *,
    locale: str,
    slug: str,
    title: str,
    body_markdown: str,
    status: str,
    translation_of: Article | None,
    article: Article | None = None,
) -> None:
    if locale not in LOCALE_CODES:
        raise ActionError(
            "locale", "known_locale", f"locale must be one of {', '.join(sorted(LOCALE_CODES))}"
        )
    if not title or not title.strip():
        raise ActionError("title", "required", "an article needs a title")
    if len(title) > 200:
        raise ActionError("title", "max_length", "a title has at most 200 characters")
    if not body_markdown or not body_markdown.strip():
        raise ActionError("body_markdown", "required", "an article needs a body")
    if status not in STATUSES:
        raise ActionError(
            "status", "known_status", f"status must be one of {', '.join(sorted(STATUSES))}"
        )
    if not slug or slugify(slug) != slug:
        raise ActionError("slug", "slug", "a slug is lower-case letters, digits and hyphens")
    clash = Article.objects.filter(slug=slug, locale=locale)
    if article is not None:
        clash = clash.exclude(pk=article.pk)
    if clash.exists():
        raise ActionError(
            "slug", "unique_per_locale", f"another {locale} article has the slug {slug}"
        )
    if translation_of is not None:
        if translation_of.translation_of_id is not None:
            raise ActionError(
                "translation_of", "original", "link a translation to the original article"
            )
        if translation_of.locale == locale:
            raise ActionError(
                "translation_of",
                "other_locale",
                "a translation is in another language than its original",
            )
        if article is not None and translation_of.pk == article.pk:
            raise ActionError(
                "translation_of", "other_article", "an article is not its own translation"
            )
        others = Article.objects.filter(translation_of=translation_of, locale=locale)
        if article is not None:
            others = others.exclude(pk=article.pk)
        if others.exists():
            raise ActionError(
                "translation_of",
                "one_per_locale",
                f"the article already has a {locale} translation",
            )


def _products(items: Iterable) -> list[dict]:
    """``["senhasegura PAM", "senhasegura PAM / Core @ 3.31, 3.32", {"product": …, "module":
    …, "versions": …}]``: each product linked to the catalogue's product of that name, its
    version list checked (against the catalogue's versions when it has the product)."""
    result = []
    for item in items or ():
        if isinstance(item, dict):
            product, module, versions = (
                item.get("product", ""),
                item.get("module", ""),
                item.get("versions", ""),
            )
        else:
            named, _at, versions = str(item).partition("@")
            product, _sep, module = named.partition("/")
        product, module, versions = str(product).strip(), str(module).strip(), str(versions).strip()
        if not product:
            raise ActionError("products", "named", "each product needs a name")
        if len(versions) > 200:
            raise ActionError("versions", "max_length", "a version list has at most 200 characters")
        known = catalogue.catalogue_product(product)
        catalogue.check_versions(known, module, versions)
        result.append(
            {
                "product": (known.name if known else product)[:100],
                "product_key": (known.name if known else product).lower()[:100],
                "catalog_product": known,
                "module": module[:100],
                "versions": ", ".join(p.strip() for p in versions.split(",") if p.strip()),
            }
        )
    return result


def _categories(slugs: Iterable[str]) -> list[Category]:
    categories = []
    for slug in slugs or ():
        slug = slugify(str(slug))
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            name = slug.replace("-", " ").capitalize()
            category = Category.objects.create(slug=slug, name_en=name, name_pt_br=name)
        categories.append(category)
    return categories


def _render(article: Article) -> None:
    article.body_html = markdown.render(article.body_markdown, attachment_base(article))
    article.body_text = markdown.plain_text(article.body_html)


def do_create_article(
    actor: User,
    *,
    title: str,
    body_markdown: str,
    locale: str = "en",
    slug: str = "",
    summary: str = "",
    status: str = Article.Status.DRAFT,
    products: Iterable = (),
    categories: Iterable[str] = (),
    owner: User | None = None,
    translation_of: Article | None = None,
    publish_at: dt.datetime | None = None,
    created_from: Ticket | None = None,
    event_kind: str = ArticleEvent.Kind.CREATED,
    now: dt.datetime | None = None,
) -> Article:
    _require_staff(actor, "write articles")
    now = _now(now)
    slug = slug or slugify(title)[:120]
    owner = owner or actor
    if not owner.is_staff_member:
        raise ActionError("owner", "staff", "an article's owner is one of the vendor's staff")
    check_article(
        locale=locale, slug=slug, title=title, body_markdown=body_markdown, status=status,
        translation_of=translation_of,
    )  # fmt: skip
    product_rows = _products(products)
    with transaction.atomic():
        article = Article(
            locale=locale, slug=slug, title=title.strip(), summary=summary.strip()[:300],
            body_markdown=body_markdown.strip(), status=status, translation_of=translation_of,
            owner=owner, created_from=created_from, created_at=now, updated_at=now,
        )  # fmt: skip
        _render(article)
        if status == Article.Status.PUBLISHED:
            article.published_at = now
        elif status == Article.Status.ARCHIVED:
            article.archived_at = now
        article.save()
        ArticleProduct.objects.bulk_create(
            ArticleProduct(article=article, **p) for p in product_rows
        )
        article.categories.set(_categories(categories))
        _event(article, event_kind, actor, now, status=status, locale=locale, slug=slug)
        if publish_at is not None:
            _schedule(actor, article, publish_at, now)
        if created_from is not None:
            TicketArticle.objects.create(
                ticket=created_from, article=article, relation=TicketArticle.Relation.SOLVED,
                actor=actor, at=now,
            )  # fmt: skip
    return article


def do_update_article(
    actor: User,
    article: Article,
    *,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
    event_kind: str = ArticleEvent.Kind.EDITED,
    **changes,
) -> Article:
    """Change the content (title, summary, body, products, categories, owner, translation
    link). The slug stays: it is the article's address. Status changes go through
    ``do_change_article_status``."""
    _require_staff(actor, "edit articles")
    now = _now(now)
    allowed = {
        "title",
        "summary",
        "body_markdown",
        "products",
        "categories",
        "owner",
        "translation_of",
    }
    if unknown := set(changes) - allowed:
        raise ActionError(
            sorted(unknown)[0], "editable", f"{sorted(unknown)[0]} cannot be edited here"
        )
    with transaction.atomic():
        locked = one_of(Article.objects.select_for_update(), article.pk, "article")
        if expected_version is not None and locked.lock_version != expected_version:
            raise Conflict(
                "lock_version",
                "current",
                "the article changed since you read it; reload and try again",
            )
        changed = []
        for name in ("title", "summary", "body_markdown", "owner", "translation_of"):
            if name not in changes:
                continue
            value = changes[name].strip() if isinstance(changes[name], str) else changes[name]
            if value != getattr(locked, name):
                setattr(locked, name, value)
                changed.append(name)
        if locked.owner and not locked.owner.is_staff_member:
            raise ActionError("owner", "staff", "an article's owner is one of the vendor's staff")
        check_article(
            locale=locked.locale, slug=locked.slug, title=locked.title,
            body_markdown=locked.body_markdown, status=locked.status,
            translation_of=locked.translation_of, article=locked,
        )  # fmt: skip
        if "products" in changes:
            rows = _products(changes["products"])
            current = [
                {"product": p.product, "product_key": p.product_key,
                 "catalog_product": p.catalog_product, "module": p.module,
                 "versions": p.versions}
                for p in locked.products.select_related("catalog_product")
            ]  # fmt: skip
            if rows != current:
                locked.products.all().delete()
                ArticleProduct.objects.bulk_create(
                    ArticleProduct(article=locked, **p) for p in rows
                )
                changed.append("products")
        if "categories" in changes:
            categories = _categories(changes["categories"])
            if {c.pk for c in categories} != set(locked.categories.values_list("pk", flat=True)):
                locked.categories.set(categories)
                changed.append("categories")
        if not changed:
            return locked
        _render(locked)
        locked.updated_at = now
        locked.lock_version += 1
        locked.save()
        _event(locked, event_kind, actor, now, fields=changed)
    return locked


def _set_status(actor, article: Article, status: str, now, reason: str = "") -> None:
    previous = article.status
    article.status = status
    article.publish_at = None
    if status == Article.Status.PUBLISHED:
        article.published_at = now
        article.archived_at = None
    elif status == Article.Status.ARCHIVED:
        article.archived_at = now
    article.updated_at = now
    article.lock_version += 1
    article.save()
    _event(
        article,
        ArticleEvent.Kind.STATUS,
        actor,
        now,
        **{"from": previous, "to": status, "reason": reason},
    )


def do_change_article_status(
    actor: User, article: Article, status: str, *, reason: str = "", now: dt.datetime | None = None
) -> Article:
    _require_staff(actor, "change an article's status")
    now = _now(now)
    if status not in STATUSES:
        raise ActionError(
            "status", "known_status", f"status must be one of {', '.join(sorted(STATUSES))}"
        )
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if locked.status == status and locked.publish_at is None:
            raise ActionError("status", "changed", f"the article is already {status}")
        _set_status(actor, locked, status, now, reason)
    return locked


def _schedule(actor, article: Article, publish_at: dt.datetime, now) -> None:
    if timezone.is_naive(publish_at):
        raise ActionError("publish_at", "aware", "times must carry a time zone")
    if publish_at <= now:
        raise ActionError(
            "publish_at", "future", "schedule publishing in the future, or publish now"
        )
    if article.status in (Article.Status.PUBLISHED, Article.Status.ARCHIVED):
        raise ActionError(
            "publish_at", "unpublished", "only a draft or internal article is scheduled"
        )
    article.publish_at = publish_at
    article.save(update_fields=["publish_at"])
    _event(article, ArticleEvent.Kind.SCHEDULED, actor, now, publish_at=publish_at.isoformat())


def do_schedule_publication(
    actor: User, article: Article, publish_at: dt.datetime, *, now: dt.datetime | None = None
) -> Article:
    _require_staff(actor, "schedule publishing")
    now = _now(now)
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        _schedule(actor, locked, publish_at, now)
    return locked


def publish_due(now: dt.datetime) -> dict:
    """The worker's sweep: publish every article whose scheduled time has come. Each is
    claimed under a row lock and re-checked, so two workers publish it once."""
    published = 0
    due = list(
        Article.objects.filter(publish_at__lte=now)
        .exclude(status__in=(Article.Status.PUBLISHED, Article.Status.ARCHIVED))
        .values_list("pk", flat=True)[:500]
    )
    for pk in due:
        with transaction.atomic():
            article = (
                Article.objects.select_for_update(**_skip_locked())
                .filter(pk=pk, publish_at__lte=now)
                .exclude(status__in=(Article.Status.PUBLISHED, Article.Status.ARCHIVED))
                .first()
            )
            if article is None:
                continue
            _set_status(None, article, Article.Status.PUBLISHED, now, reason="scheduled")
            published += 1
    return {"published": published}


def _skip_locked() -> dict:
    from django.db import connection

    return {"skip_locked": True} if connection.features.has_select_for_update_skip_locked else {}


def do_add_article_attachment(
    actor: User, article: Article, upload, *, now=None
) -> ArticleAttachment:
    _require_staff(actor, "attach files to articles")
    now = _now(now)
    name = PurePath(upload.name or "").name
    if not name:
        raise ActionError("file", "named", "the file needs a name")
    suffix = PurePath(name.lower()).suffix
    if suffix not in FILE_SUFFIXES:
        raise ActionError(
            "file", "allowed_type", f"{name}: accepted types are {', '.join(sorted(FILE_SUFFIXES))}"
        )
    if suffix in IMAGE_SUFFIXES and not _is_image_of_its_type(upload, suffix):
        raise ActionError("file", "image_content", f"{name} is not a {suffix[1:].upper()} image")
    if upload.size > settings.PACTO_ATTACHMENT_MAX_BYTES:
        raise ActionError(
            "file", "max_size", f"at most {settings.PACTO_ATTACHMENT_MAX_BYTES} bytes"
        )
    if article.attachments.filter(name=name).exists():
        raise ActionError("file", "unique_name", f"the article already has a file named {name}")
    with transaction.atomic():
        attachment = ArticleAttachment.objects.create(
            article=article, file=upload, name=name,
            content_type=CONTENT_TYPES[suffix],
            size=upload.size, uploaded_by=actor, created_at=now,
        )  # fmt: skip
        _event(article, ArticleEvent.Kind.ATTACHED, actor, now, name=name)
    return attachment


# ----------------------------------------------------------------------------- readers


def _reader_organization(user: User):
    return user.organization if user.is_authenticated else None


def do_search(
    user: User,
    text: str,
    *,
    locale: str = "",
    product: str = "",
    version: str = "",
    limit: int = 10,
    now=None,
    scope=None,
) -> list[Hit]:
    """Search what ``user`` may read, and record the search for the monthly metrics."""
    now = _now(now)
    text = (text or "").strip()
    if len(text) > 250:
        raise ActionError("q", "max_length", "a query has at most 250 characters")
    if locale and locale not in LOCALE_CODES:
        raise ActionError(
            "locale", "known_locale", f"locale must be one of {', '.join(sorted(LOCALE_CODES))}"
        )
    if not 1 <= limit <= 50:
        raise ActionError("limit", "range", "limit is between 1 and 50")
    version = (version or "").strip()
    if version and not COMPARISON.match(version):
        raise ActionError("version", "version", "version is a version number such as 3.31.2")
    hits = search(
        user, text, locale=locale, product=product, version=version, limit=limit, scope=scope
    )
    if text:
        KbEvent.objects.create(
            kind=KbEvent.Kind.SEARCH, at=now, user=user if user.is_authenticated else None,
            organization=_reader_organization(user), query=text, results=len(hits),
        )  # fmt: skip
    return hits


def do_suggest(
    user: User,
    text: str,
    *,
    locale: str = "",
    product: str = "",
    version: str = "",
    limit: int = 5,
    now=None,
    scope=None,
) -> list[Hit]:
    """Articles for what a contact is typing on the new-ticket form (from the third
    character), for the product and version chosen on it when one is; what was shown is
    recorded."""
    now = _now(now)
    text = (text or "").strip()[:250]
    if len(text) < MIN_QUERY_LENGTH:
        return []
    hits = search(
        user, text, locale=locale, product=product, version=version, limit=limit, scope=scope
    )
    if hits:
        KbEvent.objects.create(
            kind=KbEvent.Kind.SUGGESTIONS, at=now, user=user, organization=_reader_organization(user),
            query=text, results=len(hits), article_id=hits[0].id,
        )  # fmt: skip
    return hits


def do_record_view(user: User, article: Article, *, now=None) -> None:
    KbEvent.objects.create(
        kind=KbEvent.Kind.VIEW, at=_now(now), user=user if user.is_authenticated else None,
        organization=_reader_organization(user), article=article,
    )  # fmt: skip


def do_deflect(user: User, article: Article, *, query: str = "", now=None) -> KbEvent:
    """ "This answered my question": the contact goes away without a ticket."""
    now = _now(now)
    if not visible_articles(user).filter(pk=article.pk).exists():
        raise NotFound("article")
    return KbEvent.objects.create(
        kind=KbEvent.Kind.DEFLECTION, at=now, user=user, organization=_reader_organization(user),
        article=article, query=(query or "")[:250],
    )  # fmt: skip


def do_record_ticket_suggestions(
    user: User, ticket: Ticket, article_ids: Iterable, *, now=None
) -> int:
    """The contact went on and opened ``ticket`` after these articles were suggested:
    recorded on the ticket (agents see what the customer already read)."""
    now = _now(now)
    ids = []
    for value in article_ids:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    articles = list(visible_articles(user).filter(pk__in=ids[:20]))
    if not articles:
        return 0
    with transaction.atomic():
        TicketArticle.objects.bulk_create(
            TicketArticle(
                ticket=ticket,
                article=a,
                relation=TicketArticle.Relation.SUGGESTED,
                actor=user,
                at=now,
            )
            for a in articles
        )
        KbEvent.objects.create(
            kind=KbEvent.Kind.TICKET_AFTER, at=now, user=user, organization=ticket.organization,
            ticket=ticket, article=articles[0], results=len(articles),
        )  # fmt: skip
    return len(articles)


def do_vote(
    contact: User, article: Article, *, helpful: bool, reason: str = "", comment: str = "", now=None
) -> Vote:
    """ "Was this article helpful?" One vote per contact and article; voting again changes it.
    A "no" with a reason gives the article's owner a task (once per vote)."""
    now = _now(now)
    if not contact.is_authenticated or contact.is_staff_member:
        raise NotAllowed("customers' contacts vote on articles", rule="contact_votes")
    if not visible_articles(contact).filter(pk=article.pk).exists():
        raise NotFound("article")
    comment = (comment or "").strip()[:2000]
    if helpful:
        reason = ""
    elif reason and reason not in Vote.Reason.values:
        raise ActionError(
            "reason", "known_reason", f"reason must be one of {', '.join(Vote.Reason.values)}"
        )
    elif not reason and comment:
        reason = Vote.Reason.OTHER
    with transaction.atomic():
        vote = Vote.objects.select_for_update().filter(article=article, contact=contact).first()
        if vote is None:
            vote = Vote(article=article, contact=contact, created_at=now)
        was = (vote.helpful, vote.reason, vote.comment) if vote.pk else None
        vote.helpful, vote.reason, vote.comment, vote.updated_at = helpful, reason, comment, now
        vote.save()
        if not helpful and reason and was != (helpful, reason, comment):
            task = ArticleTask.objects.create(
                article=article, owner=article.owner, vote=vote, reason=reason, comment=comment,
                created_at=now,
            )  # fmt: skip
            _tell_owner(task)
        if helpful:
            # The reader changed their mind: their open complaints are answered.
            ArticleTask.objects.filter(vote=vote, status=ArticleTask.Status.OPEN).update(
                status=ArticleTask.Status.DONE,
                done_at=now,
                resolution="the reader now finds it helpful",
            )
    return vote


def _tell_owner(task: ArticleTask) -> None:
    """The owner's task reaches them: an email through the outbox (their notification
    preferences apply), linking to their task list in the console."""
    label = Vote.Reason(task.reason).label
    with translation.override("en"):
        reason_en = str(label)
    with translation.override("pt-br"):
        reason_pt_br = str(label)
    url = settings.PACTO_BASE_URL.rstrip("/") + reverse("kb:tasks") + f"#task-{task.pk}"
    outbox.enqueue(
        kind="kb_article_task", dedupe_key=f"kb_task:{task.pk}", recipients=[task.owner],
        payload={
            "title": task.article.title, "article": task.article_id, "task": task.pk,
            "reason_en": reason_en, "reason_pt_br": reason_pt_br,
            "comment": task.comment[:500], "url": url,
        },
    )  # fmt: skip


def do_close_task(actor: User, task: ArticleTask, *, resolution: str = "", now=None) -> ArticleTask:
    _require_staff(actor, "close article tasks")
    now = _now(now)
    with transaction.atomic():
        locked = ArticleTask.objects.select_for_update().get(pk=task.pk)
        if locked.status == ArticleTask.Status.DONE:
            raise ActionError("task", "open", "the task is already done")
        locked.status, locked.done_at, locked.done_by = ArticleTask.Status.DONE, now, actor
        locked.resolution = (resolution or "").strip()[:2000]
        locked.save()
    return locked


# ----------------------------------------------------------------------------- tickets


def article_url(article: Article) -> str:
    path = reverse("kb:article", kwargs={"locale": article.locale, "slug": article.slug})
    return settings.PACTO_BASE_URL.rstrip("/") + path


def do_send_article(
    agent: User, ticket: Ticket, article: Article, *, note: str = "", solved: bool = False, now=None
) -> TicketArticle:
    """Insert an article's link into a public reply; the reply records which article it
    sent (senhasegura §7.7: "A link to documentation or knowledge base article")."""
    _require_staff(agent, "send articles in replies")
    now = _now(now)
    ticket = get_ticket_for(agent, ticket.pk)
    if not visible_articles(ticket.requester).filter(pk=article.pk).exists():
        raise ActionError(
            "article", "customer_may_read",
            "the customer cannot read this article (not published, or not for their products)",
        )  # fmt: skip
    text = (note or "").strip()
    link = f'<p><a href="{article_url(article)}">{_escape(article.title)}</a></p>'
    body = (f"<p>{_escape(text)}</p>" if text else "") + link
    with transaction.atomic():
        message = do_reply(agent, ticket, body, public=True, body_format="html", now=now)
        sent = TicketArticle.objects.create(
            ticket=ticket, article=article, relation=TicketArticle.Relation.SENT, message=message,
            actor=agent, at=now,
        )  # fmt: skip
        if solved:
            _solved(agent, ticket, article, now)
    return sent


def _escape(text: str) -> str:
    import html

    return html.escape(text).replace("\n", "<br>")


def _solved(agent, ticket, article, now) -> TicketArticle:
    existing = TicketArticle.objects.filter(
        ticket=ticket, article=article, relation=TicketArticle.Relation.SOLVED
    ).first()
    return existing or TicketArticle.objects.create(
        ticket=ticket, article=article, relation=TicketArticle.Relation.SOLVED, actor=agent, at=now
    )


def do_mark_solved_by(agent: User, ticket: Ticket, article: Article, *, now=None) -> TicketArticle:
    _require_staff(agent, "record which article solved a ticket")
    ticket = get_ticket_for(agent, ticket.pk)
    with transaction.atomic():
        return _solved(agent, ticket, article, _now(now))


def solution_draft(ticket: Ticket) -> dict:
    """What an article written from a ticket starts with: the problem and its solution (the
    workaround, then the vendor's last public reply)."""
    last_reply = (
        ticket.messages.filter(
            public=True, author__role__in=[r for r in User.Role.values if r != "contact"]
        )
        .order_by("-created_at")
        .first()
    )
    parts = [f"## Problem\n\n{ticket.obtained_result or ticket.subject}"]
    if ticket.workaround:
        parts.append(f"## Workaround\n\n{ticket.workaround}")
    if last_reply is not None:
        parts.append(f"## Solution\n\n{last_reply.body_text}")
    return {
        "title": ticket.subject,
        "body_markdown": "\n\n".join(parts),
        "products": [ticket.product] if ticket.product else [],
    }
