"""`pacto backup FILE` and `pacto restore FILE` round-trip a whole installation: every table
and every uploaded file, restored into an empty database."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from pacto.portal.backup import _models, media_files
from pacto.testing import open_ticket
from pacto.tickets.actions import do_change_status, do_reply


def everything() -> dict[str, list[str]]:
    """Every row of every table, serialized with natural keys (ids and all)."""
    return {
        model._meta.label_lower: [
            serializers.serialize("json", [o], use_natural_foreign_keys=True)
            for o in model._default_manager.order_by("pk")
        ]
        for model in _models()
    }


def uploaded(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in media_files()}


def test_a_backup_restored_into_an_empty_database_holds_every_row_and_file(
    world, transactional_db, clock, settings, tmp_path
):
    ticket = open_ticket(world.alice)
    log = SimpleUploadedFile("vault.log", b"ERROR 500 key cache", content_type="text/plain")
    do_reply(world.alice, ticket, "Here are the logs.", attachments=[log])
    do_reply(world.fiona, ticket, "Looks like the key cache.", public=False)
    do_change_status(world.fiona, ticket, "solved", reason="cache rebuilt")
    before, files_before = everything(), uploaded(Path(settings.MEDIA_ROOT))
    archive = tmp_path / "pacto.zip"

    progress = StringIO()
    call_command("backup", str(archive), stdout=StringIO(), stderr=progress)
    call_command("flush", interactive=False, verbosity=0)  # an empty database
    for file in media_files():
        file.unlink()
    call_command("restore", str(archive), stdout=StringIO(), stderr=progress)

    assert everything() == before
    assert uploaded(Path(settings.MEDIA_ROOT)) == files_before
    assert sum(len(rows) for rows in before.values()) > 40
    assert "100%" in progress.getvalue()
    # The restored desk goes on: new rows get fresh ids.
    assert open_ticket(world.carol).pk > ticket.pk


def test_restoring_into_a_database_that_holds_data_is_refused(world, tmp_path):
    archive = tmp_path / "pacto.zip"
    call_command("backup", str(archive), stdout=StringIO(), stderr=StringIO())

    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(archive), stdout=StringIO(), stderr=StringIO())
