import pytest

from pacto.catalog.tests.fixtures import Catalogue, build_catalogue


@pytest.fixture
def catalogue(world) -> Catalogue:
    """The test catalogue of ``fixtures.py`` on top of the named world."""
    return build_catalogue(world)
