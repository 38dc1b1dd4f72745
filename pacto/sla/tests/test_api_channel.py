"""The REST API is the ticketing system's own door: a policy that takes portal tickets takes
API tickets, counted exactly like portal tickets, unless it lists ``api`` itself.

``pacto sla due --channel api`` answers for every preset, with the portal's due instants;
a channel the vendor's document excludes is refused by name.
"""

from __future__ import annotations

import json

import pytest

from pacto.sla.cli import main
from pacto.sla.policy import PolicyError, TicketFacts, parse_policy, preset, preset_names
from pacto.sla.tests.test_policy import policy_data

OPENINGS = ["2026-12-01T12:00:00Z", "2026-12-05T03:00:00Z", "2026-12-24T21:30:00Z"]


def due(capsys, *argv: str) -> tuple[int, dict | str]:
    code = main(["sla", "due", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else err)


@pytest.mark.parametrize("name", preset_names())
def test_sla_due_by_api_answers_for_every_preset_exactly_as_by_portal(capsys, name):
    policy = preset(name)
    for plan in policy.plans:
        for severity in policy.severities:
            for opened in OPENINGS:
                common = ["--policy", name, "--plan", plan.id, "--severity", severity.id]
                common += ["--opened", opened]
                code, by_api = due(capsys, *common, "--channel", "api")
                assert code == 0, by_api
                _, by_portal = due(capsys, *common, "--channel", "portal")
                # The explanation says which door (and, for most, that it counts as the portal).
                text = json.dumps(by_api).replace(" (counted as portal)", "")
                text = text.replace("channel api", "channel portal")
                assert json.loads(text) == by_portal, (plan.id, severity.id, opened)


@pytest.mark.parametrize(
    ("name", "channel"), [("secpod", "phone"), ("andmoney", "email"), ("andmoney", "phone")]
)
def test_a_channel_the_document_excludes_is_refused_naming_it(capsys, name, channel):
    policy = preset(name)
    code, err = due(
        capsys, "--policy", name, "--severity", policy.severities[0].id, "--channel", channel,
        "--opened", OPENINGS[0],
    )  # fmt: skip
    assert code == 1
    assert f"takes no tickets by {channel!r}" in err
    assert "api" in err  # the channels it does take, the API door among them


def test_senhasegura_lists_api_itself_so_its_api_rows_are_its_own():
    policy = preset("senhasegura")
    assert not policy.api_is_portal
    assert policy.accepts_channel("api")
    assert policy.counted_as("api") == "api"


def test_a_policy_that_excludes_api_refuses_api_tickets():
    policy = parse_policy(policy_data(excluded_channels=["api", "phone"]))
    assert not policy.accepts_channel("api")
    assert policy.accepted_channels == ["portal", "email"]
    assert "takes no tickets by api" in policy.channel_refusal("api")


def test_api_tickets_follow_the_portal_rows_and_the_portal_default_severity():
    data = policy_data(
        default_severity={"portal": "low"},
        targets=[
            {"metric": "first_response", "when": {"channel": "portal"}, "target": "2 hours"},
            {"metric": "first_response", "target": "8 hours"},
        ],
    )
    policy = parse_policy(data)
    row = policy.target_for("first_response", TicketFacts(severity="high", channel="api"))
    assert str(row.target) == "2 hours"
    assert policy.default_severity_for("api") == "low"


def test_a_channel_both_taken_and_excluded_is_refused_at_load():
    with pytest.raises(PolicyError, match="excluded_channels: 'email' is also listed"):
        parse_policy(policy_data(excluded_channels=["email"]))
