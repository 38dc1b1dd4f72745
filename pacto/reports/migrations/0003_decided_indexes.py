"""The clocks decided in a month, by when they were decided (PostgreSQL only).

- ``reports_clock_met``: partial B-tree on the instant a clock was met, so the clocks met in
  a month are one index range (the GiST span index of 0002 then only finds the few running
  at the month's end).
- ``reports_clock_breached``: partial B-tree on the recorded breach instant (the few clocks
  ever breached), read in the order a report lists the breaches.

See pacto/reports/figures_sql.py.
"""

from django.db import migrations

CREATE = [
    "CREATE INDEX IF NOT EXISTS reports_clock_met ON tickets_slaclock (met_at) "
    "WHERE met_at IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS reports_clock_breached ON tickets_slaclock "
    "(breached_at, ticket_id, metric) WHERE breached_at IS NOT NULL",
]
DROP = ["DROP INDEX IF EXISTS reports_clock_met", "DROP INDEX IF EXISTS reports_clock_breached"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_report_indexes")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
