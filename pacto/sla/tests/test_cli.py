"""``pacto sla|calendar|policy``: the engine on the command line, run through ``main``.

Output is the public contract: ``sla due`` prints one JSON object with UTC ``Z`` instants,
``calendar add --input`` writes one JSON line per input line in order, errors are one line
``pacto: error: …`` on stderr with exit 1 (2 for usage errors and bad input lines).
"""

from __future__ import annotations

import io
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pacto.sla import cli
from pacto.sla import policy as policy_module
from pacto.sla.cli import main

SENHASEGURA = Path(policy_module.PRESETS) / "senhasegura.yaml"
ROOT = Path(__file__).resolve().parents[3]
THURSDAY_EVENING = "2026-11-19T20:00:00-03:00"  # Friday 20 November is a São Paulo holiday
HIGH_TICKET = ["sla", "due", "--policy", "senhasegura", "--plan", "standard-8x5"]
HIGH_TICKET += ["--severity", "high", "--opened", THURSDAY_EVENING]


def run(capsys, *argv: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ----------------------------------------------------------------------------- sla due


def test_sla_due_prints_when_a_high_ticket_opened_thursday_evening_needs_a_response(capsys):
    code, out, err = run(capsys, *HIGH_TICKET)
    assert (code, err) == (0, "")
    report = json.loads(out)

    assert report["policy"] == "senhasegura@7.0"
    assert report["response_due"] == "2026-11-23T16:00:00Z"  # Monday 13:00 in São Paulo
    assert report["resolution_due"] is None  # senhasegura promises no resolution time
    first = report["clocks"]["first_response"]
    assert first["state"] == "running"
    assert first["target"] == "4 business hours"
    assert first["calendar"] == "business"
    assert (first["due_at"], first["met_at"], first["breached_at"]) == (
        "2026-11-23T16:00:00Z",
        None,
        None,
    )
    assert (first["elapsed_seconds"], first["remaining_seconds"]) == (0, 4 * 3600)
    assert report["clocks"]["resolution"]["state"] == "no_target"
    assert report["explain"][0] == (
        "First response: due Mon 23 Nov 2026 13:00 -03 (16:00 UTC) — 4 business hours on business"
    )
    assert any("holiday Fri 20 Nov" in line for line in report["explain"])


def test_sla_due_replays_an_events_file_with_a_pause(capsys, tmp_path):
    events = tmp_path / "events.json"
    events.write_text(
        json.dumps(
            [
                {
                    "at": "2026-11-23T10:00:00-03:00",
                    "kind": "status",
                    "value": "waiting-on-customer",
                    "reason": "logs requested",
                },
                {"at": "2026-11-24T10:00:00-03:00", "kind": "status", "value": "open"},
            ]
        )
    )
    code, out, _ = run(capsys, *HIGH_TICKET, "--events", str(events))
    report = json.loads(out)

    # One hour on Monday, paused a day, three hours on Tuesday.
    assert code == 0
    assert report["response_due"] == "2026-11-24T16:00:00Z"
    assert report["clocks"]["first_response"]["elapsed_seconds"] == 3600
    assert any("paused: status Waiting on customer" in line for line in report["explain"])


def test_sla_due_reads_events_as_json_lines_on_stdin_and_reports_a_pause(capsys, monkeypatch):
    lines = (
        '{"at": "2026-11-23T10:00:00-03:00", "kind": "status", "value": "waiting-on-customer"}\n'
    )
    code, out, _ = run(capsys, *HIGH_TICKET, "--events", "-", stdin=lines, monkeypatch=monkeypatch)
    first = json.loads(out)["clocks"]["first_response"]

    assert code == 0
    assert first["state"] == "paused"
    assert first["due_at"] is None
    assert first["remaining_seconds"] == 3 * 3600


def test_sla_due_at_a_later_now_reports_the_breach(capsys):
    code, out, _ = run(capsys, *HIGH_TICKET, "--now", "2026-11-23T17:00:00Z")
    first = json.loads(out)["clocks"]["first_response"]
    assert code == 0
    assert first["state"] == "breached"
    assert first["breached_at"] == "2026-11-23T16:00:00Z"
    assert first["elapsed_seconds"] == 5 * 3600


def test_an_opening_without_a_utc_offset_is_an_error_naming_opened(capsys):
    argv = [*HIGH_TICKET[:-1], "2026-11-19T20:00:00"]
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "")
    assert err.startswith("pacto: error: --opened: '2026-11-19T20:00:00' has no UTC offset")
    assert "Traceback" not in err


