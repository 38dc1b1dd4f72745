from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "pacto.notifications"
    label = "notifications"
    verbose_name = "Notifications outbox"
