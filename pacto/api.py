"""Pacto's REST API: one NinjaAPI, its authentication, its rate limits and its errors.

- Authentication: a personal API token (``Authorization: Bearer pacto_…``; only its SHA-256
  is stored, see ``ApiToken.digest``) or the browser session, which must then carry the CSRF
  token on every change. A ``read`` token may only GET.
- Rate limits: per user, ``PACTO_API_RATE`` (e.g. ``600/min``); failed authentications per
  client address, ``PACTO_API_ANON_RATE``. Over the limit: 429.
- Errors: every error is ``{"detail": [{"field", "rule", "message"}]}``. Domain errors
  (``pacto.errors.ActionError``: 422, 403, 404, 409) become HTTP here and only here.

Endpoints live next to their domain (``pacto/tickets/api.py``…): each parses input, calls one
action and renders the result.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

import structlog
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import path, re_path
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from pacto.accounts import ratelimit
from pacto.accounts.api import router as accounts_router
from pacto.accounts.api import tokens_router
from pacto.accounts.models import ApiToken, User
from pacto.availability.api import router as availability_router
from pacto.catalog import api as catalog_api
from pacto.contracts.api import policies_router
from pacto.contracts.api import router as contracts_router
from pacto.errors import ActionError, NotAllowed
from pacto.kb.api import router as kb_router
from pacto.observability import unavailable_response
from pacto.reports.api import router as reports_router
from pacto.tickets.api import router as tickets_router

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MONITOR_PATH = "/api/availability/results"  # all a monitor-scope token may call

log = structlog.get_logger(__name__)


# ----------------------------------------------------------------------------- authentication


LAST_USED_PRECISION = dt.timedelta(minutes=1)  # how fresh a token's "last used" is kept


class TokenAuth(HttpBearer):
    """``Authorization: Bearer pacto_…``: a personal token that is not revoked, of an active
    user. A read-scope token asking to change anything is refused (403)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token.startswith(ApiToken.PREFIX):
            return None
        api_token = (
            ApiToken.objects.select_related("user", "user__organization")
            .filter(token_hash=ApiToken.digest(token), revoked_at__isnull=True)
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            return None
        if api_token.scope == ApiToken.Scope.MONITOR:
            if request.path != MONITOR_PATH or request.method != "POST":
                raise NotAllowed(
                    f"token {api_token.hint}… has the monitor scope: it may only push probe "
                    f"results (POST {MONITOR_PATH})",
                    rule="token_scope",
                    field="authorization",
                )
        elif api_token.scope != ApiToken.Scope.WRITE and request.method not in SAFE_METHODS:
            raise NotAllowed(
                f"token {api_token.hint}… has the read scope and may only read (GET); "
                "create a token with the write scope to change anything",
                rule="token_scope",
                field="authorization",
            )
        now = timezone.now()
        last = api_token.last_used_at
        if last is None or now - last >= LAST_USED_PRECISION:
            # At most one write a minute per token: a read must not take the write lock.
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


class SessionWithCsrf(SessionAuth):
    """The signed-in browser session; changes must carry the CSRF token (``X-CSRFToken``)."""

    def __call__(self, request: HttpRequest) -> User | None:
        if not request.user.is_authenticated or not request.user.is_active:
            return None  # no session: 401 (not a CSRF 403), whatever the method
        return super().__call__(request)


# ----------------------------------------------------------------------------- rate limits


class SettingsRate:
    """A throttle whose rate is the setting named ``setting``, read at each request (so an
    operator's or a test's rate applies without a restart), counted in the database's fixed
    windows (``pacto.accounts.ratelimit``): one statement per request, shared by every web
    process."""

    setting: str

    def __init__(self) -> None:
        self.rate = None
        self._wait = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        key = self.get_cache_key(request)
        if key is None:
            return True
        limit, period = self.parse_rate(getattr(settings, self.setting))
        allowed, self._wait.seconds = ratelimit.hit(key, limit, period, time.time())
        return allowed

    def wait(self) -> float | None:
        return getattr(self._wait, "seconds", None)


class UserRateThrottle(SettingsRate, AuthRateThrottle):
    """``PACTO_API_RATE`` requests per user, by token and by session alike."""

    scope = "pacto_user"
    setting = "PACTO_API_RATE"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "auth", None)
        if user is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class FailedAuthThrottle(SettingsRate, AnonRateThrottle):
    """``PACTO_API_ANON_RATE`` failed authentications per client address (counted when a
    request is refused with 401), so guessing tokens gets slow."""

    scope = "pacto_anon"
    setting = "PACTO_API_ANON_RATE"


failed_auth_throttle = FailedAuthThrottle()


# ----------------------------------------------------------------------------- bodies


class NotAnObject(ValueError):
    """A JSON body that is not an object (``[null, null]``, ``true``, ``"x"``)."""


class ObjectBodyParser(Parser):
    """Every request body of the API is a JSON object. Anything else is refused here, before
    a schema's defaults could turn ``[null, null]`` into an empty but valid change."""

    def parse_body(self, request: HttpRequest):
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise NotAnObject(type(data).__name__)
        return data


api = NinjaAPI(
    title="Pacto",
    version="1",
    description=(
        "The support desk that runs vendors' published support policies exactly.\n\n"
        "Authenticate with a personal API token (`Authorization: Bearer pacto_…`, from "
        "`POST /api/tokens`) or the browser session (changes then need the `X-CSRFToken` "
        'header). Every error is `{"detail": [{"field", "rule", "message"}]}`.'
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionWithCsrf()],
    throttle=[UserRateThrottle()],
    parser=ObjectBodyParser(),
)


