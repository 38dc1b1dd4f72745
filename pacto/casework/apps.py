from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "pacto.casework"
    label = "casework"
    verbose_name = "Casework: corrections and policy rules on a ticket"
