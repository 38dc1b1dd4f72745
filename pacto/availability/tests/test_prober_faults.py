"""A killed prober loses and doubles nothing: real prober processes (forked, as in
``pacto/automation/tests/test_faults.py``) measure a real HTTP server on loopback; one is
killed with SIGKILL while its request is in flight and started again, another runs
throughout. Every slot from the first to the last has exactly one result, all up."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone

from pacto.accounts.actions import do_create_organization
from pacto.automation.tests.test_faults import fork, shared_database, wait
from pacto.availability.actions import do_create_probe
from pacto.availability.models import ProbeResult
from pacto.availability.sweeps import sweep_probes
from pacto.contracts.actions import do_create_contract, do_store_policy
from pacto.notifications.tests.servers import free_port
from pacto.sla.availability import SlotStatus

SLOT_SECONDS = 3
PRESETS = Path(__file__).resolve().parents[2] / "sla" / "presets"


def fast_policy_text() -> str:
    """&money's policy with 3-second slots round the clock, so a test sees many slots."""
    text = (PRESETS / "andmoney.yaml").read_text()
    text = text.replace("id: andmoney\n", "id: andmoney-fast\n")
    text = text.replace("interval: 5 min", "interval: 0.05 min")
    return text.replace('hours: {mon-fri: ["08:00-16:00"]}', "hours: 24x7")


@pytest.fixture
def target(tmp_path):
    port, log = free_port(), tmp_path / "requests.log"
    log.touch()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pacto.availability.tests.target_server",
            str(port),
            "0.8",
            str(log),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "ready"
    yield f"http://127.0.0.1:{port}/health", log
    process.kill()
    process.wait()


def probe_until(deadline: float) -> None:
    while time.time() < deadline:
        sweep_probes(timezone.now())
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_a_killed_prober_loses_and_doubles_nothing(world, target, tmp_path):
    url, log = target
    contract = do_create_contract(
        organization=do_create_organization(name="Fast Probe Customer", kind="customer"),
        service_contract_id="AM-FAST",
        policy_version=do_store_policy(fast_policy_text()), plan="standard",
        starts_on=dt.date(2026, 1, 1),
    )  # fmt: skip
    probe = do_create_probe(world.maria, contract, name="fast", url=url, timeout_seconds=2)
    start = time.time()
    with shared_database(tmp_path):
        steady = fork(probe_until, start + 16)
        victim = fork(probe_until, start + 16)
        time.sleep(5)
        before = log.read_text().count("\n")
        while log.read_text().count("\n") == before:  # wait for a request in flight
            time.sleep(0.05)
        os.kill(victim, signal.SIGKILL)
        wait(victim)
        time.sleep(1)
        again = fork(probe_until, start + 16)
        assert wait(steady) == 0
        assert wait(again) == 0
        slots = list(
            ProbeResult.objects.filter(probe=probe)
            .order_by("slot_start")
            .values_list("slot_start", "status")
        )

    assert len(slots) >= 4
    starts = [s for s, _ in slots]
    assert len(set(starts)) == len(starts)  # nothing doubled
    steps = {(b - a).total_seconds() for a, b in itertools.pairwise(starts)}
    assert steps == {SLOT_SECONDS}  # nothing lost: every slot from the first to the last
    assert {status for _, status in slots} == {SlotStatus.UP}
    assert log.read_text().count("\n") >= len(slots)
