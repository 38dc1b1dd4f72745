"""The inbound-mail webhook: an inbound-mail service (or a mail server's pipe) POSTs each
received message, raw MIME as the request body, to ``/mail/inbound/``.

It is authenticated by a shared secret in the ``X-Pacto-Mail-Secret`` header, compared in
constant time with ``PACTO_INBOUND_MAIL_SECRET``; without that setting the endpoint does not
exist (404). No browser session is involved, which is why CSRF protection does not apply.

Answers: 200 with ``{"id", "outcome", "ticket"}`` for every message Pacto recorded, whatever
its outcome (a duplicate, an ignored auto-reply, an error kept for agents: sending it again
changes nothing); 403 for a wrong secret, 413 for a message over ``PACTO_MAIL_MAX_BYTES``,
400 for an empty body. A 5xx means nothing was recorded: the service should retry.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pacto.mail.ingest import ingest_message


@csrf_exempt  # authenticated by the shared secret below, never by a session cookie
@require_POST
def inbound(request):
    secret = settings.PACTO_INBOUND_MAIL_SECRET
    if not secret:
        raise Http404("the inbound-mail webhook is not configured")
    given = request.headers.get("X-Pacto-Mail-Secret", "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return JsonResponse({"error": "wrong or missing X-Pacto-Mail-Secret"}, status=403)
    limit = settings.PACTO_MAIL_MAX_BYTES
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return JsonResponse({"error": f"the message is larger than {limit} bytes"}, status=413)
    # Read the stream, not request.body: DATA_UPLOAD_MAX_MEMORY_SIZE is for forms.
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return JsonResponse({"error": f"the message is larger than {limit} bytes"}, status=413)
    if not raw.strip():
        return JsonResponse({"error": "the body must be a raw MIME message"}, status=400)
    record = ingest_message(raw, now=timezone.now(), source="webhook")
    return JsonResponse({"id": record.pk, "outcome": record.outcome, "ticket": record.ticket_id})
