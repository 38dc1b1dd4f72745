"""Fixtures of the cross-app tests: the named world (as in ``pacto/conftest.py``)."""

import pytest

from pacto.testing import World, build_world


@pytest.fixture
def world(db) -> World:
    return build_world()
