from django.apps import AppConfig


class AvailabilityConfig(AppConfig):
    name = "pacto.availability"
    verbose_name = "Availability and hypercare"

    def ready(self) -> None:
        # The probe and hypercare schedules register with huey when Django starts, so the
        # worker's scheduler runs them without the worker knowing this app.
        from pacto.availability import jobs, notices  # noqa: F401

        notices.register()
