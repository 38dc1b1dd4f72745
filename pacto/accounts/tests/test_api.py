"""The REST API beyond tickets: the signed-in user, organizations, contacts, API tokens,
contracts and policies."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pacto.accounts.models import AccountEvent, ApiToken, User
from pacto.contracts.actions import do_create_contract, do_store_policy
from pacto.contracts.models import Contract
from pacto.sla.policy import PRESETS
from pacto.tickets.tests.test_api import (  # noqa: F401 (fixtures)
    ApiClient,
    fields,
    frozen_now,
)

SENHASEGURA = (PRESETS / "senhasegura.yaml").read_text(encoding="utf-8")


def names(response) -> set[str]:
    return {item.get("name") or item.get("email") for item in response.json()}


# ----------------------------------------------------------------------------- me


def test_me_tells_alice_who_she_is_and_for_which_organization(world):
    me = ApiClient(world.alice).get("/api/me").json()

    assert me["email"] == "alice@azul.example"
    assert me["role"] == "contact"
    assert me["organization"]["name"] == "Banco Azul"
    assert me["is_authorized"] and me["is_focal_point"] and not me["is_staff_member"]


def test_me_tells_an_agent_their_support_line(world):
    me = ApiClient(world.sam).get("/api/me").json()

    assert (me["role"], me["support_line"], me["is_staff_member"]) == ("agent", "second", True)
    assert me["organization"] is None


# ----------------------------------------------------------------------------- organizations


def test_a_customer_contact_sees_only_their_organization(world):
    response = ApiClient(world.alice).get("/api/organizations")

    assert names(response) == {"Banco Azul"}
    assert ApiClient(world.alice).get(f"/api/organizations/{world.verde.pk}").status_code == 404


def test_a_partner_contact_sees_the_partner_and_the_customers_it_serves(world):
    response = ApiClient(world.paul).get("/api/organizations")

    assert names(response) == {"Parceira Integradora", "Banco Azul"}
    partner = next(o for o in response.json() if o["kind"] == "partner")
    assert [c["name"] for c in partner["served_customers"]] == ["Banco Azul"]


def test_staff_see_every_organization(world):
    response = ApiClient(world.fiona).get("/api/organizations")

    assert names(response) == {"Banco Azul", "Verde Energia", "Parceira Integradora"}
    azul = ApiClient(world.fiona).get(f"/api/organizations/{world.azul.pk}").json()
    assert azul["account_manager"] == "Maria Manager"


# ----------------------------------------------------------------------------- contacts


def test_an_organization_admin_sees_the_organizations_contacts_and_a_contact_only_themself(
    world,
):
    assert names(ApiClient(world.amelia).get("/api/contacts")) == {
        "alice@azul.example",
        "amelia@azul.example",
        "bob@azul.example",
    }
    assert names(ApiClient(world.alice).get("/api/contacts")) == {"alice@azul.example"}
    assert ApiClient(world.alice).get(f"/api/contacts/{world.bob.pk}").status_code == 404


def test_staff_filter_contacts_by_organization(world):
    response = ApiClient(world.fiona).get("/api/contacts", organization=world.verde.pk)

    assert names(response) == {"carol@verde.example", "victor@verde.example"}


def test_an_agent_authorizes_bob_and_the_change_is_recorded(world):
    response = ApiClient(world.fiona).post(
        f"/api/contacts/{world.bob.pk}/authorize", {"reason": "contract amendment"}
    )

    assert response.status_code == 200
    assert response.json()["is_authorized"] is True
    event = AccountEvent.objects.get(kind="contact_authorized")
    assert (event.actor, event.subject, event.data) == (
        world.fiona,
        world.bob,
        {"reason": "contract amendment"},
    )


def test_an_organization_admin_cannot_authorize_but_may_revoke_and_move_the_focal_point(world):
    amelia = ApiClient(world.amelia)

    assert amelia.post(f"/api/contacts/{world.bob.pk}/authorize").status_code == 403
    moved = amelia.post(f"/api/contacts/{world.amelia.pk}/focal-point")
    revoked = amelia.post(f"/api/contacts/{world.alice.pk}/revoke", {"reason": "left"})

    assert moved.status_code == 200 and moved.json()["is_focal_point"] is True
    assert revoked.status_code == 200 and revoked.json()["is_authorized"] is False
    world.alice.refresh_from_db()
    assert not world.alice.is_focal_point


def test_the_focal_point_must_be_an_authorized_contact(world):
    response = ApiClient(world.fiona).post(f"/api/contacts/{world.bob.pk}/focal-point")

    assert response.status_code == 422
    assert fields(response) == [("contact", "authorized")]


def test_an_admin_of_another_organization_cannot_reach_alice(world):
    victor = ApiClient(world.victor)

    assert victor.post(f"/api/contacts/{world.alice.pk}/revoke").status_code == 404
    world.alice.refresh_from_db()
    assert world.alice.is_authorized


# ----------------------------------------------------------------------------- tokens


def test_a_new_token_shows_its_secret_once_and_only_its_hash_is_stored(world):
    alice = ApiClient(world.alice)

    created = alice.post("/api/tokens", {"name": "CI", "scope": "write"})

    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("pacto_")
    stored = ApiToken.objects.get(pk=created.json()["id"])
    assert stored.token_hash == ApiToken.digest(secret)
    listed = alice.get("/api/tokens").json()
    assert {t["name"] for t in listed} == {"tests", "CI"}
    assert "secret" not in str(listed) and secret not in str(listed)
    assert (
        Client(HTTP_HOST="localhost")
        .get("/api/me", headers={"authorization": f"Bearer {secret}"})
        .json()["email"]
        == "alice@azul.example"
    )


def test_a_token_with_an_unknown_scope_is_422(world):
    response = ApiClient(world.alice).post("/api/tokens", {"name": "x", "scope": "admin"})

    assert response.status_code == 422
    assert fields(response)[0][0] == "scope"


def test_revoking_a_token_makes_it_unusable(world):
    alice = ApiClient(world.alice)
    created = alice.post("/api/tokens", {"name": "laptop", "scope": "read"}).json()

    revoked = alice.request("DELETE", f"/api/tokens/{created['id']}")

    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    client = Client(HTTP_HOST="localhost")
    headers = {"authorization": f"Bearer {created['secret']}"}
    assert client.get("/api/me", headers=headers).status_code == 401


def test_someone_elses_token_is_404_but_a_manager_may_revoke_it(world):
    carol = ApiClient(world.carol)

    assert (
        ApiClient(world.alice).request("DELETE", f"/api/tokens/{carol.token.pk}").status_code == 404
    )
    assert (
        ApiClient(world.maria).request("DELETE", f"/api/tokens/{carol.token.pk}").status_code == 200
    )
    assert carol.get("/api/me").status_code == 401


# ----------------------------------------------------------------------------- contracts


def test_a_contact_sees_the_contract_of_their_organization_only(world):
    contracts = ApiClient(world.alice).get("/api/contracts").json()

    assert [c["service_contract_id"] for c in contracts] == ["AZUL-2026"]
    assert contracts[0]["policy"] == "senhasegura@7.0"
    assert [
        {k: p[k] for k in ("product", "module", "quantity")} for p in contracts[0]["products"]
    ] == [{"product": "senhasegura PAM", "module": "Core", "quantity": 200}]
    other = ApiClient(world.alice).get(f"/api/contracts/{world.verde_contract.pk}")
    assert other.status_code == 404


def test_a_support_manager_creates_a_contract_from_a_preset(world):
    response = ApiClient(world.maria).post(
        "/api/contracts",
        {
            "organization": world.verde.pk,
            "service_contract_id": "VERDE-2027",
            "preset": "secpod",
            "plan": "standard",
            "starts_on": "2027-03-01",
            "products": [{"product": "SanerNow", "quantity": 50}],
        },
    )

    assert response.status_code == 201, response.json()
    contract = response.json()
    assert contract["policy"].startswith("secpod@")
    # A one-year contract ends the day before the same day the following year (a leap day).
    assert (contract["starts_on"], contract["ends_on"]) == ("2027-03-01", "2028-02-29")
    (line,) = contract["products"]
    assert (line["product"], line["module"], line["quantity"]) == ("SanerNow", "", 50)
    assert line["installed_version"] is None  # free text: not in the catalogue


def test_only_support_managers_create_contracts(world):
    payload = {
        "organization": world.azul.pk,
        "service_contract_id": "AZUL-X",
        "preset": "senhasegura",
        "plan": "standard-8x5",
        "starts_on": "2026-06-01",
    }

    assert ApiClient(world.fiona).post("/api/contracts", payload).status_code == 403
    assert ApiClient(world.amelia).post("/api/contracts", payload).status_code == 403
    assert not Contract.objects.filter(service_contract_id="AZUL-X").exists()


def test_a_plan_the_policy_does_not_define_is_422(world):
    response = ApiClient(world.root).post(
        "/api/contracts",
        {
            "organization": world.azul.pk,
            "service_contract_id": "AZUL-GOLD",
            "policy_version": world.azul_contract.policy_version_id,
            "plan": "gold",
            "starts_on": "2026-06-01",
        },
    )

    assert response.status_code == 422
    assert fields(response) == [("plan", "defined_in_policy")]


# ----------------------------------------------------------------------------- policies


def test_the_policy_list_shows_the_presets_and_the_stored_versions(world):
    policies = ApiClient(world.alice).get("/api/policies").json()

    assert {p["name"] for p in policies["presets"]} >= {"senhasegura", "secpod", "allure"}
    assert {v["policy"] for v in policies["versions"]} >= {"senhasegura@7.0"}


def test_a_stored_policy_version_shows_its_exact_text_and_the_validated_document(world):
    version_id = world.azul_contract.policy_version_id

    shown = ApiClient(world.alice).get(f"/api/policies/versions/{version_id}").json()

    assert shown["source_yaml"] == SENHASEGURA
    assert shown["document"]["id"] == "senhasegura"
    assert [s["id"] for s in shown["document"]["severities"]] == ["urgent", "high", "medium", "low"]


def test_a_custom_policy_of_another_customer_is_404(world):
    custom = do_store_policy(SENHASEGURA.replace("id: senhasegura", "id: verde-special", 1))
    do_create_contract(
        organization=world.verde,
        service_contract_id="VERDE-SPECIAL",
        policy_version=custom,
        plan="standard-8x5",
        starts_on=world.verde_contract.ends_on + dt.timedelta(days=1),
    )

    assert ApiClient(world.alice).get(f"/api/policies/versions/{custom.pk}").status_code == 404
    assert ApiClient(world.carol).get(f"/api/policies/versions/{custom.pk}").status_code == 200


def test_a_preset_is_shown_as_its_validated_document(world):
    response = ApiClient(world.bob).get("/api/policies/presets/secpod")

    assert response.status_code == 200
    assert response.json()["document"]["channels"] == ["portal", "email"]
    assert ApiClient(world.bob).get("/api/policies/presets/nope").status_code == 404


def test_validating_a_good_policy_file_names_it(world):
    response = ApiClient(world.maria).client.post(
        "/api/policies/validate",
        SENHASEGURA,
        content_type="text/yaml",
        headers=ApiClient(world.maria).headers,
    )

    assert response.status_code == 200
    assert response.json() == {"valid": True, "policy": "senhasegura@7.0"}


def test_policy_validate_returns_field_path_errors_for_a_broken_file(world):
    broken = SENHASEGURA.replace(
        "    when: {severity: high, plan: standard-8x5}\n    target: 4 business hours\n",
        "    when: {severity: hihg, plan: standard-8x5}\n    target: 4 business hours\n"
        "    calendar: bussiness\n",
    ).replace("  - id: low\n", "  - id: 4\n", 1)
    upload = SimpleUploadedFile("senhasegura.yaml", broken.encode(), content_type="text/yaml")
    maria = ApiClient(world.maria)

    response = maria.client.post("/api/policies/validate", {"file": upload}, headers=maria.headers)

    assert response.status_code == 422
    assert fields(response) == [("severities[3].id", "valid_policy")]
    assert response.json()["detail"][0]["message"] == "Input should be a valid string"
    # With the type error fixed, the cross-references are checked, each naming its path.
    upload = SimpleUploadedFile("senhasegura.yaml", broken.replace("id: 4", "id: low").encode())
    response = maria.client.post("/api/policies/validate", {"file": upload}, headers=maria.headers)
    problems = {d["field"]: d["message"] for d in response.json()["detail"]}
    assert set(problems) == {"targets[6].calendar", "targets[6].when.severity"}
    assert "calendar 'bussiness' is not defined" in problems["targets[6].calendar"]
    assert "severity 'hihg' is not defined" in problems["targets[6].when.severity"]


def test_policy_validate_reports_yaml_syntax_errors(world):
    alice = ApiClient(world.alice)

    response = alice.client.post(
        "/api/policies/validate", "id: [unclosed", content_type="text/yaml", headers=alice.headers
    )

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["field"] == "policy"
    assert error["message"].startswith("not valid YAML")


def test_an_uploaded_policy_may_not_read_files_on_the_server(world):
    sneaky = SENHASEGURA.replace(
        "      country: BR\n", "      country: BR\n      ical: /etc/passwd\n", 1
    )
    alice = ApiClient(world.alice)

    response = alice.client.post(
        "/api/policies/validate", sneaky, content_type="text/yaml", headers=alice.headers
    )

    assert response.status_code == 422
    assert fields(response) == [("calendars.business.holidays.ical", "valid_policy")]


def test_a_multipart_upload_without_a_file_is_422(world):
    maria = ApiClient(world.maria)

    response = maria.client.post("/api/policies/validate", {"other": "x"}, headers=maria.headers)

    assert response.status_code == 422
    assert fields(response) == [("file", "required")]


def test_staff_users_are_not_contacts(world):
    """The contacts list is of contacts: no vendor staff appear in it, even for staff."""
    emails = names(ApiClient(world.root).get("/api/contacts"))

    assert not emails & set(User.objects.exclude(role="contact").values_list("email", flat=True))
