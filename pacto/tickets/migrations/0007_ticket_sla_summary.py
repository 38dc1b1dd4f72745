"""The tickets' SLA summary columns (what the console's queue orders and counts by), filled
from the stored clocks."""

from itertools import groupby

from django.db import migrations, models


# SQLite adds a NOT NULL column by copying the table, which drops its triggers: the subjects'
# full-text index (``0004_search``) is kept by triggers on ``tickets_ticket``, so they are
# made again and the index refilled.
SQLITE_SUBJECT_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS tickets_ticket_fts_insert AFTER INSERT ON tickets_ticket
    BEGIN
        INSERT INTO tickets_ticket_fts(rowid, subject) VALUES (new.id, new.subject);
    END""",
    """CREATE TRIGGER IF NOT EXISTS tickets_ticket_fts_update AFTER UPDATE OF subject
    ON tickets_ticket BEGIN
        DELETE FROM tickets_ticket_fts WHERE rowid = old.id;
        INSERT INTO tickets_ticket_fts(rowid, subject) VALUES (new.id, new.subject);
    END""",
    """CREATE TRIGGER IF NOT EXISTS tickets_ticket_fts_delete AFTER DELETE ON tickets_ticket
    BEGIN
        DELETE FROM tickets_ticket_fts WHERE rowid = old.id;
    END""",
    "DELETE FROM tickets_ticket_fts",
    "INSERT INTO tickets_ticket_fts(rowid, subject) SELECT id, subject FROM tickets_ticket",
]


def subject_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_SUBJECT_TRIGGERS:
            schema_editor.execute(sql)


def fill(apps, schema_editor):
    from pacto.tickets.clocks import SUMMARY_FIELDS, sla_summary

    Ticket = apps.get_model("tickets", "Ticket")
    SlaClock = apps.get_model("tickets", "SlaClock")
    clocks = SlaClock.objects.order_by("ticket_id").iterator(chunk_size=2000)
    changed = []
    for ticket_id, mine in groupby(clocks, key=lambda c: c.ticket_id):
        changed.append(Ticket(pk=ticket_id, **sla_summary(list(mine))))
        if len(changed) >= 1000:
            Ticket.objects.bulk_update(changed, SUMMARY_FIELDS)
            changed = []
    Ticket.objects.bulk_update(changed, SUMMARY_FIELDS)


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0006_alter_ticketevent_kind'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='sla_breached',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='ticket',
            name='sla_due_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='ticket',
            name='sla_exempt',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='ticket',
            name='sla_risk_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['status_category', 'sla_due_at'], name='ticket_queue_due'),
        ),
        migrations.AddIndex(
            model_name='ticketevent',
            index=models.Index(fields=['kind', 'at'], name='tickets_tic_kind_b49248_idx'),
        ),
        migrations.RunPython(subject_triggers, migrations.RunPython.noop),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
