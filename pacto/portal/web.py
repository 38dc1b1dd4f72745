"""What every page of the portal and the console shares: who may come in, and how a domain
error becomes what the person sees.

Pages ask ``pacto.accounts.access`` what a person may see; these decorators only sort people
by kind first:

- ``contact_required``: customer and partner contacts. Anonymous visitors are sent to sign
  in; the vendor's staff are sent to the console's page for the same thing (a GET) or refused
  (a change), since they work tickets from the console.
- ``staff_required``: the vendor's people; a contact gets 403.
- ``manager_required``: support managers and administrators.

Domain errors (``pacto.errors``) map here and only here: ``NotFound`` → 404, ``NotAllowed`` →
403 with the action's message, any other ``ActionError`` → an error on the form field it
names, and the page is shown again with status 422.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pacto.errors import ActionError, NotAllowed, NotFound
from pacto.tickets.models import MAX_CCS_PER_TICKET

# Messages of the actions' rules, in the reader's language; others are shown as written.
RULE_MESSAGES = {
    "required": gettext_lazy("This field is required."),
    "required_by_policy": gettext_lazy("Your support policy requires this detail."),
    "upgrade_justified": gettext_lazy(
        "Explain the increased impact on production (at least 20 characters)."
    ),
    "solved": gettext_lazy("Only a solved ticket can be confirmed or reopened."),
    "closed_is_final": gettext_lazy("Closed tickets are archived; open a new ticket."),
    "not_closed": gettext_lazy("Closed tickets are archived; open a new ticket."),
    "authorized_contact": gettext_lazy(
        "Only authorized technical contacts may open tickets. Ask an authorized contact of "
        "your organization to request access for you, or write to your account manager."
    ),
    "partner_certified": gettext_lazy(
        "Partner contacts need a valid certification to open tickets; yours is missing or expired."
    ),
    "partner_serves": gettext_lazy("Your organization does not serve this customer."),
    "partnership_valid": gettext_lazy(
        "Your organization's partnership agreement is not valid today, so its contacts cannot "
        "open tickets. Ask your account manager to renew the partnership."
    ),
    "trained_contact": gettext_lazy(
        "Your support policy asks technical contacts to have completed the product training "
        "before they open tickets, and there is no valid record of yours. Ask your account "
        "manager to record your training, or an authorized colleague to open the ticket."
    ),
    "active_contract": gettext_lazy("There is no active support contract today."),
    "max_size": gettext_lazy("The file is too large."),
    "allowed_type": gettext_lazy("This type of file is not accepted."),
    "image_content": gettext_lazy("The file is not an image of the type its name says."),
    "changed": gettext_lazy("Nothing changes: it already has this value."),
    "email_valid": gettext_lazy("Enter a valid email address."),
    "cc_duplicate": gettext_lazy("This address is already copied."),
    "cc_requester": gettext_lazy("The requester already receives every reply."),
    "cc_exists": gettext_lazy("This address is not copied on the ticket."),
    "cc_limit": format_lazy(
        gettext_lazy("A ticket copies at most {count} people."), count=MAX_CCS_PER_TICKET
    ),
    "follow_up_closed": gettext_lazy(
        "Only a closed ticket takes a follow-up; reply on the ticket while it is open."
    ),
    "follow_up_organization": gettext_lazy(
        "A follow-up belongs to the organization of the ticket it follows up."
    ),
}


def message_of(error: ActionError) -> str:
    """The error in the reader's language when Pacto knows its rule, else as the action said.

    Rules whose message carries specifics (the reopen window's deadline, a policy's accepted
    channels) keep the action's own words."""
    known = RULE_MESSAGES.get(error.rule)
    return str(known) if known is not None else error.message


def login_redirect(request: HttpRequest):
    return redirect_to_login(request.get_full_path())


def contact_required(staff_redirect: str | Callable | None = "console:queue"):
    """Decorate a portal view. ``staff_redirect`` names the console page a staff member's GET
    goes to (a URL name, or a function of the view's keyword arguments returning a URL)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return login_redirect(request)
            if user.is_staff_member:
                if request.method in ("GET", "HEAD") and staff_redirect:
                    target = (
                        staff_redirect(**kwargs) if callable(staff_redirect) else staff_redirect
                    )
                    return redirect(target)
                raise PermissionDenied(_("The vendor's staff work tickets from the console."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        if not request.user.is_staff_member:
            raise PermissionDenied(_("The console is for the vendor's support staff."))
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        if not request.user.is_manager:
            raise PermissionDenied(_("This page is for support managers."))
        return view(request, *args, **kwargs)

    return wrapper


def run_action(form, action: Callable, *args, **kwargs):
    """Call one action; ``(result, True)`` when it succeeded, ``(None, False)`` when it broke
    a rule (the error is now on ``form``). Not found and not allowed become 404 and 403."""
    try:
        return action(*args, **kwargs), True
    except NotFound:
        raise Http404 from None
    except NotAllowed as exc:
        raise PermissionDenied(message_of(exc)) from None
    except ActionError as exc:
        field = exc.field if form is not None and exc.field in form.fields else None
        if form is None:
            raise
        form.add_error(field, message_of(exc))
        return None, False


def is_htmx(request: HttpRequest) -> bool:
    """A request htmx made (it swaps a fragment), as opposed to a full page load."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
