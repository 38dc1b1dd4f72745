"""The knowledge base's pages: search and articles for customers and agents, the deflection
step of the new-ticket form, and the console's article editor, tasks and metrics.

Each view fetches what the person may read (``pacto.kb.visibility``), parses one form, calls
one action and renders.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from pacto.accounts.access import get_ticket_for
from pacto.errors import NotFound
from pacto.kb import actions, metrics
from pacto.kb.catalogue import known_issues
from pacto.kb.forms import (
    ArticleForm,
    AttachmentForm,
    ScheduleForm,
    SearchForm,
    SendArticleForm,
    StatusForm,
    TaskDoneForm,
    VoteForm,
)
from pacto.kb.models import Article, ArticleAttachment, ArticleTask, TicketArticle, Vote
from pacto.kb.resources import resources_for
from pacto.kb.versions import COMPARISON
from pacto.kb.visibility import (
    covered_products,
    manageable_articles,
    scope_of,
    visible_articles,
)
from pacto.portal.web import contact_required, is_htmx, login_redirect, run_action, staff_required


def reader_locale() -> str:
    return "pt-br" if (translation.get_language() or "").lower().startswith("pt") else "en"


def signed_in(view):
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# ----------------------------------------------------------------------------- readers


@signed_in
@require_safe
def search_page(request):
    """The knowledge base's search, for customers (what their contracts cover) and agents
    (internal articles too). The same search as ``GET /api/kb/search``."""
    data = request.GET.copy()
    if "locale" not in data:
        data["locale"] = reader_locale()
    form = SearchForm(data)
    form.is_valid()
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    locale = form.cleaned_data.get("locale", "") if form.is_valid() else ""
    product = form.cleaned_data.get("product", "") if form.is_valid() else ""
    version = form.cleaned_data.get("version", "") if form.is_valid() else ""
    hits, issues = [], []
    if query:
        scope = scope_of(request.user)
        hits, ok = run_action(
            form, actions.do_search, request.user, query, locale=locale, product=product,
            version=version, limit=20, scope=scope,
        )  # fmt: skip
        hits = hits or []
        if ok:
            issues = known_issues(
                request.user, query, product=product, version=version, scope=scope
            )
    articles = actions_articles(hits)
    context = {
        "form": form,
        "query": query,
        "hits": [(hit, articles.get(hit.id)) for hit in hits],
        "known_issues": issues,
        "products": sorted(covered_products(request.user))
        if not request.user.is_staff_member
        else [],
        "resources": resources_for(request.user),
        "recent": [] if query else _recent(request.user, locale),
    }
    if is_htmx(request):
        return render(request, "kb/search.html#results", context)
    return render(request, "kb/search.html", context)


def actions_articles(hits) -> dict[int, Article]:
    return Article.objects.prefetch_related("products").in_bulk([h.id for h in hits])


def _recent(user, locale: str):
    articles = visible_articles(user)
    if locale:
        articles = articles.filter(locale=locale)
    return articles.order_by("-published_at", "-id")[:10]


@signed_in
@require_safe
def article(request, locale: str, slug: str):
    found = visible_articles(request.user).filter(locale=locale, slug=slug).first()
    if found is None:
        raise Http404
    actions.do_record_view(request.user, found)
    vote = None
    if request.user.is_contact:
        vote = Vote.objects.filter(article=found, contact=request.user).first()
    return render(request, "kb/article.html", _article_context(request, found, vote))


def _article_context(request, found: Article, vote, vote_form=None) -> dict:
    visible = visible_articles(request.user)
    original = found.original
    translations = visible.filter(Q(pk=original.pk) | Q(translation_of=original)).exclude(
        pk=found.pk
    )
    counts = found.votes.aggregate(
        yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False))
    )
    context = {
        "article": found,
        "translations": translations,
        "vote": vote,
        "vote_form": vote_form
        or VoteForm(
            initial={
                "helpful": ("yes" if vote.helpful else "no") if vote else None,
                "reason": vote.reason if vote else "",
                "comment": vote.comment if vote else "",
            }
        ),
        "counts": counts,
        "attachments": [a for a in found.attachments.all() if not a.is_image],
        "products": found.products.all(),
        "categories": found.categories.all(),
    }
    if request.user.is_staff_member:
        context["ticket_links"] = (
            TicketArticle.objects.filter(article=found)
            .select_related("ticket")
            .order_by("-at")[:20]
        )
    return context


@signed_in
@require_POST
def vote(request, locale: str, slug: str):
    found = visible_articles(request.user).filter(locale=locale, slug=slug).first()
    if found is None:
        raise Http404
    form = VoteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _vote, ok = run_action(
            form, actions.do_vote, request.user, found, helpful=data["helpful"] == "yes",
            reason=data["reason"], comment=data["comment"],
        )  # fmt: skip
        if ok:
            messages.success(request, _("Thank you for your feedback."))
            return redirect("kb:article", locale=locale, slug=slug)
    vote = Vote.objects.filter(article=found, contact=request.user).first()
    return render(
        request, "kb/article.html", _article_context(request, found, vote, form), status=422
    )


@signed_in
@require_safe
def attachment(request, locale: str, slug: str, name: str):
    found = visible_articles(request.user).filter(locale=locale, slug=slug).first()
    if found is None and request.user.is_staff_member:
        found = manageable_articles(request.user).filter(locale=locale, slug=slug).first()
    if found is None:
        raise Http404
    file = ArticleAttachment.objects.filter(article=found, name=name).first()
    if file is None:
        raise Http404
    response = FileResponse(
        file.file.open("rb"),
        content_type=file.content_type,
        as_attachment=not file.is_image,
        filename=file.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ----------------------------------------------------------------------------- deflection


def suggestion_text(data) -> str:
    return " ".join((data.get("subject") or "", data.get("body") or "")).strip()[:250]


def chosen_version(data) -> tuple[str, str]:
    """(product, version) chosen on the new-ticket form: the catalogue version picked, else
    the typed product and version ("" for what is not given or not a version number)."""
    from pacto.catalog.models import Version

    picked = str(data.get("product_version") or "")
    if picked.isdigit():
        version = Version.objects.select_related("module__product").filter(pk=picked).first()
        if version is not None:
            return version.module.product.name, version.number
    product = str(data.get("product") or "").strip()[:100]
    number = str(data.get("version") or "").strip()[:60]
    return product, number if COMPARISON.match(number) and number[0].isdigit() else ""


def suggestions_for(user, data) -> dict:
    """The suggestions' context: articles and known issues for what is being typed."""
    text = suggestion_text(data)
    product, version = chosen_version(data)
    if len(text) < actions.MIN_QUERY_LENGTH:
        return {"kb_hits": [], "kb_known_issues": []}
    scope = scope_of(user)  # read once for the articles and the known issues
    hits = actions.do_suggest(
        user, text, locale=reader_locale(), product=product, version=version, scope=scope
    )
    issues = known_issues(user, text, product=product, version=version, scope=scope)
    return {"kb_hits": hits, "kb_known_issues": issues}


