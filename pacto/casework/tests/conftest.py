import pytest


@pytest.fixture(autouse=True)
def _pages(media_root):
    """Every page test: uploads in a folder of its own, and an empty cache."""
