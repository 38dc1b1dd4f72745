"""Ticket search (``pacto.tickets.search``): an index of ``updated_at`` for the console's
"changed since" check, and the full-text indexes, in each database's own way.

SQLite: FTS5 tables ``tickets_message_fts`` (message bodies, rowid = message id) and
``tickets_ticket_fts`` (subjects, rowid = ticket id), ``unicode61 remove_diacritics 2`` with
prefix indexes, kept in step by triggers and filled from the rows already there.

PostgreSQL: the ``unaccent`` extension and a ``pacto_simple`` configuration (unaccent, then
no stemming: messages come in any language), with GIN expression indexes on the bodies and
subjects.
"""

import django.utils.timezone
from django.db import migrations, models

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE tickets_message_fts USING fts5(
        body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
    )""",
    """CREATE VIRTUAL TABLE tickets_ticket_fts USING fts5(
        subject, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
    )""",
    """CREATE TRIGGER tickets_message_fts_insert AFTER INSERT ON tickets_message BEGIN
        INSERT INTO tickets_message_fts(rowid, body) VALUES (new.id, new.body_text);
    END""",
    """CREATE TRIGGER tickets_message_fts_update AFTER UPDATE OF body_text ON tickets_message
    BEGIN
        DELETE FROM tickets_message_fts WHERE rowid = old.id;
        INSERT INTO tickets_message_fts(rowid, body) VALUES (new.id, new.body_text);
    END""",
    """CREATE TRIGGER tickets_message_fts_delete AFTER DELETE ON tickets_message BEGIN
        DELETE FROM tickets_message_fts WHERE rowid = old.id;
    END""",
    """CREATE TRIGGER tickets_ticket_fts_insert AFTER INSERT ON tickets_ticket BEGIN
        INSERT INTO tickets_ticket_fts(rowid, subject) VALUES (new.id, new.subject);
    END""",
    """CREATE TRIGGER tickets_ticket_fts_update AFTER UPDATE OF subject ON tickets_ticket
    BEGIN
        DELETE FROM tickets_ticket_fts WHERE rowid = old.id;
        INSERT INTO tickets_ticket_fts(rowid, subject) VALUES (new.id, new.subject);
    END""",
    """CREATE TRIGGER tickets_ticket_fts_delete AFTER DELETE ON tickets_ticket BEGIN
        DELETE FROM tickets_ticket_fts WHERE rowid = old.id;
    END""",
    "INSERT INTO tickets_message_fts(rowid, body) SELECT id, body_text FROM tickets_message",
    "INSERT INTO tickets_ticket_fts(rowid, subject) SELECT id, subject FROM tickets_ticket",
]
SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS tickets_{table}_fts_{event}"
        for table in ("message", "ticket")
        for event in ("insert", "update", "delete")
    ),
    "DROP TABLE IF EXISTS tickets_message_fts",
    "DROP TABLE IF EXISTS tickets_ticket_fts",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'pacto_simple') THEN
            CREATE TEXT SEARCH CONFIGURATION pacto_simple (COPY = simple);
            ALTER TEXT SEARCH CONFIGURATION pacto_simple
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
        END IF;
    END $$""",
    """CREATE INDEX tickets_message_search_gin ON tickets_message
        USING gin (to_tsvector('pacto_simple'::regconfig, body_text))""",
    """CREATE INDEX tickets_ticket_search_gin ON tickets_ticket
        USING gin (to_tsvector('pacto_simple'::regconfig, subject))""",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS tickets_message_search_gin",
    "DROP INDEX IF EXISTS tickets_ticket_search_gin",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0003_catalogue_references"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ticket",
            name="updated_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="ticketevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("opened", "Opened"),
                    ("status", "Status"),
                    ("severity", "Severity"),
                    ("agent_reply", "Agent Reply"),
                    ("customer_reply", "Customer Reply"),
                    ("note", "Note"),
                    ("assigned", "Assigned"),
                    ("line", "Line"),
                    ("escalated", "Escalated"),
                    ("severity_request", "Severity Request"),
                    ("severity_declined", "Severity Declined"),
                    ("confirmed", "Confirmed"),
                    ("reopened", "Reopened"),
                    ("access_granted", "Access Granted"),
                    ("work_logged", "Work Logged"),
                    ("clock_breached", "Clock Breached"),
                    ("attached", "Attached"),
                    ("version", "Version"),
                    ("known_issue", "Known Issue"),
                    ("engineering", "Engineering"),
                ],
                max_length=24,
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
