"""Each clock keeps its paused time beside its segments (``clock_fields``), so the reports
sum a column instead of reading every clock's segments. Existing clocks are filled from their
stored segments: in one statement on PostgreSQL, a batch at a time elsewhere."""

import datetime as dt

from django.db import migrations, models

FILL_POSTGRES = """
UPDATE tickets_slaclock c SET paused_seconds = p.seconds
FROM (
    SELECT c.id, sum(EXTRACT(EPOCH FROM ((s->>'end')::timestamptz - (s->>'start')::timestamptz)))
               AS seconds
    FROM tickets_slaclock c, jsonb_array_elements(c.segments) s
    WHERE s->>'kind' = 'paused' AND NOT COALESCE((s->>'projected')::boolean, false)
      AND s->>'start' IS NOT NULL AND s->>'end' IS NOT NULL
    GROUP BY c.id
) p
WHERE c.id = p.id
"""


def paused(segments) -> float:
    return sum(
        (
            dt.datetime.fromisoformat(s["end"]) - dt.datetime.fromisoformat(s["start"])
        ).total_seconds()
        for s in segments or ()
        if s.get("kind") == "paused" and not s.get("projected") and s.get("start") and s.get("end")
    )


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL_POSTGRES)
        return
    SlaClock = apps.get_model("tickets", "SlaClock")
    batch = []
    for clock in SlaClock.objects.only("segments").iterator(chunk_size=2000):
        clock.paused_seconds = paused(clock.segments)
        if clock.paused_seconds:
            batch.append(clock)
        if len(batch) == 2000:
            SlaClock.objects.bulk_update(batch, ["paused_seconds"])
            batch = []
    SlaClock.objects.bulk_update(batch, ["paused_seconds"])


class Migration(migrations.Migration):
    dependencies = [("tickets", "0010_ticketcc")]

    operations = [
        migrations.AddField(
            model_name="slaclock", name="paused_seconds", field=models.FloatField(default=0)
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
