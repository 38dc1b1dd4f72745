from django.apps import AppConfig
from django.db.models.signals import post_migrate

CACHE_TABLE = "pacto_cache"  # settings.py: the database cache's LOCATION


def create_cache_table(sender, using="default", verbosity=1, **kwargs) -> None:
    """The database cache (rate limits shared by every web process, see settings.py) needs
    its table; ``pacto migrate`` creates it as it does every other table, whatever cache this
    one process uses (the test suite's is in memory; its web processes use the table)."""
    from django.core.management.commands.createcachetable import Command

    command = Command()
    command.verbosity = 0
    command.create_table(using, CACHE_TABLE, dry_run=False)


class AccountsConfig(AppConfig):
    name = "pacto.accounts"
    label = "accounts"
    verbose_name = "Organizations, people and access"

    def ready(self) -> None:
        post_migrate.connect(create_cache_table, sender=self)
