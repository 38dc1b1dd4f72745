"""Endpoints that belong to the installation as a whole rather than to one domain."""

import structlog
from django.db import DatabaseError, connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = structlog.get_logger(__name__)


@require_safe
@never_cache
def healthz(request):
    """Liveness and readiness for load balancers: ok only if the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.exception("healthz_database_unavailable")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@require_safe
def favicon(request):
    """The site icon for pages without a <link rel="icon"> (the admin, the API docs)."""
    response = HttpResponsePermanentRedirect(static("pacto/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response
