"""``pacto link_catalogue``: link free-text inventory lines and open tickets to the catalogue."""

from django.core.management.base import BaseCommand

from pacto.automation.actions import system_user
from pacto.catalog.linking import link_free_text


class Command(BaseCommand):
    help = "Link free-text contract products and ticket versions to the product catalogue."

    def handle(self, *args, **options):
        linked = link_free_text(system_user())
        self.stdout.write(
            f"Linked {linked.inventory_lines} inventory lines and {linked.tickets} open tickets."
        )
