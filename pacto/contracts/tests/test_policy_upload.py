"""Hostile policy files sent to ``POST /api/policies/validate``: refused quickly with a
clear 422, before the YAML is built into anything."""

from __future__ import annotations

from pacto.tickets.tests.test_api import ApiClient, fields, frozen_now  # noqa: F401 (fixture)


def validate(world, text: str):
    alice = ApiClient(world.alice)
    return alice.client.post(
        "/api/policies/validate", text, content_type="text/yaml", headers=alice.headers
    )


def test_a_policy_nested_a_hundred_thousand_levels_deep_is_refused(world):
    response = validate(world, "[" * 100_000 + "]" * 100_000)

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert "nested more than 40 levels deep" in error["message"]


def test_a_policy_of_nested_block_sequences_is_refused(world):
    response = validate(world, "- " * 5_000 + "x\n")

    assert response.status_code == 422
    assert "nested more than" in response.json()["detail"][0]["message"]


def test_a_policy_file_larger_than_200_000_characters_is_refused_before_parsing(world):
    big = "\n".join(f"k{i}: [a, b, {{c: d}}]" for i in range(20_000))

    response = validate(world, big)

    assert response.status_code == 422
    assert fields(response) == [("file", "max_size")]
