from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    """The vendor's pages: queues, the agent's ticket page, the manager's dashboard."""

    name = "pacto.console"
    verbose_name = _("Agent console")
