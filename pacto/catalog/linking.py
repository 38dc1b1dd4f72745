"""Pointing free-text products and versions at the catalogue (``pacto link_catalogue``).

Before the catalogue, a contract's products and a ticket's product and version were free
text. Once the vendor's products are in the catalogue, inventory lines whose product and
module carry a catalogue name are linked to that module, and open tickets whose version
names a catalogue version of their contract's inventory are linked to it (an event in each
ticket's history says so). Anything that matches nothing keeps its free text and works as
before. Sits above tickets, beside ``notices``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pacto.accounts.models import User
from pacto.catalog.actions import find_version
from pacto.catalog.models import Module
from pacto.contracts.actions import link_free_text_inventory
from pacto.tickets.actions import do_set_product_version
from pacto.tickets.models import Ticket


@dataclass
class Linked:
    inventory_lines: int
    tickets: int


def link_free_text(actor: User, *, now: dt.datetime | None = None) -> Linked:
    lines = link_free_text_inventory()
    tickets = 0
    unlinked = Ticket.objects.filter(product_version=None).exclude(version="")
    for ticket in unlinked.exclude(status_category="closed").select_related("contract"):
        modules = Module.objects.filter(inventory__contract=ticket.contract).select_related(
            "product"
        )
        version = find_version(modules, ticket.product, ticket.version)
        if version is None:
            continue
        do_set_product_version(
            actor, ticket, version, reason="linked to the product catalogue", now=now
        )
        tickets += 1
    return Linked(lines, tickets)