def test_an_unknown_severity_is_an_error_naming_the_defined_ones(capsys):
    argv = ["sla", "due", "--policy", "senhasegura", "--severity", "critical"]
    code, _, err = run(capsys, *argv, "--opened", THURSDAY_EVENING)
    assert code == 1
    assert err == (
        "pacto: error: policy senhasegura: severity 'critical' is not defined "
        "(defined: urgent, high, medium, low)\n"
    )


def test_a_bad_event_names_its_line_and_field(capsys, monkeypatch):
    lines = '{"at": "2026-11-23T10:00:00Z", "kind": "status", "value": "open"}\n'
    lines += '{"at": "2026-11-23T11:00:00Z", "kind": "nap"}\n'
    code, _, err = run(capsys, *HIGH_TICKET, "--events", "-", stdin=lines, monkeypatch=monkeypatch)
    assert code == 1
    assert err.startswith("pacto: error: --events line 2: kind: 'nap' is not one of status,")


def test_a_missing_option_is_a_usage_error(capsys):
    code, _, err = run(capsys, "sla", "due", "--policy", "senhasegura", "--severity", "high")
    assert code == 2
    assert "the following arguments are required: --opened" in err


# ----------------------------------------------------------------------------- calendar


def test_calendar_add_prints_the_due_instant(capsys):
    argv = ["calendar", "add", "--policy", "senhasegura", "--calendar", "business"]
    code, out, _ = run(capsys, *argv, "--start", THURSDAY_EVENING, "--minutes", "240")
    assert (code, out) == (0, "2026-11-23T16:00:00Z\n")


def test_calendar_add_input_converts_a_batch_in_order_as_the_scalar_path_does(capsys, monkeypatch):
    monkeypatch.setattr(cli, "CHUNK", 7)  # several vectorized chunks
    rng = random.Random(20261119)
    records = [
        {
            "start": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            f"T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00"
            f"{rng.choice(['Z', '-03:00', '+05:30'])}",
            "minutes": rng.choice([0, 1, 30, 240, 599, 600, 601, 6000, 0.5, 12.25]),
        }
        for _ in range(40)
    ]
    stdin = "".join(json.dumps(r) + "\n" for r in records)
    argv = ["calendar", "add", "--policy", "senhasegura", "--input", "-"]
    code, out, err = run(capsys, *argv, stdin=stdin, monkeypatch=monkeypatch)
    assert (code, err) == (0, "")
    batch = [json.loads(line)["due"] for line in out.splitlines()]

    scalar = []
    for record in records:
        minutes = str(record["minutes"])
        main(["calendar", "add", "--policy", "senhasegura", "--start", record["start"],
              "--minutes", minutes])  # fmt: skip
        scalar.append(capsys.readouterr().out.strip())
    assert batch == scalar
    assert len(batch) == len(records)


def test_a_bad_input_line_names_the_line_and_the_field_and_exits_2(capsys, monkeypatch):
    stdin = '{"start": "2026-11-19T20:00:00Z", "minutes": 30}\n'
    stdin += '{"start": "2026-11-19T20:00:00Z", "minutes": "soon"}\n'
    argv = ["calendar", "add", "--policy", "senhasegura", "--input", "-"]
    code, out, err = run(capsys, *argv, stdin=stdin, monkeypatch=monkeypatch)
    assert code == 2
    assert out == ""
    assert err == "pacto: error: --input line 2: minutes: 'soon' is not a number of minutes\n"


