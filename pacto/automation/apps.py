from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "pacto.automation"
    label = "automation"
    verbose_name = _("Escalations, lifecycle automation and on-call paging")

    def ready(self) -> None:
        # Ticket events schedule lifecycle timers and start pages in the transaction of the
        # change that caused them (see pacto/automation/hooks.py).
        from pacto.automation import hooks

        hooks.connect()
