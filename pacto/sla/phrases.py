"""Sentences the engine says, kept as data until someone reads them.

An explanation line is a ``Phrase``: its English text with ``%(name)s`` placeholders — the
msgid a gettext catalogue translates — and its parameters, kept typed (an instant, a
duration, a policy target, a status or severity by id) so that a reader's renderer writes
each one in the reader's language, zone and date format. The engine stays pure: it never
translates anything itself; ``render`` takes the ``Words`` of a reader. ``ENGLISH`` (the
command line, the API) writes the lines exactly as the engine always has.

Phrases travel as JSON (``to_json``/``from_json``) so a stored clock is rendered at display
time, in the language of whoever opens it. Texts are marked with ``gettext_noop`` so the
project's catalogue extraction finds them; here it only returns its argument.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from pacto.sla.units import Duration, describe


def gettext_noop(text: str) -> str:
    """Marks ``text`` as a catalogue msgid (the extractor knows this name); returns it."""
    return text


@dataclass(frozen=True)
class Ref:
    """A policy object named by id — ``kind`` is status, severity, plan, channel,
    environment, type or metric; ``text`` is how the engine wrote it in English."""

    kind: str
    id: str
    text: str


@dataclass(frozen=True)
class Series:
    """Several values joined by a separator (itself a msgid: ``" or "``, ``", "``)."""

    items: tuple
    sep: str = ", "


@dataclass(frozen=True)
class Phrase:
    text: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return render(self, ENGLISH)


class Words(Protocol):
    """How a reader writes a phrase's pieces."""

    def translate(self, text: str) -> str: ...
    def when(self, instant: dt.datetime) -> str: ...
    def duration(self, delta: dt.timedelta) -> str: ...
    def target(self, target: Duration) -> str: ...
    def name(self, ref: Ref) -> str: ...


class _English:
    def __init__(self, tz: dt.tzinfo | None = None) -> None:
        self.tz = tz

    def translate(self, text: str) -> str:
        return text

    def when(self, instant: dt.datetime) -> str:
        local = instant.astimezone(self.tz) if self.tz else instant
        return f"{local:%a %Y-%m-%d %H:%M} {local.tzname()}"

    def duration(self, delta: dt.timedelta) -> str:
        return describe(delta)

    def target(self, target: Duration) -> str:
        return str(target)

    def name(self, ref: Ref) -> str:
        return ref.text


ENGLISH = _English()


def english(tz: dt.tzinfo | None = None) -> Words:
    return _English(tz)


def render(value, words: Words) -> str:
    """A phrase (or any parameter) as the reader reads it. A plain string is shown as is:
    it is a text someone wrote (a reason, a holiday's name), never translated in part."""
    match value:
        case Phrase(text=text, params=params):
            translated = words.translate(text)
            if not params:
                return translated
            return translated % {key: render(v, words) for key, v in params.items()}
        case Series(items=items, sep=sep):
            return words.translate(sep).join(render(item, words) for item in items)
        case Ref():
            return words.name(value)
        case dt.datetime():
            return words.when(value)
        case dt.timedelta():
            return words.duration(value)
        case Duration():
            return words.target(value)
        case None:
            return "-"
        case _:
            return str(value)


# ----------------------------------------------------------------------------- JSON


def to_json(value):
    match value:
        case Phrase(text=text, params=params):
            out: dict = {"text": text}
            if params:
                out["params"] = {k: to_json(v) for k, v in params.items()}
            return out
        case Series(items=items, sep=sep):
            return {"series": [to_json(i) for i in items], "sep": sep}
        case Ref(kind=kind, id=id_, text=text):
            return {"ref": kind, "id": id_, "as": text}
        case dt.datetime():
            return {"at": value.isoformat()}
        case dt.timedelta():
            return {"seconds": value.total_seconds()}
        case Duration():
            return {"target": str(value)}
        case _:
            return value


def from_json(value):
    """The inverse of ``to_json``; a stored plain string (a line written before phrases
    were stored) comes back as itself."""
    if not isinstance(value, dict):
        return value
    if "text" in value:
        return Phrase(value["text"], {k: from_json(v) for k, v in value.get("params", {}).items()})
    if "series" in value:
        return Series(tuple(from_json(i) for i in value["series"]), value.get("sep", ", "))
    if "ref" in value:
        return Ref(value["ref"], value["id"], value.get("as", value["id"]))
    if "at" in value:
        return dt.datetime.fromisoformat(value["at"])
    if "seconds" in value:
        return dt.timedelta(seconds=value["seconds"])
    if "target" in value:
        return Duration.parse(value["target"])
    return value


__all__ = [
    "ENGLISH",
    "Phrase",
    "Ref",
    "Series",
    "Words",
    "english",
    "from_json",
    "gettext_noop",
    "render",
    "to_json",
]  # fmt: skip
