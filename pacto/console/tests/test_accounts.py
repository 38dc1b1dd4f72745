"""The support manager's accounts page and the administration, through the actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pacto.accounts.models import AccountEvent, User
from pacto.contracts.models import ContractEvent
from pacto.notifications.models import Outbox
from pacto.testing import client_for

# Uploads in a folder of each test, and an empty cache.
pytestmark = pytest.mark.usefixtures("media_root")


def test_a_manager_sees_contracts_ending_and_renews_one_with_another_plan(world, clock):
    clock.set(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC))
    manager = client_for(world.maria)

    page = manager.get("/console/accounts/").content.decode()
    assert "AZUL-2026" in page and "VERDE-2026" in page

    done = manager.post(
        f"/console/accounts/contracts/{world.azul_contract.pk}/renew/",
        {"years": "2", "plan": "premier-24x7"},
    )
    assert done.status_code == 302
    renewal = world.azul_contract.renewals.get()
    assert (renewal.plan, renewal.ends_on) == ("premier-24x7", dt.date(2028, 12, 31))
    page = manager.get("/console/accounts/").content.decode()
    assert f"/contracts/{world.azul_contract.pk}/renew/" not in page  # renewed: off the list


def test_an_upload_with_a_bad_row_writes_nothing_and_lists_the_row(world, clock):
    text = (
        "email,full_name,organization,authorized\n"
        "nina@azul.example,Nina,Banco Azul,yes\n"
        "zed@verde.example,Zed,Verde Energia,perhaps\n"
    )
    upload = SimpleUploadedFile("contacts.csv", text.encode(), content_type="text/csv")

    response = client_for(world.maria).post(
        "/console/accounts/import/", {"kind": "contacts", "file": upload}
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "Nothing was written" in page and "yes_or_no" in page
    assert not User.objects.filter(email="nina@azul.example").exists()


def test_pending_activations_are_listed_and_sent_again(world, clock):
    manager = client_for(world.maria)
    manager.post(f"/console/accounts/contacts/{world.bob.pk}/invitation/")
    manager.post(f"/console/accounts/contacts/{world.bob.pk}/invitation/")

    assert "bob@azul.example" in manager.get("/console/accounts/").content.decode()
    assert Outbox.objects.filter(kind="invitation", recipient="bob@azul.example").count() == 2


def test_changes_in_the_administration_are_audited_by_the_actions(world, clock):
    superuser = User.objects.create_superuser("super@vendor.example", "x")
    admin = client_for(superuser)
    url = f"/admin/accounts/user/{world.alice.pk}/change/"
    shown = admin.get(url)
    assert shown.status_code == 200, shown
    form = shown.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        email=world.alice.email, full_name="Alice Azevedo", role="contact",
        organization=world.azul.pk, time_zone="Mars/Olympus", language="en",
        date_joined_0="2026-01-01", date_joined_1="00:00:00",
    )  # fmt: skip
    for prefix in ("certifications", "training_records", "invitation"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    refused = admin.post(url, data)
    assert refused.status_code == 200  # shown again with the error, not a 500
    # The zone is a choice of IANA zones: a made-up one is refused, naming the value.
    assert "Mars/Olympus is not one of the available choices" in refused.content.decode()

    data["time_zone"] = "America/Sao_Paulo"
    saved = admin.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    event = AccountEvent.objects.get(kind="contact_changed", subject=world.alice)
    assert event.data["full_name"] == ["Alice Azul", "Alice Azevedo"]
    assert event.actor == superuser


def test_a_contract_changed_in_the_administration_keeps_an_audit_trail(world, clock):
    admin = client_for(User.objects.create_superuser("super@vendor.example", "x"))
    url = f"/admin/contracts/contract/{world.azul_contract.pk}/change/"
    form = admin.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v not in (None, "")}
    data.update(
        organization=world.azul.pk, policy_version=world.azul_contract.policy_version_id,
        auto_renew="on", included_services="{}",
    )  # fmt: skip
    product = world.azul_contract.products.get()
    data.update({
        "products-TOTAL_FORMS": "1", "products-INITIAL_FORMS": "1",
        "products-0-id": product.pk, "products-0-contract": world.azul_contract.pk,
        "products-0-product": product.product, "products-0-module": product.module,
        "products-0-quantity": product.quantity,
        "products-0-updated_at_0": "2026-01-01", "products-0-updated_at_1": "00:00:00",
        "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0",
    })  # fmt: skip

    saved = admin.post(url, data)

    assert saved.status_code == 302, saved.context and saved.context["errors"]
    event = ContractEvent.objects.get(contract=world.azul_contract, kind="changed")
    assert event.data == {"auto_renew": [False, True]}
