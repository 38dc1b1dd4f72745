from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _store_presets(sender, using, plan=None, **kwargs) -> None:
    """After `pacto migrate`, every shipped preset is a stored policy version (see
    ``store_presets``); a migration to zero leaves nothing to store into."""
    from django.db import connections

    if "contracts_policyversion" not in connections[using].introspection.table_names():
        return
    from pacto.contracts.actions import store_presets

    store_presets()


class ContractsConfig(AppConfig):
    name = "pacto.contracts"
    label = "contracts"
    verbose_name = _("Contracts and policies")

    def ready(self) -> None:
        post_migrate.connect(_store_presets, sender=self, dispatch_uid="pacto.store_presets")