@contact_required(None)
@require_safe
def suggest(request):
    """The new-ticket form's suggestions, as the subject and description are typed (htmx)."""
    context = suggestions_for(request.user, request.GET) | {"kb_live": True}
    return render(request, "kb/suggestions.html", context)


@contact_required(None)
@require_POST
def deflect(request):
    """ "This answered my question": no ticket is opened; the deflection is recorded."""
    try:
        chosen = int(request.POST.get("kb_article", ""))
    except ValueError:
        raise Http404 from None
    found = visible_articles(request.user).filter(pk=chosen).first()
    if found is None:
        raise Http404
    run_action(None, actions.do_deflect, request.user, found, query=suggestion_text(request.POST))
    messages.success(request, _("Glad it helped. No ticket was opened."))
    return redirect("kb:article", locale=found.locale, slug=found.slug)


# ----------------------------------------------------------------------------- console


@staff_required
@require_safe
def manage(request):
    status = request.GET.get("status", "")
    articles = manageable_articles(request.user).select_related("owner", "translation_of")
    if status in Article.Status.values:
        articles = articles.filter(status=status)
    if request.GET.get("mine"):
        articles = articles.filter(owner=request.user)
    articles = articles.annotate(
        helpful=Count("votes", filter=Q(votes__helpful=True), distinct=True),
        not_helpful=Count("votes", filter=Q(votes__helpful=False), distinct=True),
        open_tasks=Count("tasks", filter=Q(tasks__status="open"), distinct=True),
        solved=Count(
            "ticket_links__ticket",
            filter=Q(ticket_links__relation=TicketArticle.Relation.SOLVED),
            distinct=True,
        ),
    ).order_by("-updated_at", "-id")[:200]
    context = {
        "articles": articles,
        "status": status,
        "statuses": Article.Status.choices,
        "open_tasks": ArticleTask.objects.filter(status="open", owner=request.user).count(),
    }
    return render(request, "kb/manage.html", context)


