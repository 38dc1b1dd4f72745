"""Administrators made by ``do_create_staff`` before it set ``is_superuser`` had a staff flag
and no permission: the admin opened empty and every "add" answered 403."""

from django.db import migrations


def administrators_are_superusers(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(role="admin").update(is_staff=True, is_superuser=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_merge_20261202_0236")]

    operations = [migrations.RunPython(administrators_are_superusers, migrations.RunPython.noop)]
