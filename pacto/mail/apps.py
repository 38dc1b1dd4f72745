from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "pacto.mail"
    label = "mail"
    verbose_name = "Email channel"

    def ready(self) -> None:
        from pacto.mail import outbound

        outbound.register_texts()
