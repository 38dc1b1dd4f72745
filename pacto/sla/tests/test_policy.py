"""Loading and validating policy files: every error names the file, the field path and the
rule that was broken; presets load by name, policy files by path."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from pacto.sla.policy import (
    SCHEMA_ID,
    Metric,
    Policy,
    PolicyError,
    TicketFacts,
    json_schema,
    load_policy,
    loads_policy,
    preset,
    preset_names,
)
from pacto.sla.units import Duration

PARIS = ZoneInfo("Europe/Paris")

BASE: dict[str, Any] = {
    "schema": "pacto/policy/v1",
    "id": "acme",
    "version": "1",
    "title": "Acme support policy",
    "vendor": "Acme",
    "source": "Acme support policy, 2026",
    "default_calendar": "business",
    "calendars": {
        "business": {"timezone": "Europe/Paris", "hours": {"mon-fri": ["09:00-17:00"]}},
        "always": {"timezone": "Europe/Paris", "hours": "24x7"},
    },
    "plans": [{"id": "standard", "name": "Standard"}],
    "severities": [
        {"id": "high", "name": "High", "definition": "A major function is unusable."},
        {"id": "low", "name": "Low", "definition": "A question."},
    ],
    "channels": ["portal", "email"],
    "statuses": [
        {"id": "new", "name": "New", "category": "new"},
        {"id": "open", "name": "Open", "category": "open"},
        {"id": "solved", "name": "Solved", "category": "solved"},
        {"id": "closed", "name": "Closed", "category": "closed"},
    ],
    "targets": [
        {"metric": "first_response", "when": {"severity": "high"}, "target": "4 business hours"},
        {"metric": "first_response", "when": {"severity": "low"}, "target": "2 business days"},
    ],
}


def policy_data(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


def write_policy(directory: Path, data: dict[str, Any], name: str = "acme.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load_error(tmp_path: Path, data: dict[str, Any]) -> list[str]:
    """The lines of the error message of loading ``data`` from ``acme.yaml``."""
    path = write_policy(tmp_path, data)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    return str(caught.value).splitlines()


# ----------------------------------------------------------------------------- valid files


def test_the_base_policy_of_these_tests_loads(tmp_path: Path) -> None:
    policy = load_policy(write_policy(tmp_path, policy_data()))
    assert isinstance(policy, Policy)
    assert policy.key == "acme@1"


def test_a_preset_loads_by_its_name() -> None:
    policy = load_policy("xecuritas")
    assert policy.id == "xecuritas"
    assert policy is preset("xecuritas")


def test_every_preset_name_is_one_of_the_five_documents() -> None:
    assert preset_names() == ["allure", "andmoney", "secpod", "senhasegura", "xecuritas"]


def test_a_policy_file_loads_by_its_path(tmp_path: Path) -> None:
    path = write_policy(tmp_path / "policies", policy_data(id="acme-eu", version="2"))
    policy = load_policy(path)
    assert policy.key == "acme-eu@2"
    assert load_policy(str(path)).key == "acme-eu@2"


def test_a_policy_file_may_be_json_since_json_is_yaml(tmp_path: Path) -> None:
    path = tmp_path / "acme.json"
    path.write_text(json.dumps(policy_data()), encoding="utf-8")
    assert load_policy(path).id == "acme"


def test_a_missing_policy_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"nothere\.yaml: no such policy file"):
        load_policy(tmp_path / "nothere.yaml")


def test_an_unknown_preset_name_lists_the_presets() -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy("zendesk")
    message = str(caught.value)
    assert "'zendesk' is neither a preset" in message
    assert "senhasegura" in message and "xecuritas" in message


def test_a_warning_share_stays_a_share_and_a_duration_stays_a_duration(tmp_path: Path) -> None:
    data = policy_data()
    data["targets"][0]["warn_at"] = [0.5, "3 business hours"]
    policy = load_policy(write_policy(tmp_path, data))
    share, duration = policy.targets[0].warn_at
    assert share == 0.5
    assert duration == Duration.parse("3 business hours")


# ----------------------------------------------------------------------------- errors


def test_an_undefined_calendar_in_a_target_names_the_row_and_the_defined_calendars(
    tmp_path: Path,
) -> None:
    data = policy_data()
    data["targets"][1]["calendar"] = "bussiness"
    assert load_error(tmp_path, data) == [
        "acme.yaml: targets[1].calendar: calendar 'bussiness' is not defined "
        "(defined: business, always)"
    ]


def test_an_unknown_severity_in_when_names_the_field_path(tmp_path: Path) -> None:
    data = policy_data()
    data["targets"][0]["when"] = {"severity": ["high", "urgent"]}
    assert load_error(tmp_path, data) == [
        "acme.yaml: targets[0].when.severity: severity 'urgent' is not defined (defined: high, low)"
    ]


def test_every_broken_reference_is_reported_on_its_own_line(tmp_path: Path) -> None:
    data = policy_data(default_calendar="office")
    data["targets"][0]["when"] = {"plan": "gold"}
    assert load_error(tmp_path, data) == [
        "acme.yaml: default_calendar: calendar 'office' is not defined (defined: business, always)",
        "acme.yaml: targets[0].when.plan: plan 'gold' is not defined (defined: standard)",
    ]


def test_a_duration_that_is_not_a_number_and_a_unit_is_refused(tmp_path: Path) -> None:
    data = policy_data()
    data["targets"][0]["target"] = "two hours"
    [line] = load_error(tmp_path, data)
    assert line.startswith("acme.yaml: targets[0].target: duration 'two hours' is not a number")
    assert "business days or calendar days" in line


def test_an_unknown_time_zone_names_the_calendar(tmp_path: Path) -> None:
    data = policy_data()
    data["calendars"]["business"]["timezone"] = "Europe/Pariss"
    assert load_error(tmp_path, data) == [
        "acme.yaml: calendars.business: calendar 'business': unknown time zone 'Europe/Pariss'"
    ]


def test_an_interval_without_minutes_like_9_17_is_refused(tmp_path: Path) -> None:
    data = policy_data()
    data["calendars"]["business"]["hours"] = {"mon-fri": ["9-17"]}
    assert load_error(tmp_path, data) == [
        "acme.yaml: calendars.business: working interval '9-17' is not of the form HH:MM-HH:MM"
    ]


def test_an_unknown_top_level_field_is_refused(tmp_path: Path) -> None:
    data = policy_data(sla={"high": "4h"})
    assert load_error(tmp_path, data) == ["acme.yaml: sla: Extra inputs are not permitted"]


def test_an_unknown_field_deep_in_a_target_names_its_path(tmp_path: Path) -> None:
    data = policy_data()
    data["targets"][1]["when"] = {"priority": "low"}
    assert load_error(tmp_path, data) == [
        "acme.yaml: targets[1].when.priority: Extra inputs are not permitted"
    ]


def test_a_policy_without_a_closed_status_is_refused(tmp_path: Path) -> None:
    data = policy_data()
    data["statuses"] = [s for s in data["statuses"] if s["category"] != "closed"]
    assert load_error(tmp_path, data) == ["acme.yaml: statuses: no status has category 'closed'"]


def test_duplicate_status_ids_are_refused(tmp_path: Path) -> None:
    data = policy_data()
    data["statuses"][1]["id"] = "new"
    assert load_error(tmp_path, data) == ["acme.yaml: statuses: status ids must be unique: new"]


def test_paging_from_a_channel_the_policy_does_not_offer_is_refused(tmp_path: Path) -> None:
    data = policy_data(paging={"channels": ["phone"]})
    assert load_error(tmp_path, data) == [
        "acme.yaml: paging.channels: channel 'phone' is not defined (defined: portal, email, api)"
    ]


def test_followups_without_a_reminder_interval_are_refused(tmp_path: Path) -> None:
    data = policy_data(
        lifecycle=[
            {"id": "auto-solve", "from_status": "open", "to_status": "solved", "followups": 3}
        ]
    )
    [line] = load_error(tmp_path, data)
    assert line == "acme.yaml: lifecycle[0]: 'followups' needs 'remind_every' (how often to remind)"


def test_text_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(PolicyError, match=r"^x\.yaml: \(top level\): a policy is a mapping"):
        loads_policy("- just\n- a list\n", "x.yaml")


def test_text_that_is_not_yaml_is_refused() -> None:
    with pytest.raises(PolicyError, match=r"^x\.yaml: not valid YAML"):
        loads_policy("id: [unclosed\n", "x.yaml")


# ----------------------------------------------------------------------------- schema


def test_the_json_schema_is_valid_json_with_its_id() -> None:
    schema = json.loads(json_schema())
    assert schema["$id"] == SCHEMA_ID == "pacto/policy/v1"
    assert schema["title"] == "Pacto support policy"
    assert {"schema", "calendars", "targets", "statuses", "lifecycle"} <= set(schema["properties"])
    assert "Target" in schema["$defs"]
    assert schema["additionalProperties"] is False


# ----------------------------------------------------------------------------- iCal holidays

ICAL = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Acme//Closures//EN
BEGIN:VEVENT
UID:company-day-2026@acme
DTSTART;VALUE=DATE:20260814
DTEND;VALUE=DATE:20260815
SUMMARY:Company day
END:VEVENT
BEGIN:VEVENT
UID:founders-day@acme
DTSTART;VALUE=DATE:20200302
DTEND;VALUE=DATE:20200303
RRULE:FREQ=YEARLY
SUMMARY:Founders day
END:VEVENT
END:VCALENDAR
"""


