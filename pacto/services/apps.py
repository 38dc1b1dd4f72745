from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "pacto.services"
    label = "services"
    verbose_name = "Professional services"

    def ready(self) -> None:
        # The notification texts of this app's kinds, and its periodic sweep (remote
        # sessions running over the policy's limit), register when Django starts.
        from pacto.services import jobs, notices  # noqa: F401

        notices.register()
