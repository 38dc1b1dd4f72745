"""Moved to ``pacto.testing`` (helpers) and the root ``conftest.py`` (the ``clock`` and
``media_root`` fixtures). This module stays only until the branches that still import it
have landed; new tests import from ``pacto.testing`` and use the root fixtures."""

import pytest

from pacto.testing import (  # noqa: F401
    HOLIDAY_EVE,
    NOW,
    Clock,
    client_for,
    open_ticket,
    problem_form,
    text,
)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
