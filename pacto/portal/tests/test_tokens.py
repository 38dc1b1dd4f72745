"""Personal API tokens in the web UI: a newcomer gets a first token without curl and CSRF."""

from __future__ import annotations

import re

from pacto.accounts.actions import do_create_token
from pacto.accounts.models import ApiToken
from pacto.portal.tests.test_portal import assert_csp_clean, text
from pacto.testing import client_for

URL = "/preferences/tokens/"
SECRET = re.compile(r"pacto_[A-Za-z0-9_-]{20,}")


def create(client, name="monitoring", scope="read"):
    response = client.post(URL, {"name": name, "scope": scope})
    assert response.status_code == 200, text(response)
    secrets = set(SECRET.findall(response.content.decode()))
    assert len(secrets) == 1
    return response, secrets.pop()


def api(secret, method="get", path="/api/me", **kwargs):
    """The REST API as curl would call it: no session, no CSRF, only the bearer token."""
    return getattr(client_for(), method)(path, HTTP_AUTHORIZATION=f"Bearer {secret}", **kwargs)


def test_alice_creates_a_token_and_sees_its_secret_once(world, clock):
    client = client_for(world.alice)

    response, secret = create(client, name="monitoring")

    assert "no-store" in response["Cache-Control"]
    page = text(response)
    assert "Copy it now: it is shown only this once." in page
    assert f'curl -H "Authorization: Bearer {secret}" http://localhost/api/me' in page
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.scope) == (world.alice, "monitoring", "read")
    assert token.token_hash == ApiToken.digest(secret) != secret
    # Not in the session, and never again on the page.
    assert secret not in str(dict(client.session.items()))
    again = client.get(URL)
    assert again.status_code == 200
    assert "no-store" in again["Cache-Control"]
    assert secret not in again.content.decode()
    assert "monitoring" in text(again)
    assert token.hint in text(again)


def test_the_new_secret_works_against_the_api(world, clock):
    _response, secret = create(client_for(world.alice))

    me = api(secret)

    assert me.status_code == 200
    assert me.json()["email"] == "alice@azul.example"
    # The list now says when it was last used, in São Paulo time where alice reads it.
    page = text(client_for(world.alice).get(URL))
    assert "Thu 15 Jan 2026 10:00" in page  # 13:00 UTC, read in São Paulo
    assert "never" not in page


def test_a_read_token_cannot_change_anything_and_a_write_token_can(world, clock):
    client = client_for(world.alice)
    _response, read = create(client, name="reader", scope="read")
    _response, write = create(client, name="writer", scope="write")
    body = {"name": "from the API", "scope": "read"}

    refused = api(read, "post", "/api/tokens", data=body, content_type="application/json")
    accepted = api(write, "post", "/api/tokens", data=body, content_type="application/json")

    assert refused.status_code == 403
    assert refused.json()["detail"][0]["rule"] == "token_scope"
    assert accepted.status_code == 201
    assert ApiToken.objects.filter(user=world.alice).count() == 3


def test_revoking_a_token_stops_its_secret(world, clock):
    client = client_for(world.alice)
    _response, secret = create(client)
    token = ApiToken.objects.get()

    response = client.post(f"{URL}{token.pk}/revoke/")

    assert response.status_code == 302 and response["Location"] == URL
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api(secret).status_code == 401
    listing = client.get(URL)
    assert "The token “monitoring” is revoked." in text(listing)
    assert "revoked Thu 15 Jan 2026 10:00" in text(listing)  # São Paulo time
    assert f"{URL}{token.pk}/revoke/" not in listing.content.decode()  # no button any more


def test_nobody_else_sees_or_revokes_a_persons_token(world, clock):
    token, secret = do_create_token(world.alice, name="alice's script")

    for person in (world.carol, world.amelia, world.maria):  # a manager too, in the web UI
        client = client_for(person)
        assert "alice's script" not in text(client.get(URL))
        assert client.post(f"{URL}{token.pk}/revoke/").status_code == 404

    assert client_for(world.alice).post(f"{URL}{token.pk + 1000}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert api(secret).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(world, clock):
    token, _secret = do_create_token(world.alice, name="alice's script")
    anonymous = client_for()

    listing = anonymous.get(URL)
    creating = anonymous.post(URL, {"name": "x", "scope": "write"})
    revoking = anonymous.post(f"{URL}{token.pk}/revoke/")

    for response in (listing, creating, revoking):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None


def test_staff_have_tokens_too(world, clock):
    _response, secret = create(client_for(world.fiona), name="queue export", scope="write")

    assert api(secret).json()["email"] == "fiona@vendor.example"


def test_a_token_needs_a_name_and_a_known_scope(world, clock):
    client = client_for(world.alice)

    no_name = client.post(URL, {"name": "   ", "scope": "read"})
    bad_scope = client.post(URL, {"name": "x", "scope": "admin"})

    assert no_name.status_code == bad_scope.status_code == 422
    assert "This field is required." in text(no_name)
    assert "Select a valid choice." in text(bad_scope)
    assert not SECRET.search(no_name.content.decode() + bad_scope.content.decode())
    assert not ApiToken.objects.exists()


def test_the_page_is_linked_labelled_csp_clean_and_needs_csrf(world, clock):
    client = client_for(world.alice)
    assert 'href="/preferences/tokens/"' in client.get("/preferences/").content.decode()

    response, _secret = create(client)

    page = response.content.decode()
    for input_id in ("id_name", "id_scope_0", "id_scope_1", "new-token-secret"):
        assert f'for="{input_id}"' in page, input_id
    assert_csp_clean(response)
    assert_csp_clean(client.get(URL))
    token = ApiToken.objects.get()
    guarded = client_for(world.alice)
    guarded.handler.enforce_csrf_checks = True
    assert guarded.post(URL, {"name": "x", "scope": "read"}).status_code == 403
    assert guarded.post(f"{URL}{token.pk}/revoke/").status_code == 403


def test_the_page_speaks_portuguese(world, clock):
    world.alice.language = "pt-br"
    world.alice.save()
    client = client_for(world.alice)

    created, _secret = create(client, name="monitoramento")
    token = ApiToken.objects.get()
    revoked = client.post(f"{URL}{token.pk}/revoke/", follow=True)

    page = text(created)
    assert "Tokens de API" in page
    assert "Copie agora: ele é mostrado só desta vez." in page
    assert "Criar token" in page
    assert "Leitura" in page
    assert "Copy it now" not in page and "Create token" not in page
    listing = text(revoked)
    assert "O token “monitoramento” foi revogado." in listing
    assert "revogado" in listing
