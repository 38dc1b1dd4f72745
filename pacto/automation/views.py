"""Acknowledging a page: the signed link in every page, and a JSON endpoint for staff.

The link's token is signed (``django.core.signing``) and names the page, the engineer paged
and the page's nonce; it expires after a week. Opening the link shows a button (a GET must
not change anything: mail scanners open links); pressing it acknowledges.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from pacto.automation import actions
from pacto.automation.models import Page
from pacto.errors import ActionError, NotAllowed, NotFound


def _error(request: HttpRequest, error: ActionError) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": error.as_dict()}, status=error.status)
    return render(request, "automation/acknowledge.html", {"error": error}, status=error.status)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _result(page: Page) -> dict:
    return {
        "page": page.pk,
        "ticket": page.ticket_id,
        "state": page.state,
        "acknowledged_by": page.acknowledged_by.email if page.acknowledged_by else None,
        "acknowledged_at": page.acknowledged_at.isoformat() if page.acknowledged_at else None,
    }


@csrf_exempt  # the signed token is the proof: a forged request cannot know it
@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, token: str) -> HttpResponse:
    try:
        page, engineer = actions.check_ack_token(token)
        if request.method == "GET":
            return render(
                request, "automation/acknowledge.html", {"page": page, "engineer": engineer}
            )
        user = request.user if request.user.is_authenticated else engineer
        if user is None:
            raise NotAllowed("this link no longer names an active engineer; sign in to acknowledge")
        page = actions.do_acknowledge_page(page, user, now=timezone.now())
    except ActionError as error:
        return _error(request, error)
    if _wants_json(request):
        return JsonResponse(_result(page))
    return render(request, "automation/acknowledge.html", {"page": page, "done": True})


@require_POST
def acknowledge_api(request: HttpRequest, page_id: int) -> JsonResponse:
    """``POST /pages/<id>/acknowledge`` by a signed-in staff member."""
    try:
        if not request.user.is_authenticated:
            raise NotAllowed("sign in to acknowledge pages", rule="authenticated")
        page = Page.objects.filter(pk=page_id).first()
        if page is None:
            raise NotFound("page")
        page = actions.do_acknowledge_page(page, request.user, now=timezone.now())
    except ActionError as error:
        return JsonResponse({"error": error.as_dict()}, status=error.status)
    return JsonResponse(_result(page))
