from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "pacto.mail"
    label = "mail"
    verbose_name = "Email channel"

    def ready(self) -> None:
        # Every email the outbox sends about a ticket threads (pacto/mail/outbound.py).
        from pacto.mail import outbound
        from pacto.notifications.render import email_headers

        email_headers.connect(outbound.add_thread_headers, dispatch_uid="pacto.mail.threading")
