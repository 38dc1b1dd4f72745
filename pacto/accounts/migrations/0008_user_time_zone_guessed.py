"""``User.time_zone_guessed``: whether the person's zone is a default nobody chose. Users
stored in UTC got the field's own default (before contacts took their organization's zone):
a guess. Any other stored zone cannot be told from one a person chose, so it counts as
chosen and the browser never replaces it."""

from django.db import migrations, models


def utc_is_a_guess(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(time_zone="UTC").update(time_zone_guessed=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_administrators_are_superusers")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="time_zone_guessed",
            field=models.BooleanField(default=False, verbose_name="time zone is a guess"),
        ),
        migrations.RunPython(utc_is_a_guess, migrations.RunPython.noop),
    ]
