"""Test-wide setup.

Which database the tests use is decided in pacto/settings.py: pytest-django loads the
settings before this file, and they take PACTO_TEST_DATABASE_URL when it is set. pytest-django
then creates a throwaway test database next to it (`test_<name>` on PostgreSQL, in memory
on SQLite) and drops it at the end.

Here every test that touches the database is marked `database`, so `make test` can run
exactly those again on PostgreSQL (`pytest -m "database or postgres"`), and tests marked
`postgres` are skipped when the database is not PostgreSQL.
"""

import pytest

DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "database: touches the database (added automatically, see conftest.py)"
    )


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    vendor = database["ENGINE"].rsplit(".", 1)[-1]
    if vendor == "sqlite3":
        return f"database: {vendor}, test database in memory"
    name = database["TEST"].get("NAME") or f"test_{database['NAME']}"
    return f"database: {vendor}, test database {name} on {database['HOST']}:{database['PORT']}"


def uses_database(item) -> bool:
    from django.test import TransactionTestCase

    if item.get_closest_marker("django_db") or item.get_closest_marker("postgres"):
        return True
    if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    cls = getattr(item, "cls", None)
    return cls is not None and issubclass(cls, TransactionTestCase)


# tryfirst: the markers must be on the items before pytest applies `-m`.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    from django.db import connection

    not_postgres = pytest.mark.skip(reason="needs PostgreSQL (set PACTO_TEST_DATABASE_URL)")
    for item in items:
        if uses_database(item):
            item.add_marker("database")
        if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
            item.add_marker(not_postgres)


@pytest.fixture
def clock(monkeypatch):
    """``timezone.now()`` pinned at ``pacto.testing.NOW`` (see ``Clock``) for this test."""
    from pacto.testing import Clock

    return Clock(monkeypatch)


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads in a folder of this test, and an empty cache (rate limits, sessions' throttles).
    The page tests' conftests use it for every test; other tests ask for it by name."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    return settings.MEDIA_ROOT


@pytest.fixture
def rate_window():
    """Starts the test well inside an hour's rate window (sleeping past the edge when fewer
    than 30 seconds of the hour are left), so a count of ``N/hour`` cannot be split by a new
    window in the middle of the test. Returns the rate's period, ``"hour"``."""
    import time

    left = 3600 - time.time() % 3600
    if left < 30:
        time.sleep(left + 0.1)
    return "hour"


@pytest.fixture
def smtp(settings):
    """An SMTP server on 127.0.0.1 (aiosmtpd) that Pacto's default mailer sends to."""
    from pacto.notifications.tests.servers import SmtpServer

    server = SmtpServer().start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
        }
    }
    yield server
    server.stop()


@pytest.fixture
def world(db):
    """The named world of ``pacto.testing``, for every app's tests and the cross-app ones."""
    from pacto.testing import build_world

    return build_world()
