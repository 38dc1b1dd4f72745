"""On PostgreSQL the groups are computed by one query (a speed-up): same figures as Python."""

from __future__ import annotations

import pytest

from pacto.reports import figures_sql
from pacto.reports.figures import Period, sla_figures
from pacto.reports.tests.test_sla_figures import exempt_lumen_breach

JANUARY = Period.parse("2026-01", "America/Sao_Paulo")


@pytest.mark.postgres
@pytest.mark.parametrize(
    "group_by",
    [
        (),
        ("severity",),
        ("severity", "plan", "organization"),
        ("agent", "channel", "month"),
        ("category", "contract"),
    ],
)
def test_the_database_s_groups_equal_the_python_count(world, january, group_by):
    for organization in (None, world.azul):
        fast = sla_figures(JANUARY, organization=organization, group_by=group_by)
        slow = sla_figures(JANUARY, organization=organization, group_by=group_by, force_python=True)

        assert figures_sql.usable(fast["group_by"])  # the database's path was taken
        assert fast["metrics"] == slow["metrics"]
        assert fast["breaches"] == slow["breaches"]
        assert fast["policy_versions"] == slow["policy_versions"]


@pytest.mark.postgres
def test_the_database_counts_exempt_breaches_apart_as_python_does(world):
    organization, _ticket = exempt_lumen_breach(world)
    for scope in (None, organization):
        fast = sla_figures(JANUARY, organization=scope, group_by=("severity", "category"))
        slow = sla_figures(JANUARY, organization=scope, group_by=("severity", "category"),
                           force_python=True)  # fmt: skip

        assert fast["metrics"] == slow["metrics"]
        assert fast["breaches"] == slow["breaches"]
        assert fast["metrics"]["first_response"]["total"]["exempt_breaches"] == 1
