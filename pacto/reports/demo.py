"""Demo data for reports and satisfaction (``pacto demo``), after the tickets are built.

- Every solved demo ticket already sent its requester a survey (the hook); here some are
  answered: most good, one bad with a reason and a comment, and one left unanswered, so
  the reports show a response rate below 100 %.
- Last month's customer report is stored for every demo customer on each of the five
  policies (Banco Azul/senhasegura, Verde Energia/secpod, Xisto/xecuritas, Lumen
  Seguros/allure, Casa Andina Varejo/andmoney), so the portal lists a PDF.
"""

from __future__ import annotations

import datetime as dt

from pacto.accounts.models import Organization
from pacto.reports.actions import do_run_customer_report
from pacto.reports.models import Survey
from pacto.reports.surveys import do_answer_survey


def load(demo) -> None:
    now = demo.now
    surveys = list(Survey.objects.filter(ticket__organization__in=demo.orgs.values()))
    for index, survey in enumerate(sorted(surveys, key=lambda s: s.ticket_id)):
        if index % 4 == 3:
            continue  # unanswered
        if index == 1:
            do_answer_survey(
                survey, rating="bad", reason="slow", comment="The first answer took a day.",
                now=now - dt.timedelta(hours=2),
            )  # fmt: skip
        else:
            do_answer_survey(survey, rating="good", now=now - dt.timedelta(hours=1))
    local = now
    last = local.replace(day=1) - dt.timedelta(days=1)
    month = f"{last.year:04d}-{last.month:02d}"
    for organization in demo.orgs.values():
        if organization.kind == Organization.Kind.CUSTOMER and organization.contracts.exists():
            do_run_customer_report(organization, month, now=now)
