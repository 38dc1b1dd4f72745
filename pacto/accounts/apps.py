from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pacto.accounts"
    label = "accounts"
    verbose_name = "Organizations, people and access"
