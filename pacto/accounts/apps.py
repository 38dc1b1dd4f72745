from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_table(sender, using="default", verbosity=1, **kwargs) -> None:
    """The database cache (rate limits shared by every web process, see settings.py) needs
    its table; ``pacto migrate`` creates it, as it does every other table."""
    from django.conf import settings
    from django.core.management import call_command

    if any(c["BACKEND"].endswith("DatabaseCache") for c in settings.CACHES.values()):
        call_command("createcachetable", database=using, verbosity=0)


class AccountsConfig(AppConfig):
    name = "pacto.accounts"
    label = "accounts"
    verbose_name = "Organizations, people and access"

    def ready(self) -> None:
        post_migrate.connect(create_cache_table, sender=self)