@staff_required
def edit(request, pk: int | None = None):
    """Write or edit an article; ``?ticket=N`` starts one from a ticket's solution."""
    editing = None
    if pk is not None:
        editing = get_object_or_404(manageable_articles(request.user), pk=pk)
    ticket = None
    initial = {"locale": reader_locale(), "owner": request.user}
    if editing is not None:
        initial = {
            "title": editing.title, "summary": editing.summary,
            "body_markdown": editing.body_markdown, "owner": editing.owner,
            "translation_of": editing.translation_of,
            "products": "\n".join(p.line for p in editing.products.all()),
            "categories": ", ".join(c.slug for c in editing.categories.all()),
        }  # fmt: skip
    elif request.GET.get("ticket") or request.POST.get("ticket"):
        try:
            ticket = get_ticket_for(
                request.user, int(request.GET.get("ticket") or request.POST["ticket"])
            )
        except (NotFound, ValueError):
            raise Http404 from None
        draft = actions.solution_draft(ticket)
        initial |= {**draft, "products": "\n".join(draft["products"])}
    form = ArticleForm(request.POST or None, initial=initial, editing=editing)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            fields = {
                "title": data["title"], "summary": data["summary"],
                "body_markdown": data["body_markdown"], "products": form.product_list(),
                "categories": form.category_list(), "owner": data["owner"] or request.user,
                "translation_of": data["translation_of"],
            }  # fmt: skip
            if editing is None:
                saved, ok = run_action(
                    form, actions.do_create_article, request.user, locale=data["locale"],
                    slug=data["slug"], status=data["status"] or Article.Status.DRAFT,
                    created_from=ticket, **fields,
                )  # fmt: skip
            else:
                saved, ok = run_action(
                    form, actions.do_update_article, request.user, editing, **fields
                )
            if ok:
                messages.success(request, _("The article is saved."))
                return redirect("kb:edit", pk=saved.pk)
        status = 422
    context = {
        "form": form,
        "editing": editing,
        "ticket": ticket,
        "status_form": StatusForm(),
        "schedule_form": ScheduleForm(),
        "attachment_form": AttachmentForm(),
        "events": editing.events.select_related("actor") if editing else [],
        "ticket_links": (
            TicketArticle.objects.filter(article=editing).select_related("ticket")
            if editing
            else []
        ),
    }
    return render(request, "kb/edit.html", context, status=status)


@staff_required
@require_POST
def change_status(request, pk: int):
    found = get_object_or_404(manageable_articles(request.user), pk=pk)
    if "publish_at" in request.POST:
        form = ScheduleForm(request.POST)
        if form.is_valid():
            _r, ok = run_action(
                form,
                actions.do_schedule_publication,
                request.user,
                found,
                form.cleaned_data["publish_at"],
            )
            if ok:
                messages.success(request, _("Publishing is scheduled."))
                return redirect("kb:edit", pk=found.pk)
    else:
        form = StatusForm(request.POST)
        if form.is_valid():
            _r, ok = run_action(
                form, actions.do_change_article_status, request.user, found,
                form.cleaned_data["status"], reason=form.cleaned_data["reason"],
            )  # fmt: skip
            if ok:
                messages.success(request, _("The status is changed."))
                return redirect("kb:edit", pk=found.pk)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return _edit_again(request, found)


def _edit_again(request, found):
    """A refused status change or file: back to the editor, which shows the message."""
    return redirect("kb:edit", pk=found.pk)


@staff_required
@require_POST
def attach(request, pk: int):
    found = get_object_or_404(manageable_articles(request.user), pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        _r, ok = run_action(
            form, actions.do_add_article_attachment, request.user, found, form.cleaned_data["file"]
        )
        if ok:
            messages.success(request, _("The file is attached."))
            return redirect("kb:edit", pk=found.pk)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return _edit_again(request, found)


@staff_required
@require_safe
def tasks(request):
    everyone = request.GET.get("owner") == "all"
    shown = ArticleTask.objects.select_related("article", "owner", "vote__contact")
    if not everyone:
        shown = shown.filter(owner=request.user)
    state = request.GET.get("state", "open")
    if state in ArticleTask.Status.values:
        shown = shown.filter(status=state)
    context = {"tasks": shown[:200], "everyone": everyone, "state": state, "form": TaskDoneForm()}
    return render(request, "kb/tasks.html", context)


@staff_required
@require_POST
def task_done(request, task_id: int):
    task = get_object_or_404(ArticleTask, pk=task_id)
    form = TaskDoneForm(request.POST)
    if form.is_valid():
        _r, ok = run_action(
            form,
            actions.do_close_task,
            request.user,
            task,
            resolution=form.cleaned_data["resolution"],
        )
        if ok:
            messages.success(request, _("The task is done."))
            return redirect("kb:tasks")
    raise PermissionDenied(" ".join(e for errors in form.errors.values() for e in errors))


@staff_required
@require_safe
def metrics_page(request):
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    context = {
        "month": first,
        "rows": metrics.monthly(first, months=6),
        "unviewed": metrics.unviewed_articles(first),
    }
    return render(request, "kb/metrics.html", context)


@staff_required
@require_POST
def send(request, pk: int):
    """Send an article's link in a public reply on ticket ``pk``."""
    try:
        ticket = get_ticket_for(request.user, pk)
    except NotFound:
        raise Http404 from None
    form = SendArticleForm(request.POST)
    chosen = None
    if form.is_valid():
        data = form.cleaned_data
        articles = visible_articles(request.user)
        if data["article"]:
            chosen = articles.filter(pk=data["article"]).first()
        elif data["slug"]:
            chosen = articles.filter(slug=data["slug"].strip()).first()
        if chosen is None:
            form.add_error("article", _("Choose a published article."))
        else:
            _r, ok = run_action(
                form, actions.do_send_article, request.user, ticket, chosen, note=data["note"],
                solved=data["solved"],
            )  # fmt: skip
            if ok:
                messages.success(request, _("The article was sent to the customer."))
                return redirect("console:ticket", pk=ticket.pk)
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    response = redirect("console:ticket", pk=ticket.pk)
    response.status_code = 303
    return response
