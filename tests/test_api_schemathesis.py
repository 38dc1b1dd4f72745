"""Schemathesis over /api/openapi.json: generated requests, valid and invalid, to every
operation, as a staff member and as a contact, must never get a server error (5xx).

It drives the Django WSGI application in-process through schemathesis's Python API
(``schemathesis.openapi.from_wsgi``), inside the test's database transaction. Path ids are
drawn from the real objects of the named world as well as at random, so generated bodies
reach the actions rather than stopping at "not found".

A bounded number of examples per operation keeps the run under a minute; raise
``PACTO_SCHEMATHESIS_EXAMPLES`` to search harder. Examples are derandomized, so a run is
reproducible and CI is not flaky.
"""

from __future__ import annotations

import os
import re

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


def test_no_generated_request_gets_a_server_error(world, api_schema):
    real = real_path_parameters(world)
    people = {
        "maria (staff)": ApiClient(world.maria),
        "alice (contact)": ApiClient(world.alice),
    }
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 30

    for operation in operations:
        for who, client in people.items():
            try:
                fuzz(operation, real, client.headers)
            except Exception as error:
                error.add_note(f"{operation.method.upper()} {operation.path} as {who}")
                raise
