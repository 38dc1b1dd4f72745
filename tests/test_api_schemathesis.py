"""Schemathesis over /api/openapi.json: generated requests, valid and invalid, to every
operation, as a staff member and as a contact, must never get a server error (5xx).

It drives the Django WSGI application in-process through schemathesis's Python API
(``schemathesis.openapi.from_wsgi``), inside the test's database transaction. Path ids are
drawn from the real objects of the named world as well as at random, so generated bodies
reach the actions rather than stopping at "not found".

Every role of the named world is fuzzed: each kind of contact, each kind of staff member,
and nobody signed in. A second pass sends the extreme values attackers try (ids beyond a
bigint, ``true`` for a number, year 1 and 9999, lists of nulls, deep nesting, long strings)
to every parameter and body field of every operation.

A bounded number of examples per operation, and a time budget per role
(``PACTO_SCHEMATHESIS_SECONDS``), keep the run to a few minutes; raise
``PACTO_SCHEMATHESIS_EXAMPLES`` to search harder. Examples are derandomized, so a run is
reproducible and CI is not flaky. Both tests are marked ``slow``: CI runs them once, on
SQLite, not again on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import re
import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from pacto.testing import World, build_world
from pacto.tickets.tests.test_api import (  # noqa: F401 (fixtures)
    ApiClient,
    frozen_now,
    open_ticket,
)

EXAMPLES = int(os.environ.get("PACTO_SCHEMATHESIS_EXAMPLES", "10"))
# Each role's fuzzing stops starting new operations after this long (it is not a timing
# assertion: a slow machine fuzzes fewer operations, never fails for it).
SECONDS_PER_ROLE = float(os.environ.get("PACTO_SCHEMATHESIS_SECONDS", "15"))
ROLES = ("alice", "amelia", "bob", "paul", "peggy", "fiona", "maria", "pete", "root", None)


@pytest.fixture
def world(db) -> World:
    """The named world (``pacto/conftest.py`` serves it to tests under ``pacto/`` only)."""
    return build_world()


@pytest.fixture
def wsgi_in_the_test_transaction():
    """Django's handler closes the database connection when a request ends; that would end
    the test's transaction. Django's own test client does the same as this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_in_the_test_transaction):
    from pacto.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


def real_path_parameters(world) -> dict[str, list]:
    tickets = [
        open_ticket(world.alice),
        open_ticket(world.carol),
        open_ticket(world.paul, organization=world.azul),
        open_ticket(
            world.alice,
            type="access_request",
            subject="Access for Ana",
            body="Please",
            access_request={"email": "ana@azul.example", "full_name": "Ana"},
        ),
    ]
    return {
        "ticket_id": [t.pk for t in tickets],
        "organization_id": [world.azul.pk, world.verde.pk, world.parceira.pk],
        "contact_id": [world.alice.pk, world.bob.pk, world.carol.pk],
        "contract_id": [world.azul_contract.pk, world.verde_contract.pk],
        "version_id": [world.azul_contract.policy_version_id],
        "name": ["senhasegura", "secpod"],
    }


def cases(operation, real: dict[str, list]):
    """Generated cases for ``operation``: valid and invalid, with random path ids and with
    ids of real objects."""
    names = re.findall(r"{(\w+)}", operation.path)
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    strategies = [operation.as_strategy(generation_mode=mode) for mode in modes]
    if names and all(name in real for name in names):
        known = st.fixed_dictionaries({name: st.sampled_from(real[name]) for name in names})
        strategies += [
            known.flatmap(lambda ids, mode=mode: operation.as_strategy(mode, path_parameters=ids))
            for mode in modes
        ]
    return st.one_of(strategies)


def fuzz(operation, real: dict[str, list], headers: dict[str, str]) -> None:
    @given(case=cases(operation, real))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error])

    check()


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_no_generated_request_gets_a_server_error(world, api_schema, role):
    real = real_path_parameters(world)
    client = ApiClient(getattr(world, role) if role else None)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 30
    # A different order per role, so the time budget reaches every operation across roles.
    offset = ROLES.index(role) * len(operations) // len(ROLES)
    deadline = time.monotonic() + SECONDS_PER_ROLE
    for operation in operations[offset:] + operations[:offset]:
        if time.monotonic() > deadline:
            break
        try:
            fuzz(operation, real, client.headers)
        except Exception as error:
            error.add_note(f"{operation.method.upper()} {operation.path} as {role or 'anonymous'}")
            raise


# ----------------------------------------------------------------------------- extreme values

EXTREME_VALUES = [
    10**30, -(10**30), 2**63, -1, 0, True, False, None, 1e308, "NaN",
    "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "9999-12-31",
    [None, None], {"a": {"b": {"c": [[[[]]]]}}}, "x" * 20_000, "\u0000", "../../etc/passwd",
]  # fmt: skip
EXTREME_PATH_IDS = ["1" + "0" * 30, "-1", "0", "9223372036854775808"]


def extreme_requests(schema: dict, real: dict[str, list]):
    """``(method, path, query, body)`` for each operation: one extreme value at a time in
    each path parameter, query parameter and top-level body field, the rest left valid."""
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            names = re.findall(r"{(\w+)}", path)
            ids = {name: real.get(name, [1])[0] for name in names}
            base = path.format(**ids)
            for name in names:
                for value in EXTREME_PATH_IDS:
                    yield method, path.format(**{**ids, name: value}), {}, None
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    for value in EXTREME_VALUES:
                        yield method, base, {parameter["name"]: json.dumps(value)}, None
                        if isinstance(value, str):
                            yield method, base, {parameter["name"]: value}, None
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                fields = _properties(schema, body["schema"])
                for field in fields or ["payload"]:
                    for value in EXTREME_VALUES:
                        yield method, base, {}, {field: value}
                for value in EXTREME_VALUES:
                    yield method, base, {}, value


def _properties(schema: dict, body: dict) -> list[str]:
    ref = body.get("$ref")
    if ref:
        body = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return list(body.get("properties", {}))


@pytest.mark.slow
@pytest.mark.parametrize("role", ["maria", "alice"])
def test_no_extreme_value_gets_a_server_error(world, role):
    from pacto.api import api

    real = real_path_parameters(world)
    client = ApiClient(getattr(world, role))
    client.client.raise_request_exception = False  # a server error is counted, not raised
    schema = api.get_openapi_schema()
    sent, errors = 0, []
    for method, path, query, body in extreme_requests(schema, real):
        url = "/api" + path if not path.startswith("/api") else path
        kwargs = {"headers": client.headers}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        if method == "get":
            response = client.client.get(url, query, **kwargs)
        else:
            response = getattr(client.client, method)(url, **kwargs)
        sent += 1
        if response.status_code >= 500:
            errors.append(f"{method.upper()} {url} {query or ''} {str(body)[:80]}")
    print(f"\n[fuzz] extreme values as {role}: {sent} requests, {len(errors)} server errors")
    assert sent > 500
    assert errors == []
