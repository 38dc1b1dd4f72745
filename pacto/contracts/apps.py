from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "pacto.contracts"
    label = "contracts"
    verbose_name = "Contracts and policies"
