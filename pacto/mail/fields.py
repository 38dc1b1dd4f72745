"""What a customer states in an email: severity, version, product, environment and the
details the policies ask for (senhasegura §7.6, Xecuritas "recorded information").

Customers are asked (in the acknowledgement, and in docs/email.md) to write them as
``Label: value`` lines, in English or Portuguese::

    Criticidade: C2 - Alta
    Versão: 3.31.2
    Passos para reproduzir:
    1. Abrir o cofre
    2. Buscar a credencial

A value runs on over the following lines until a blank line or the next label. The subject
may state the severity too: ``[C1] Cofre fora do ar``, ``Severity: High - login fails``.
"""

from __future__ import annotations

import re
import unicodedata

from pacto.sla.policy import Policy


def _norm(value: str) -> str:
    """Lower case, no accents, ``-``/``_``/``*`` as spaces, single spaces."""
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(ch for ch in value if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[-_*]+", " ", value).split())


_LABELS = {
    "severity": [
        "severity", "severity level", "severidade", "criticality", "criticidade", "priority",
        "prioridade", "nivel de criticidade", "nivel de severidade",
    ],
    "version": [
        "version", "software version", "product version", "versao", "versao do software",
        "versao do produto",
    ],
    "product": ["product", "produto", "module", "modulo"],
    "environment": ["environment", "ambiente"],
    "steps": [
        "steps", "steps to reproduce", "commands", "commands and steps", "procedure",
        "procedures", "passos", "passos para reproduzir", "comandos", "procedimento",
        "procedimentos", "comandos e procedimentos",
    ],
    "expected_result": ["expected result", "expected", "resultado esperado"],
    "obtained_result": [
        "obtained result", "actual result", "result obtained", "result", "symptoms",
        "resultado obtido", "resultado", "sintomas",
    ],
    "circumstances": [
        "circumstances", "circumstances of discovery", "circunstancias",
        "circunstancias da descoberta",
    ],
    "hardware_os": [
        "hardware/os", "hardware / os", "hardware and os", "hardware and operating system",
        "operating system", "os", "hardware e sistema operacional", "sistema operacional",
        "so",
    ],
    "workaround": ["workaround", "contorno", "solucao de contorno", "paliativo"],
    "customer": ["customer", "cliente", "organization", "organizacao", "empresa", "company"],
}  # fmt: skip
LABELS = {_norm(label): name for name, labels in _LABELS.items() for label in labels}
_LABEL_LINE = re.compile(r"^\s*[-*•]?\s*\**([^:\n=]{1,60}?)\**\s*[:=]\s*(.*)$")


def form_fields(text: str) -> dict[str, str]:
    """``Label: value`` lines the customer wrote, by field name (first occurrence wins)."""
    fields: dict[str, str] = {}
    current: str | None = None
    for line in (text or "").splitlines():
        if line.lstrip().startswith(">"):
            current = None
            continue
        match = _LABEL_LINE.match(line)
        name = LABELS.get(_norm(match.group(1))) if match else None
        if name:
            current = name if name not in fields else None
            if current:
                fields[current] = match.group(2).strip()
            continue
        if not line.strip():
            current = None if current is None or fields.get(current) else current
            continue
        if current:
            fields[current] = (fields[current] + "\n" + line.strip()).strip()
    return {name: value[:5000] for name, value in fields.items() if value}


# Portuguese severity words, as their English equivalents in the presets' names.
_PT_WORDS = {
    "urgente": "urgent", "critica": "critical", "critico": "critical", "alta": "high",
    "alto": "high", "media": "medium", "medio": "medium", "baixa": "low", "baixo": "low",
    "altissima": "highest", "muito alta": "highest", "muito baixa": "lowest",
    "baixissima": "lowest", "severidade": "severity",
}  # fmt: skip


def match_severity(policy: Policy, value: str) -> str | None:
    """The policy's severity a customer's words name: its id, name or label (``C2``,
    ``sev1``, ``Severity 1``, ``High``, ``Alta``, ``C2 - High``); None if none or several."""
    names: dict[str, set[str]] = {}
    for severity in policy.severities:
        for form in (severity.id, severity.name, severity.label or "", *severity.aliases):
            if form:
                names.setdefault(_norm(form), set()).add(severity.id)
    value = _norm(value)
    if not value:
        return None
    translated = " ".join(_PT_WORDS.get(word, word) for word in value.split())
    translated = _PT_WORDS.get(value, translated)
    pieces = [value, translated]
    for text in (value, translated):
        pieces += [p.strip() for p in re.split(r"\s+-\s+|[(),/;]|\s-|-\s", text) if p.strip()]
        pieces += text.split()
    for piece in pieces:
        found = names.get(piece)
        if found and len(found) == 1:
            return next(iter(found))
    return None


_SUBJECT_SEVERITY = re.compile(
    r"(?:severity|severidade|criticality|criticidade|priority|prioridade)\s*[:=]?\s*"
    r"([\w.]+(?:\s*-\s*\w+)?)",
    re.IGNORECASE,
)
_BRACKET = re.compile(r"\[([^\[\]#]{1,30})\]")


def severity_in_subject(policy: Policy, subject: str) -> str | None:
    for tag in _BRACKET.findall(subject or ""):
        if found := match_severity(policy, tag):
            return found
    for stated in _SUBJECT_SEVERITY.findall(subject or ""):
        if found := match_severity(policy, stated):
            return found
    return None


def severity_words_in_subject(policy: Policy, subject: str) -> tuple[str, str] | None:
    """The severity a subject names in the words a customer naturally writes, anywhere in
    it: a severity's id, name, label or alias (``urgent``, ``sev1``, ``C1``, ``crítico``),
    as whole words, with the Portuguese severity words translated. Returns ``(severity id,
    the words found)``, or None when none or several severities are named (a bare number is
    too common in subjects to count)."""
    text = _norm(subject)
    translated = " ".join(_PT_WORDS.get(word, word) for word in text.split())
    found: dict[str, str] = {}
    for candidate in (text, translated):  # the customer's own words first
        for severity in policy.severities:
            for form in (severity.id, severity.name, severity.label or "", *severity.aliases):
                words = _norm(form)
                if not words or words.isdigit() or severity.id in found:
                    continue
                if re.search(rf"(?<!\w){re.escape(words)}(?!\w)", candidate):
                    found[severity.id] = form
    if len(found) != 1:
        return None
    return next(iter(found.items()))


# Standard priority headers: X-Priority (1 highest … 5 lowest), Importance (RFC 2156: high,
# normal, low), Priority (RFC 2156: urgent, normal, non-urgent).
_HIGH = {"x-priority": {"1", "2"}, "importance": {"high"}, "priority": {"urgent"}}
_LOW = {"x-priority": {"4", "5"}, "importance": {"low"}, "priority": {"non-urgent"}}


def severity_from_headers(policy: Policy, header) -> tuple[str, str] | None:
    """The severity standard priority headers propose, with the header as written.

    A high priority proposes the policy's second most severe level: the most severe one
    pages the on-call engineer and is taken only from the customer's own words. A low
    priority proposes the least severe level. ``header(name)`` reads one header.
    """
    if len(policy.severities) < 2:
        return None
    for name in ("x-priority", "importance", "priority"):
        raw = (header(name) or "").strip()
        value = raw.split()[0].strip("()").lower() if raw else ""
        if value in _HIGH[name]:
            return policy.severities[1].id, f"{name.title()}: {raw}"
        if value in _LOW[name]:
            return policy.severities[-1].id, f"{name.title()}: {raw}"
    return None


_NON_PRODUCTION = {
    "non production", "nonproduction", "non prod", "nao producao", "homologacao", "staging",
    "test", "testing", "teste", "testes", "qa", "dev", "development", "desenvolvimento",
    "sandbox", "lab", "laboratorio", "pre producao", "preproducao", "hml",
}  # fmt: skip
_PRODUCTION = {"production", "producao", "prod", "prd"}


def environment_of(value: str) -> str | None:
    value = _norm(value)
    if value in _NON_PRODUCTION or any(value.startswith(w + " ") for w in _NON_PRODUCTION):
        return "non-production"
    if value in _PRODUCTION or any(value.startswith(w + " ") for w in _PRODUCTION):
        return "production"
    return None
