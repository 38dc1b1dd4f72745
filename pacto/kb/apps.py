from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "pacto.kb"
    label = "kb"
    verbose_name = "Knowledge base and deflection"

    def ready(self) -> None:
        # Registers the scheduled-publishing task with huey (the worker's scheduler runs it).
        from pacto.kb import jobs  # noqa: F401
