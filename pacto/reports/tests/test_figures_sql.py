"""On PostgreSQL the groups are computed by one query (a speed-up): same figures as Python."""

from __future__ import annotations

import pytest

from pacto.reports import figures_sql
from pacto.reports.figures import Period, sla_figures

JANUARY = Period.parse("2026-01", "America/Sao_Paulo")


@pytest.mark.postgres
@pytest.mark.parametrize(
    "group_by",
    [(), ("severity",), ("severity", "plan", "organization"), ("agent", "channel", "month")],
)
def test_the_database_s_groups_equal_the_python_count(world, january, group_by):
    for organization in (None, world.azul):
        fast = sla_figures(JANUARY, organization=organization, group_by=group_by)
        slow = sla_figures(JANUARY, organization=organization, group_by=group_by, force_python=True)

        assert figures_sql.usable(fast["group_by"])  # the database's path was taken
        assert fast["metrics"] == slow["metrics"]
        assert fast["breaches"] == slow["breaches"]
        assert fast["policy_versions"] == slow["policy_versions"]
