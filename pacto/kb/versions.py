"""Version lists of knowledge-base articles ("3.31, >=3.32 <4.0"): reading them, matching a
version against them, and which articles a reader's installed versions leave out. Both the
catalogue helpers and the reader's scope use these, so they sit below both."""

from __future__ import annotations

import re
from collections import defaultdict

from pacto.catalog.models import version_key
from pacto.errors import ActionError

NUMBER = r"[0-9A-Za-z][0-9A-Za-z.\-_]*"
COMPARISON = re.compile(rf"^(>=|<=|>|<|=)?\s*({NUMBER})$")
CONDITION = re.compile(rf"(>=|<=|>|<|=)?\s*({NUMBER})")
ENTRY = re.compile(rf"(?:(?:>=|<=|>|<|=)?\s*{NUMBER}\s*)+")


def parse_versions(spec: str) -> list[list[tuple[str, str]]]:
    """``"3.31, >=4.0 <4.2"`` → ``[[("", "3.31")], [(">=", "4.0"), ("<", "4.2")]]``; an
    ActionError naming ``versions`` when an entry is not a version or comparison."""
    entries = []
    for entry in (spec or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        if not ENTRY.fullmatch(entry):
            raise ActionError(
                "versions", "version_list",
                f"{entry!r} is not a version (3.31) or a comparison (>=3.31 <3.33)",
            )  # fmt: skip
        conditions = [(op or "", number) for op, number in CONDITION.findall(entry)]
        if not conditions:
            raise ActionError("versions", "version_list", f"{entry!r} is not a version")
        entries.append(conditions)
    return entries


def _holds(op: str, number: str, key: tuple) -> bool:
    other = version_key(number)
    if op == "":
        return key[: len(other)] == other
    return {
        "=": key == other,
        ">=": key >= other,
        ">": key > other,
        "<=": key <= other,
        "<": key < other,
    }[op]


def version_matches(spec: str, number: str) -> bool:
    """Whether version ``number`` is in the list ``spec`` (an empty list: every version)."""
    entries = parse_versions(spec)
    if not entries:
        return True
    key = version_key(number)
    return any(all(_holds(op, n, key) for op, n in entry) for entry in entries)


def excluded_by_version(
    products: frozenset[str] | None,
    installed: dict[str, list[str] | None] | None,
    *,
    product: str = "",
    version: str = "",
) -> frozenset[int]:
    """The articles whose version lists leave out every version the reader runs (or the one
    version asked for): hidden although their product is covered.

    ``products``: the reader's products (None: all, for staff); ``installed``: their
    installed versions (None: not known, for staff)."""
    from pacto.kb.models import ArticleProduct

    considered = products
    if product:
        key = product.strip().lower()
        considered = frozenset({key}) if products is None or key in products else frozenset()
    if version:
        installed = None
    elif not installed:
        return frozenset()
    restricted = ArticleProduct.objects.exclude(versions="")
    if considered is not None:
        restricted = restricted.filter(product_key__in=considered)
    candidates = set(restricted.values_list("article_id", flat=True))
    if not candidates:
        return frozenset()
    rows = defaultdict(list)
    for article_id, key, versions in ArticleProduct.objects.filter(
        article_id__in=candidates
    ).values_list("article_id", "product_key", "versions"):
        if considered is None or key in considered:
            rows[article_id].append((key, versions))

    def applies(key: str, versions: str) -> bool:
        if not versions:
            return True
        running = [version] if version else installed.get(key)
        if running is None:
            return True
        return any(version_matches(versions, number) for number in running)

    return frozenset(
        article_id
        for article_id, lines in rows.items()
        if not any(applies(key, versions) for key, versions in lines)
    )
