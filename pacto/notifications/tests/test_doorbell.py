"""The doorbell: a change that writes outbox rows wakes a worker when it commits, and a burst
of changes rings once while the first ring still waits for a worker (huey runs tasks at
once in tests, so "a ring waits" is set up by leaving the mark in the queue's storage)."""

import time

import pytest
from huey.contrib.djhuey import HUEY

from pacto.notifications import tasks
from pacto.notifications.models import Outbox
from pacto.notifications.tests.test_delivery import open_ticket


@pytest.fixture
def doorbell(settings):
    settings.PACTO_OUTBOX_DOORBELL = True
    HUEY.storage.pop_data(tasks.MARK)
    yield
    HUEY.storage.pop_data(tasks.MARK)


def waiting_ring(seconds_ago: float = 0) -> None:
    HUEY.storage.put_data(tasks.MARK, str(time.time() - seconds_ago).encode())


def test_changes_committed_while_a_ring_waits_are_delivered_by_that_ring(
    world, doorbell, mailoutbox, django_capture_on_commit_callbacks
):
    waiting_ring()
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(world.carol)
    assert mailoutbox == [], "no second ring: the waiting one will deliver them"
    assert Outbox.objects.filter(state=Outbox.State.PENDING).count() == 2

    tasks.deliver_outbox_job.call()  # the worker takes the waiting ring
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@azul.example", "carol@verde.example"]
    assert not Outbox.objects.filter(state=Outbox.State.PENDING).exists()


def test_once_the_worker_has_answered_the_next_change_rings_again(
    world, doorbell, mailoutbox, django_capture_on_commit_callbacks
):
    waiting_ring()
    tasks.deliver_outbox_job.call()
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(world.alice)
    assert [m.to for m in mailoutbox] == [["alice@azul.example"]]


def test_a_ring_left_waiting_by_a_dead_worker_is_rung_again_after_a_minute(
    world, doorbell, mailoutbox, django_capture_on_commit_callbacks
):
    waiting_ring(seconds_ago=tasks.STALE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        open_ticket(world.alice)
    assert [m.to for m in mailoutbox] == [["alice@azul.example"]]
