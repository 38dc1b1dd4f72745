"""Satisfaction surveys: sent on solved, answered by signed link without signing in, once per
ticket, changeable for 7 days, and counted in the reports."""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.test import Client

from pacto.notifications.models import Outbox
from pacto.reports.figures import Period
from pacto.reports.models import Survey
from pacto.reports.surveys import SALT, csat_figures, do_answer_survey, survey_url
from pacto.reports.tests.conftest import client_for, sp
from pacto.tickets.actions import do_change_status, do_reopen


def path_of(survey: Survey) -> str:
    return "/" + survey_url(survey).split("/", 3)[3]


def test_solving_a_ticket_sends_its_requester_one_survey(world, january):
    quick = january["quick"]

    survey = Survey.objects.get(ticket=quick)
    rows = Outbox.objects.filter(kind="satisfaction_survey")

    assert survey.requester == world.alice
    assert [r.recipient for r in rows] == ["alice@azul.example"]
    assert rows[0].payload["url"] == survey_url(survey)
    assert Survey.objects.count() == 1  # the other tickets are not solved


def test_a_reopened_and_solved_again_ticket_keeps_its_one_survey(world, january):
    quick = january["quick"]
    do_reopen(world.alice, quick, reason="It came back", now=sp("2026-01-21 09:00"))
    solved = world.azul_contract.policy.status_for("solved").id
    do_change_status(world.fiona, quick, solved, now=sp("2026-01-21 10:00"))

    assert Survey.objects.filter(ticket=quick).count() == 1
    assert Outbox.objects.filter(kind="satisfaction_survey").count() == 1


def test_the_link_works_without_signing_in_and_the_answer_can_change_for_7_days(world, january):
    survey = Survey.objects.get(ticket=january["quick"])
    anonymous = Client(HTTP_HOST="localhost")

    page = anonymous.get(path_of(survey))
    good = anonymous.post(path_of(survey), {"rating": "good", "comment": "Fast!"})
    changed = anonymous.post(path_of(survey), {"rating": "bad", "reason": "not_solved"})

    assert page.status_code == 200 and "Quick" in page.content.decode()
    assert good.status_code == 200 and changed.status_code == 200
    survey.refresh_from_db()
    assert (survey.rating, survey.reason) == ("bad", "not_solved")
    assert survey.changed_at is not None
    later = survey.answered_at + dt.timedelta(days=7, minutes=1)
    try:
        do_answer_survey(survey, rating="good", now=later)
        raise AssertionError("the answer is final after 7 days")
    except Exception as error:
        assert getattr(error, "rule", "") == "answer_final"


def test_a_link_does_not_open_another_ticket_s_survey_nor_an_altered_one(world, january):
    survey = Survey.objects.get(ticket=january["quick"])
    anonymous = Client(HTTP_HOST="localhost")
    other_ticket = signing.Signer(salt=SALT).sign_object({"t": january["late"].pk, "s": survey.pk})
    token = path_of(survey).split("/")[2]

    assert anonymous.get(f"/survey/{other_ticket}/").status_code == 404
    assert anonymous.get(f"/survey/{token[:-2]}xx/").status_code == 404
    assert anonymous.post(f"/survey/{other_ticket}/", {"rating": "bad"}).status_code == 404


def test_a_bad_answer_is_a_form_error(world, january):
    survey = Survey.objects.get(ticket=january["quick"])

    response = Client(HTTP_HOST="localhost").post(path_of(survey), {"rating": "meh"})

    assert response.status_code == 422
    assert "good or bad" in response.content.decode()


def test_the_survey_speaks_the_requester_s_language(world, january):
    world.alice.language = "pt-br"
    world.alice.save(update_fields=["language"])
    survey = Survey.objects.get(ticket=january["quick"])

    page = Client(HTTP_HOST="localhost").get(path_of(survey)).content.decode()

    assert "Como foi o nosso atendimento?" in page


def test_the_agent_sees_the_answer_on_the_ticket_and_the_reports_count_it(world, january):
    survey = Survey.objects.get(ticket=january["quick"])
    do_answer_survey(survey, rating="good", reason="", comment="Fast!", now=sp("2026-01-21 09:00"))

    page = client_for(world.fiona).get(f"/console/tickets/{january['quick'].pk}/")
    figures = csat_figures(Period.parse("2026-01", "America/Sao_Paulo"), organization=world.azul)

    assert "Fast!" in page.content.decode()
    assert figures["total"]["sent"] == 1
    assert figures["total"]["response_rate_percent"] == 100.0
    assert figures["total"]["good_percent"] == 100.0
    assert csat_figures(Period.parse("2026-01"), organization=world.verde)["total"]["sent"] == 0
