"""The console's own changes: saved views, macros, read notifications. Ticket changes are
``pacto.tickets.actions``; these touch only what an agent keeps for themselves or shares."""

from __future__ import annotations

import structlog
from django.db import transaction
from django.utils import timezone

from pacto.accounts.models import User
from pacto.console.models import Inbox, Macro, SavedView
from pacto.errors import ActionError, NotAllowed, NotFound

log = structlog.get_logger(__name__)


def _require_staff(actor: User) -> None:
    if not actor.is_staff_member:
        raise NotAllowed("only the vendor's staff use the console")


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ActionError("name", "required", "give it a name")
    if len(name) > 80:
        raise ActionError("name", "max_length", "at most 80 characters")
    return name


@transaction.atomic
def do_save_view(actor: User, *, name: str, query: str, shared: bool = False) -> SavedView:
    _require_staff(actor)
    view = SavedView.objects.create(
        owner=actor, name=_name(name), query=(query or "")[:1000], shared=shared
    )
    log.info("saved_view", action="created", view=view.pk, actor=actor.pk, shared=shared)
    return view


@transaction.atomic
def do_delete_view(actor: User, view: SavedView) -> None:
    """Only its owner (or a manager, for a shared view) deletes a view."""
    _require_staff(actor)
    if view.owner_id != actor.pk and not (view.shared and actor.is_manager):
        raise NotFound("view")
    log.info("saved_view", action="deleted", view=view.pk, actor=actor.pk)
    view.delete()


@transaction.atomic
def do_save_macro(actor: User, macro: Macro | None = None, **fields) -> Macro:
    """Create (``macro`` None) or change one of the agent's macros; a shared macro may be
    changed by its owner or a manager."""
    _require_staff(actor)
    if macro is not None and macro.owner_id != actor.pk and not actor.is_manager:
        raise NotFound("macro")
    fields["name"] = _name(fields.get("name", ""))
    if not (fields.get("body") or "").strip():
        raise ActionError("body", "required", "a macro needs the text of its reply")
    if macro is None:
        macro = Macro(owner=actor)
    for key, value in fields.items():
        setattr(macro, key, value)
    macro.save()
    log.info("macro", action="saved", macro=macro.pk, actor=actor.pk)
    return macro


@transaction.atomic
def do_delete_macro(actor: User, macro: Macro) -> None:
    _require_staff(actor)
    if macro.owner_id != actor.pk and not actor.is_manager:
        raise NotFound("macro")
    log.info("macro", action="deleted", macro=macro.pk, actor=actor.pk)
    macro.delete()


@transaction.atomic
def do_read_notifications(actor: User, *, now=None) -> Inbox:
    inbox, _created = Inbox.objects.get_or_create(user=actor)
    inbox.read_at = now or timezone.now()
    inbox.save(update_fields=["read_at"])
    return inbox
