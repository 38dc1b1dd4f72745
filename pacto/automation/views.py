"""Acknowledging a page: the signed link in every page, and a JSON endpoint for staff.

The link's token is signed (``django.core.signing``) and names the page, the engineer paged
and the page's nonce; it expires after a week. Opening the link shows a button (a GET must
not change anything: mail scanners open links); pressing it acknowledges.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from pacto.automation import actions
from pacto.automation.models import Page
from pacto.errors import ActionError, NotAllowed, one_of
from pacto.metrics import PAGER_CALLBACKS


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
        page = one_of(Page.objects, page_id, "page")
        page = actions.do_acknowledge_page(page, request.user, now=timezone.now())
    except ActionError as error:
        return JsonResponse({"error": error.as_dict()}, status=error.status)
    return JsonResponse(_result(page))


# ----------------------------------------------------------------------------- PagerDuty


def pagerduty_signed(body: bytes, header: str, secret: str) -> bool:
    """PagerDuty's webhook signature: ``X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the
    raw body>``, several comma-separated while a secret is being rotated."""
    expected = "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, given.strip()) for given in header.split(","))


def _pagerduty_change(data) -> tuple[str, str, str] | None:
    """``(dedup_key, action, who)`` from a V3 webhook (``incident.acknowledged`` /
    ``incident.resolved``, the incident's ``incident_key`` being the Events API v2
    ``dedup_key`` Pacto sent) or an Events API v2 body (``event_action`` ``acknowledge`` /
    ``resolve`` with its ``dedup_key``), as a relay in PagerDuty's style sends it."""
    if not isinstance(data, dict):
        return None
    event = data.get("event")
    if isinstance(event, dict):
        action = {"incident.acknowledged": "acknowledge", "incident.resolved": "resolve"}.get(
            event.get("event_type")
        )
        incident, agent = event.get("data"), event.get("agent")
        if action is None or not isinstance(incident, dict):
            return None
        who = agent.get("summary", "") if isinstance(agent, dict) else ""
        return str(incident.get("incident_key") or ""), action, str(who or "")
    action = data.get("event_action")
    if action in ("acknowledge", "resolve"):
        return str(data.get("dedup_key") or ""), action, str(data.get("client") or "")
    return None


@csrf_exempt  # the signature is the proof
@require_POST
def pagerduty_webhook(request: HttpRequest) -> JsonResponse:
    """``POST /pages/pagerduty``: PagerDuty (a V3 webhook subscription) tells Pacto that the
    alert of a page was acknowledged or resolved. Off (404) until
    ``PACTO_PAGERDUTY_WEBHOOK_SECRET`` is set; a body without a valid signature is refused
    (401) and changes nothing. Anything that is not about one of Pacto's pages is answered
    200 and ignored, so PagerDuty does not retry it."""
    secret = settings.PACTO_PAGERDUTY_WEBHOOK_SECRET
    if not secret:
        raise Http404
    body = request.body
    if not pagerduty_signed(body, request.headers.get("X-PagerDuty-Signature", ""), secret):
        PAGER_CALLBACKS.labels("refused").inc()
        error = {"field": "x-pagerduty-signature", "rule": "signed",
                 "message": "the body is not signed with this installation's webhook secret"}  # fmt: skip
        return JsonResponse({"error": error}, status=401)
    try:
        change = _pagerduty_change(json.loads(body))
    except (ValueError, UnicodeDecodeError):
        error = {"field": "body", "rule": "json", "message": "the body is not valid JSON"}
        return JsonResponse({"error": error}, status=400)
    result = "ignored"
    if change is not None:
        dedup_key, action, who = change
        result = actions.do_pager_callback(dedup_key, action, by=who, now=timezone.now())
    PAGER_CALLBACKS.labels(result).inc()
    return JsonResponse({"result": result})
