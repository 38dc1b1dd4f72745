from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "pacto.reports"
    verbose_name = "Reports and satisfaction surveys"

    def ready(self) -> None:
        # The monthly send registers with huey, the survey with the ticket events, and the
        # e-mail texts with the notification layer, when Django starts.
        from pacto.reports import hooks, jobs, notices  # noqa: F401

        notices.register()
        hooks.connect()