def test_an_ical_holiday_file_is_read_relative_to_the_policy_file(tmp_path: Path) -> None:
    directory = tmp_path / "policies"
    directory.mkdir()
    (directory / "closures.ics").write_text(ICAL, encoding="utf-8")
    data = policy_data()
    data["calendars"]["business"]["holidays"] = {"ical": "closures.ics"}
    policy = load_policy(write_policy(directory, data))
    calendar = policy.calendar("business")
    assert calendar.holiday_name(dt.date(2026, 8, 14)) == "Company day"
    assert calendar.holiday_name(dt.date(2027, 3, 2)) == "Founders day"  # yearly recurrence
    assert not calendar.is_holiday(dt.date(2026, 8, 13))
    # High: 4 business hours from Thursday 13 August 2026 16:00 Paris: 1 h on Thursday, the
    # company day on Friday is closed, 3 h on Monday 17 August from 09:00 -> 12:00.
    target = policy.target_for(Metric.FIRST_RESPONSE, TicketFacts(severity="high"))
    assert target is not None and target.target is not None
    opened = dt.datetime(2026, 8, 13, 16, 0, tzinfo=PARIS)
    due = calendar.add(opened, target.target.length(calendar))
    assert due == dt.datetime(2026, 8, 17, 12, 0, tzinfo=PARIS)


def test_a_missing_ical_file_names_the_calendar(tmp_path: Path) -> None:
    data = policy_data()
    data["calendars"]["business"]["holidays"] = {"ical": "missing.ics"}
    [line] = load_error(tmp_path, data)
    assert line.startswith("acme.yaml: calendars.business: ")
    assert "missing.ics" in line
