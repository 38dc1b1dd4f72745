"""The indexes the monthly reports need on PostgreSQL (see pacto/reports/figures_sql.py).

- ``reports_clock_span``: GiST on each live clock's span, from its start to its last verdict
  (unbounded while undecided), so the clocks that matter to a month are an index search.
- ``reports_ticket_solved``: tickets solved in a month (reopen rate, first-contact resolution).
- ``reports_ticket_closed``: tickets not closed by a month's end (the backlog).

They are on the tickets app's tables but exist for the reports alone, so they live here.
On SQLite nothing is created (the figures are counted in Python there).
"""

from django.db import migrations

SPAN = "tstzrange(started_at, COALESCE(GREATEST(met_at, breached_at), 'infinity'), '[]')"
CREATE = [
    "CREATE INDEX IF NOT EXISTS reports_clock_span ON tickets_slaclock USING gist "
    f"(({SPAN})) WHERE state IN ('running', 'paused', 'met', 'breached')",
    "CREATE INDEX IF NOT EXISTS reports_ticket_solved ON tickets_ticket (solved_at) "
    "WHERE solved_at IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS reports_ticket_closed ON tickets_ticket (closed_at)",
]
DROP = [
    "DROP INDEX IF EXISTS reports_clock_span",
    "DROP INDEX IF EXISTS reports_ticket_solved",
    "DROP INDEX IF EXISTS reports_ticket_closed",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("tickets", "0001_initial")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
