"""Fixtures shared by every app's tests: the named world of ``pacto.testing``."""

import pytest

from pacto.testing import World, build_world


@pytest.fixture
def world(db) -> World:
    return build_world()
