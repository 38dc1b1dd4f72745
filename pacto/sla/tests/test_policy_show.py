"""``pacto policy show NAME`` prints every part of a policy in plain words."""

from __future__ import annotations

import pytest

from pacto.sla.cli import SECTIONS, main, section_title
from pacto.sla.policy import Policy, preset_names


def show(capsys, name: str) -> str:
    assert main(["policy", "show", name]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("name", preset_names())
def test_policy_show_prints_every_part_of_every_preset(capsys, name):
    out = show(capsys, name)
    lines = out.splitlines()
    for field in SECTIONS:
        assert section_title(field) in lines, field
    # A part added to the policy format later shows too, under its own heading.
    shown_with_others = {"schema_", "id", "version", "title", "vendor", "source", "languages"}
    shown_with_others |= {"default_calendar", "excluded_channels", "default_severity"}
    shown_with_others |= {"working_status", "working_status_cite"}
    for field in Policy.model_fields:
        if field not in shown_with_others:
            assert section_title(field) in lines, field


def test_policy_show_says_how_secpod_runs_its_ticket_categories(capsys):
    out = show(capsys, "secpod")
    assert "  takes tickets by: portal, email, api" in out
    assert "  refuses: phone" in out
    assert "after 3 follow-ups every 1 business day (agents' follow-ups count)" in out
    assert "a customer reply reopens the ticket" in out
    assert "when the vendor has to act, the ticket goes to pending" in out
    assert "periodic_update — every ticket: 1 business day on weekdays" in out


def test_policy_show_names_xecuritas_holidays_rules_and_allure_second_line(capsys):
    assert "4th thu of month 11 Thanksgiving Day" in show(capsys, "xecuritas")
    out = show(capsys, "allure")
    assert "only an agent moves a ticket to second line, with the reason" in out
    assert "second line when: First line support" in out


def test_policy_show_says_which_parts_pacto_does_not_act_on_yet(capsys):
    out = show(capsys, "andmoney")
    assert "target percent: 99.5" in out
    assert "(recorded; the availability measurement and report act on it)" in out


def test_policy_show_prints_who_records_what_checklists_and_close_agreement(capsys):
    out = show(capsys, "xecuritas")
    assert "  initial_recommendation: the engineer, before the first response" in out
    assert "  workaround: the engineer, before solving" in out
    assert "    1. Review and verify system configuration" in out
    assert "lifecycle rules that close regardless: close-no-response" in out
    assert "stops and exempts, and the customer is told: resolution" in out


def test_policy_show_prints_senhasegura_scope_rca_and_senior_routing(capsys):
    out = show(capsys, "senhasegura")
    assert "  data-migration: Data migration (OUT of scope, refers to professional services)" in out
    assert "opens a linked problem ticket at medium" in out
    assert "go to the senior queue and are offered to senior engineers first" in out
    assert "may mark a breach exempt: severity misassigned" in show(capsys, "allure")
