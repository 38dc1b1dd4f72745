"""``pacto availability``: ``compute`` is the pure engine, ``import`` a Django command."""

from __future__ import annotations


def test_the_availability_command_never_imports_django():
    import subprocess
    import sys

    code = (
        "import sys; from pacto.cli import main; "
        "status = main(['pacto', 'availability', 'compute', '--help']); "
    )
    result = subprocess.run(
        [sys.executable, "-c", code + "print('django' in sys.modules)"],
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip().endswith("False"), result.stdout + result.stderr


def test_availability_import_is_dispatched_to_the_django_command():
    from pacto.cli import DJANGO_SUBCOMMANDS

    assert DJANGO_SUBCOMMANDS[("availability", "import")] == "availability_import"
