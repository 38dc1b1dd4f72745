"""The availability API as its users call it: an agent announces a window, a manager adds a
probe and proposes an extension, the customer's admin accepts it and signs off."""

from __future__ import annotations

import datetime as dt

from pacto.accounts.actions import do_create_token
from pacto.availability.models import Probe, ServiceWindow
from pacto.notifications.models import Outbox


def bearer(user) -> dict:
    _, secret = do_create_token(user, name="script", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post(client, user, path, body):
    return client.post(path, body, content_type="application/json", **bearer(user))


def test_an_agent_announces_a_window_and_the_contacts_are_told(client, world, nordlys):
    starts = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    response = post(client, world.fiona, "/api/availability/windows", {
        "contract": nordlys.contract.pk, "kind": "extraordinary", "reason": "Security patch",
        "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(minutes=30)).isoformat(),
    })  # fmt: skip

    assert response.status_code == 201, response.content
    assert response.json()["notice_late"] is True  # less than the day &money's preset reads
    assert ServiceWindow.objects.get().announced_at is not None
    assert Outbox.objects.filter(kind="service_window_extraordinary_late").count() == 2


def test_a_window_ending_before_it_starts_is_refused_naming_the_field(client, world, nordlys):
    response = post(client, world.fiona, "/api/availability/windows", {
        "contract": nordlys.contract.pk, "kind": "planned", "reason": "x",
        "starts_at": "2026-06-20T11:00:00Z", "ends_at": "2026-06-20T10:00:00Z",
    })  # fmt: skip

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "ends_at"
    assert not ServiceWindow.objects.exists()


def test_a_manager_adds_a_probe(client, world, nordlys):
    response = post(client, world.maria, "/api/availability/probes", {
        "contract": nordlys.contract.pk, "name": "nordlys-api", "kind": "tcp",
        "host": "api.nordlys.example", "port": 443,
    })  # fmt: skip

    assert response.status_code == 201, response.content
    assert Probe.objects.get().target == "api.nordlys.example:443"


def test_the_customers_admin_accepts_an_extension_and_both_sides_see_the_history(
    client, world, nordlys, settings
):
    path = f"/api/availability/contracts/{nordlys.contract.pk}/hypercare"
    proposed = post(client, world.maria, path + "/extensions", {"weeks": 1, "reason": "Sync"})
    assert proposed.status_code == 200, proposed.content
    extension = proposed.json()["extensions"][0]["id"]

    refused = post(client, nordlys.erik, f"{path}/extensions/{extension}/answer", {"accept": True})
    accepted = post(
        client, nordlys.dagny, f"{path}/extensions/{extension}/answer", {"accept": True}
    )

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert accepted.json()["until"] is not None
    seen_by_vendor = client.get(path, **bearer(world.fiona)).json()
    assert [e["kind"] for e in seen_by_vendor["events"]] == [
        "extension_proposed",
        "extension_accepted",
    ]