def test_calendar_elapsed_prints_business_seconds(capsys):
    argv = ["calendar", "elapsed", "--policy", "senhasegura", "--calendar", "business"]
    argv += ["--start", THURSDAY_EVENING, "--end", "2026-11-23T13:00:00-03:00"]
    assert run(capsys, *argv)[:2] == (0, "14400\n")
    argv[-1] = "2026-11-23T13:00:00.5-03:00"
    assert run(capsys, *argv)[:2] == (0, "14400.5\n")


# ----------------------------------------------------------------------------- policy


def test_policy_list_prints_each_preset_and_reports_a_broken_one(capsys, monkeypatch, tmp_path):
    shutil.copy(SENHASEGURA, tmp_path / "senhasegura.yaml")
    (tmp_path / "broken.yaml").write_text("id: broken\n")
    monkeypatch.setattr(policy_module, "PRESETS", tmp_path)
    code, out, err = run(capsys, "policy", "list")

    assert out.split() == ["senhasegura", "7.0", "senhasegura", "Support", "Policy"]
    assert code == 1
    assert err.startswith("pacto: error: preset broken: broken.yaml:")


def test_policy_show_summarizes_calendars_targets_and_lifecycle(capsys):
    code, out, _ = run(capsys, "policy", "show", "senhasegura")
    assert code == 0
    assert "business: America/Sao_Paulo, mon-fri 09:00-19:00" in out
    assert "holidays: BR/São Paulo Capital (public)" in out
    assert "first_response — severity high, plan standard-8x5: 4 business hours on business" in out
    assert 'cite: §8 table: High, Standard 8x5: "4 business hours"' in out
    assert (
        "waiting-on-customer: Waiting on customer (waiting_on_customer, pauses first_response)"
        in out
    )
    assert "close-unconfirmed: solved → closed after 10 business days on business" in out


def test_policy_show_json_dumps_the_whole_policy(capsys):
    code, out, _ = run(capsys, "policy", "show", "senhasegura", "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["schema"], data["id"], data["version"]) == (
        "pacto/policy/v1",
        "senhasegura",
        "7.0",
    )
    assert data["targets"][6]["target"] == "4 business hours"


def test_policy_check_accepts_a_good_file(capsys):
    code, out, _ = run(capsys, "policy", "check", str(SENHASEGURA))
    assert code == 0
    assert out == f"{SENHASEGURA}: ok (policy senhasegura@7.0, 12 targets)\n"


def test_policy_check_prints_the_field_path_of_a_broken_file(capsys, tmp_path):
    broken = tmp_path / "broken.yaml"
    text = SENHASEGURA.read_text(encoding="utf-8")
    broken.write_text(text.replace("target: 4 business hours", "target: 4 fortnights"))
    code, out, err = run(capsys, "policy", "check", str(broken))

    assert (code, out) == (1, "")
    assert err.startswith("broken.yaml: targets[6].target: duration '4 fortnights'")


def test_policy_schema_prints_the_json_schema(capsys):
    code, out, _ = run(capsys, "policy", "schema")
    schema = json.loads(out)
    assert code == 0
    assert schema["$id"] == "pacto/policy/v1"
    assert "targets" in schema["properties"]


# ----------------------------------------------------------------------------- process


def test_the_commands_start_without_importing_django():
    script = (
        "import sys\n"
        "from pacto.sla.cli import main\n"
        f"code = main({HIGH_TICKET!r})\n"
        "print('django' in sys.modules, code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    report, last = done.stdout.rsplit("\n", 2)[0], done.stdout.splitlines()[-1]
    assert last == "False 0"
    assert json.loads(report)["response_due"] == "2026-11-23T16:00:00Z"


def test_python_dash_m_pacto_sla_reports_bad_input_without_a_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "pacto.sla", *HIGH_TICKET[:-1], "yesterday"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == "pacto: error: --opened: 'yesterday' is not an ISO 8601 instant\n"


@pytest.mark.parametrize("argv", [[], ["sla"], ["nonsense"]])
def test_an_incomplete_command_is_a_usage_error(capsys, argv):
    assert main(argv) == 2
    assert "usage: pacto" in capsys.readouterr().err
