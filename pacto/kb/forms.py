"""The knowledge base's forms: parse what a reader or an author typed; the actions check."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pacto.accounts.models import User
from pacto.kb.models import LOCALES, Article, Vote
from pacto.portal.forms import PactoForm


class SearchForm(PactoForm):
    q = forms.CharField(label=_("Search the knowledge base"), max_length=250, required=False)
    locale = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Any language")), *LOCALES], required=False
    )
    product = forms.CharField(label=_("Product"), max_length=100, required=False)
    version = forms.CharField(label=_("Version"), max_length=60, required=False)


class VoteForm(PactoForm):
    helpful = forms.ChoiceField(
        label=_("Was this article helpful?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(
        label=_("What was wrong?"), choices=[("", "—"), *Vote.Reason.choices], required=False
    )
    comment = forms.CharField(
        label=_("Tell us more (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ArticleForm(PactoForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    locale = forms.ChoiceField(label=_("Language"), choices=LOCALES)
    slug = forms.SlugField(
        label=_("Slug"),
        max_length=120,
        required=False,
        help_text=_("The article's address; made from the title when empty; never changes."),
    )
    summary = forms.CharField(label=_("Summary"), max_length=300, required=False)
    body_markdown = forms.CharField(
        label=_("Body (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Images and files you attach are written as attachment:NAME."),
    )
    products = forms.CharField(
        label=_("Products"),
        required=False,
        help_text=_(
            "One a line: product, or product / module, then @ and the versions it applies to "
            "(senhasegura PAM / Core @ 3.31, >=3.32). Empty: every product."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    categories = forms.CharField(
        label=_("Categories"), required=False, help_text=_("Comma-separated, e.g. install, vault")
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    translation_of = forms.ModelChoiceField(
        label=_("Translation of"),
        queryset=Article.objects.filter(translation_of__isnull=True),
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), choices=Article.Status.choices, required=False)

    def __init__(self, *args, editing: Article | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.exclude(role=User.Role.CONTACT).filter(
            is_active=True
        )
        if editing is not None:
            for name in ("locale", "slug", "status"):
                del self.fields[name]
            self.fields["translation_of"].queryset = Article.objects.filter(
                translation_of__isnull=True
            ).exclude(pk=editing.pk)

    def product_list(self) -> list[str]:
        text = self.cleaned_data.get("products") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def category_list(self) -> list[str]:
        text = self.cleaned_data.get("categories") or ""
        return [part.strip() for part in text.split(",") if part.strip()]


class StatusForm(PactoForm):
    status = forms.ChoiceField(label=_("New status"), choices=Article.Status.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ScheduleForm(PactoForm):
    publish_at = forms.DateTimeField(
        label=_("Publish at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class AttachmentForm(PactoForm):
    file = forms.FileField(label=_("File or image"))


class TaskDoneForm(PactoForm):
    resolution = forms.CharField(label=_("What was done"), max_length=2000, required=False)


class SendArticleForm(PactoForm):
    article = forms.IntegerField(label=_("Article"), required=False)
    slug = forms.CharField(label=_("or its slug"), max_length=120, required=False)
    note = forms.CharField(
        label=_("Message with the link"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    solved = forms.BooleanField(label=_("This article solves the ticket"), required=False)
