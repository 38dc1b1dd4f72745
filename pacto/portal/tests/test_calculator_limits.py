"""The public SLA calculator answers every date a browser lets one type."""

from __future__ import annotations

from pacto.testing import client_for, text


def calculate(opened: str):
    return client_for().get(
        "/calculator/",
        {
            "policy": "allure", "plan": "saas", "severity": "sev1", "channel": "portal",
            "environment": "production", "type": "problem", "opened": opened,
        },
    )  # fmt: skip


def test_an_opening_time_at_the_end_of_year_9999_gets_a_clear_error(db):
    response = calculate("9999-12-25T10:00")

    assert response.status_code == 200
    assert "Pick an opening time between the years 1970 and 2999." in text(response)


def test_an_opening_time_in_year_one_gets_a_clear_error(db):
    response = calculate("0001-01-01T00:30")

    assert "Pick an opening time between the years 1970 and 2999." in text(response)


def test_the_last_year_the_calculator_answers_for_gets_due_times(db):
    response = calculate("2999-12-31T23:00")

    assert response.status_code == 200
    assert "Pick an opening time" not in text(response)
    assert "3000" in text(response)