# ----------------------------------------------------------------------------- errors


def error_response(
    request: HttpRequest, status: int, field: str, rule: str, message: str
) -> HttpResponse:
    return api.create_response(
        request, {"detail": [{"field": field, "rule": rule, "message": message}]}, status=status
    )


@api.exception_handler(ActionError)
def action_error(request: HttpRequest, error: ActionError) -> HttpResponse:
    """The one place a broken rule becomes an HTTP status: 422, 403, 404 or 409."""
    return api.create_response(request, {"detail": [error.as_dict()]}, status=error.status)


def _field_from_loc(loc: tuple | list) -> str:
    """``("body", "payload", "access_request", "email")`` -> ``access_request.email``;
    ``("query", "limit")`` -> ``limit``; a missing body -> ``body``."""
    source, *rest = loc or ("body",)
    if source == "body":
        rest = rest[1:]  # the view's parameter name: not part of the request
    path = ""
    for part in rest:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or str(source)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    detail = [
        {
            "field": _field_from_loc(item.get("loc", ())),
            "rule": str(item.get("type", "invalid")),
            "message": str(item.get("msg", "invalid")).removeprefix("Value error, "),
        }
        for item in error.errors
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if isinstance(error, AuthenticationError):
        if not failed_auth_throttle.allow_request(request):
            error = Throttled(wait=failed_auth_throttle.wait())
        else:
            return error_response(
                request,
                401,
                "authorization",
                "authenticated",
                "sign in, or send a personal API token: Authorization: Bearer pacto_…",
            )
    if isinstance(error, Throttled):
        response = error_response(
            request, 429, "request", "rate_limit", "too many requests; slow down and retry"
        )
        if error.wait is not None:
            response["Retry-After"] = str(max(1, round(error.wait)))
        return response
    if error.status_code == 400 and error.message.startswith("Cannot parse request body"):
        if isinstance(error.__cause__, NotAnObject):
            return error_response(request, 422, "body", "json_object", "the body is a JSON object")
        return error_response(request, 422, "body", "json", "the body is not valid JSON")
    if error.status_code == 403 and "CSRF" in error.message:
        return error_response(
            request,
            403,
            "csrf",
            "csrf_token",
            "a session request that changes something must send the X-CSRFToken header",
        )
    return error_response(request, error.status_code, "request", "http", error.message)


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(
        request, 413, "body", "max_size", f"a request body has at most {limit} bytes"
    )


@api.exception_handler(MultiPartParserError)
def bad_multipart(request: HttpRequest, error: MultiPartParserError) -> HttpResponse:
    return error_response(
        request, 400, "body", "multipart", f"the multipart body cannot be read: {error}"
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return error_response(request, 404, "path", "exists", "not found")


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    """The database is restarting or unreachable: 503 and Retry-After, nothing saved."""
    return unavailable_response(request, error)


def _database_error_inside(error: BaseException) -> BaseException | None:
    """The database error behind ``error``: raised while it was handled, or reported by
    pydantic when reading an attribute of the response failed (the connection dropped while
    the answer was being read)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, (OperationalError, InterfaceError)):
            return seen
        seen = seen.__cause__ or seen.__context__
    errors = getattr(error, "errors", None)
    if callable(errors):
        for item in errors():
            cause = str((item.get("ctx") or {}).get("error", ""))
            if cause.startswith(("OperationalError", "InterfaceError")):
                return OperationalError(cause)
    return None


@api.exception_handler(Exception)
def server_error(request: HttpRequest, error: Exception) -> HttpResponse:
    """A bug, not a broken rule: logged with its traceback, answered in the usual shape."""
    database = _database_error_inside(error)
    if database is not None:
        return unavailable_response(request, database)
    log.exception("api_server_error", path=request.path, method=request.method)
    return error_response(
        request, 500, "request", "server_error", "something went wrong on our side; retry later"
    )


def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(request, 404, "path", "exists", f"no endpoint {request.path}")


api.add_router("/tickets", tickets_router, tags=["tickets"])
api.add_router("/", accounts_router, tags=["accounts"])
api.add_router("/tokens", tokens_router, tags=["tokens"])
api.add_router("/contracts", contracts_router, tags=["contracts"])
api.add_router("/policies", policies_router, tags=["policies"])
api.add_router("/products", catalog_api.router, tags=["catalogue"])
api.add_router("/known-issues", catalog_api.known_issues_router, tags=["known issues"])
api.add_router("/releases", catalog_api.releases_router, tags=["releases"])
api.add_router("/engineering-items", catalog_api.engineering_router, tags=["engineering"])
api.add_router("/tickets", catalog_api.tickets_router, tags=["tickets"])
api.add_router("/inventory", catalog_api.inventory_router, tags=["contracts"])
api.add_router("/availability", availability_router, tags=["availability"])
api.add_router("/kb", kb_router, tags=["knowledge base"])
api.add_router("/reports", reports_router, tags=["reports"])

# Mounted by ``path("api/", include("pacto.api"))`` in pacto/urls.py. Any other path under
# /api/ answers a JSON 404 too, not the site's HTML page.
urlpatterns = [path("", api.urls), re_path(r"^(?P<rest>.*)$", unknown_path)]
