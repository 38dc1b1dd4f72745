"""The knowledge base: articles in English and Brazilian Portuguese, their lifecycle, votes,
the tickets they were suggested on, sent in or solved, and the deflection events the monthly
metrics are counted from.

The full-text index is the database's own and is not a Django field: on SQLite an FTS5 table
``kb_article_fts`` kept by triggers, on PostgreSQL a weighted ``tsvector`` column
``search_vector`` kept by a trigger, with a GIN index (see ``migrations/0002_search.py`` and
``pacto/kb/search.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LOCALES = [("en", "English"), ("pt-br", "Português (Brasil)")]


class Category(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_pt_br = models.CharField(_("name (Portuguese)"), max_length=120)

    class Meta:
        ordering = ["name_en"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name_en

    def name_in(self, locale: str) -> str:
        return self.name_pt_br if locale == "pt-br" else self.name_en


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        INTERNAL = "internal", _("Internal (agents only)")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    locale = models.CharField(_("language"), max_length=5, choices=LOCALES, default="en")
    slug = models.SlugField(
        _("slug"), max_length=120, help_text=_("stable address of the article in its language")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body_markdown = models.TextField(_("body (Markdown)"))
    body_html = models.TextField(help_text=_("rendered and sanitized"))
    body_text = models.TextField(help_text=_("plain text, what the search index reads"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        verbose_name=_("translation of"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kb_articles"
    )
    categories = models.ManyToManyField(Category, blank=True, related_name="articles")
    publish_at = models.DateTimeField(
        _("publish at"), null=True, blank=True, db_index=True, help_text=_("scheduled publishing")
    )
    published_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_from = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("the ticket whose solution this article was written from"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="one_slug_per_locale")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.locale})"

    @property
    def original(self) -> Article:
        return self.translation_of or self

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ArticleProduct(models.Model):
    """A product (and optionally module and versions) an article applies to. Named as
    contracts name their products, and linked to the catalogue's product when it has one
    of that name; an article without products applies to every product. ``versions`` is a
    list such as ``3.31, >=4.0`` (``pacto.kb.catalogue``)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="products")
    product = models.CharField(_("product"), max_length=100)
    catalog_product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("catalogue product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    product_key = models.CharField(
        max_length=100, blank=True, help_text=_("the product name folded to lower case, to match")
    )
    module = models.CharField(_("module"), max_length=100, blank=True)
    versions = models.CharField(
        _("versions"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 3.31, >=4.0 <4.2 (empty: all)"),
    )

    class Meta:
        ordering = ["product", "module"]
        indexes = [models.Index(fields=["product_key", "article"])]

    def __str__(self) -> str:
        return " ".join(x for x in (self.product, self.module, self.versions) if x)

    @property
    def line(self) -> str:
        """As authors write it: ``product / module @ versions``."""
        text = " / ".join(x for x in (self.product, self.module) if x)
        return f"{text} @ {self.versions}" if self.versions else text


def attachment_path(instance: ArticleAttachment, filename: str) -> str:
    return f"kb/{instance.article_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class ArticleAttachment(models.Model):
    """A file or image of an article; the Markdown refers to it as ``attachment:NAME``."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "name"], name="one_attachment_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ArticleEvent(models.Model):
    """One immutable line of an article's history: created, edited, each status change."""

    class Kind(models.TextChoices):
        CREATED = "created"
        EDITED = "edited"
        STATUS = "status"
        SCHEDULED = "scheduled"
        IMPORTED = "imported"
        ATTACHED = "attached"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.article_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("article events are immutable")
        super().save(*args, **kwargs)


class TicketArticle(models.Model):
    """An article on a ticket: shown as a suggestion while it was opened, sent in a reply
    (with the message), or the article that solved it."""

    class Relation(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested while opening")
        SENT = "sent", _("Sent in a reply")
        SOLVED = "solved", _("Solved the ticket")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="ticket_links")
    relation = models.CharField(max_length=10, choices=Relation.choices)
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["relation", "at"])]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.relation} {self.article_id}"


class Vote(models.Model):
    """ "Was this article helpful?" (SecPod's article page): one vote per contact and
    article, which they may change."""

    class Reason(models.TextChoices):
        OUTDATED = "outdated", _("It is outdated or wrong")
        UNCLEAR = "unclear", _("It is hard to follow")
        INCOMPLETE = "incomplete", _("Something is missing")
        NOT_MY_PROBLEM = "not_my_problem", _("It is not about my problem")
        OTHER = "other", _("Something else")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kb_votes"
    )
    helpful = models.BooleanField()
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "contact"], name="one_vote_per_contact")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} on {self.article_id}: {'yes' if self.helpful else 'no'}"


class ArticleTask(models.Model):
    """Work for an article's owner: a reader said it did not help, and why."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tasks")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kb_tasks"
    )
    vote = models.ForeignKey(Vote, null=True, on_delete=models.SET_NULL, related_name="tasks")
    reason = models.CharField(max_length=20, choices=Vote.Reason.choices)
    comment = models.TextField(blank=True)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return f"task on {self.article_id} for {self.owner_id} ({self.status})"


class KbEvent(models.Model):
    """What readers did, for the monthly metrics (counted by queries, never by counters)."""

    class Kind(models.TextChoices):
        SEARCH = "search", _("Search")
        SUGGESTIONS = "suggestions", _("Suggestions shown")
        VIEW = "view", _("Article viewed")
        DEFLECTION = "deflection", _("Answered without a ticket")
        TICKET_AFTER = "ticket_after", _("Ticket opened after seeing articles")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="reader_events"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    query = models.CharField(max_length=250, blank=True)
    results = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["kind", "at"]), models.Index(fields=["article", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"
