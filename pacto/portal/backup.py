"""Backup and restore of a whole installation: every table of every installed app (Django's
serialization, with natural keys for content types and permissions so that the archive loads
into any freshly migrated database) and every file under the media root.

The archive is a zip: ``manifest.json`` (format, Pacto version, row counts per table),
``data.jsonl`` (one serialized object per line, in dependency order) and ``media/…``.
Restoring writes all rows in one transaction with constraint checks deferred, resets the
primary-key sequences (PostgreSQL) and copies the files back; it refuses a database that
already holds data, so a restore never mixes two installations.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.db import connection, transaction

FORMAT = "pacto-backup/1"
# Rebuilt by `pacto migrate` in every database (and referred to by natural keys).
SKIPPED = {"contenttypes.contenttype", "auth.permission"}
# Present in a freshly migrated database (created by migrations; `pacto migrate` also stores
# the shipped presets as policy versions), hence "empty" allows them.
CREATED_BY_MIGRATE = SKIPPED | {"sites.site", "contracts.policyversion"}


class RestoreError(Exception):
    pass


def _models():
    models = [
        model
        for app in apps.get_app_configs()
        for model in app.get_models()
        if model._meta.label_lower not in SKIPPED and not model._meta.proxy and model._meta.managed
    ]
    return serializers.sort_dependencies([(None, models)], allow_cycles=True)


class Progress:
    """A one-line progress bar on ``stream`` (none when ``stream`` is None)."""

    def __init__(self, stream, total: int, label: str):
        self.stream, self.total, self.label, self.done = stream, max(total, 1), label, 0

    def step(self, what: str = "", count: int = 1) -> None:
        self.done += count
        if self.stream is None:
            return
        filled = int(30 * self.done / self.total)
        bar = "#" * filled + "." * (30 - filled)
        percent = 100 * self.done // self.total
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d}% {what[:40]:<40}", ending="")
        self.stream.flush()

    def finish(self) -> None:
        if self.stream is not None:
            self.stream.write("")


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _counted(rows, bar: Progress, label: str):
    for row in rows:
        yield row
        bar.step(label)


def write_backup(path: str, *, progress=None) -> dict:
    models = _models()
    counts = {model._meta.label_lower: model._default_manager.count() for model in models}
    files = media_files()
    bar = Progress(progress, sum(counts.values()) + len(files), "backup")
    root = Path(settings.MEDIA_ROOT)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("data.jsonl", "w") as raw, io.TextIOWrapper(raw, "utf-8") as out:
            for model in models:
                label = model._meta.label_lower
                rows = model._default_manager.order_by("pk").iterator(chunk_size=2000)
                serializers.serialize(
                    "jsonl", _counted(rows, bar, label), stream=out,
                    use_natural_foreign_keys=True,
                )  # fmt: skip
        for file in files:
            archive.write(file, f"media/{file.relative_to(root).as_posix()}")
            bar.step(file.name)
        manifest = {"format": FORMAT, "tables": counts, "files": len(files)}
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    bar.finish()
    return {"rows": sum(counts.values()), "tables": len(counts), "files": len(files)}


def _holds_data() -> list[str]:
    return [
        model._meta.label_lower
        for model in _models()
        if model._meta.label_lower not in CREATED_BY_MIGRATE and model._default_manager.exists()
    ]


def read_backup(path: str, *, progress=None) -> dict:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise RestoreError(f"{path}: not a pacto backup ({error})") from None
    with archive:
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except (KeyError, ValueError):
            raise RestoreError(f"{path}: not a pacto backup (no manifest.json)") from None
        if manifest.get("format") != FORMAT:
            raise RestoreError(f"{path}: format {manifest.get('format')!r}, expected {FORMAT}")
        if busy := _holds_data():
            raise RestoreError(
                f"the database already holds data ({', '.join(busy[:5])}…); restore into an "
                "empty database: create it, run `pacto migrate`, then `pacto restore`"
            )
        media = [n for n in archive.namelist() if n.startswith("media/") and not n.endswith("/")]
        total = sum(manifest["tables"].values()) + len(media)
        bar = Progress(progress, total, "restore")
        loaded: Counter[str] = Counter()
        with transaction.atomic(), connection.constraint_checks_disabled():
            for model in {m for m in _models() if m._meta.label_lower in CREATED_BY_MIGRATE}:
                model._default_manager.all().delete()  # the archive's rows replace them
            with archive.open("data.jsonl") as raw, io.TextIOWrapper(raw, "utf-8") as lines:
                for obj in serializers.deserialize("jsonl", lines):
                    obj.save()
                    label = obj.object._meta.label_lower
                    loaded[label] += 1
                    bar.step(label)
            connection.check_constraints()
            _reset_sequences()
        root = Path(settings.MEDIA_ROOT)
        for name in media:
            target = root / name.removeprefix("media/")
            if not target.resolve().is_relative_to(root.resolve()):
                raise RestoreError(f"{path}: {name} points outside the media directory")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(name))
            bar.step(target.name)
        bar.finish()
    return {"rows": sum(loaded.values()), "tables": len(manifest["tables"]), "files": len(media)}


def _reset_sequences() -> None:
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(_models()))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
