"""A policy's customer-facing texts in the reader's language (the ``translations`` block)."""

from __future__ import annotations

import pytest

from pacto.sla.policy import PRESETS, PolicyError, loads_policy, preset, preset_names


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_names_its_severities_statuses_and_plans_in_portuguese(name):
    original = preset(name)
    portuguese = original.localized("pt-br")

    for section in ("severities", "statuses", "plans"):
        for before, after in zip(
            getattr(original, section), getattr(portuguese, section), strict=True
        ):
            assert after.id == before.id
            assert after.name != before.name or section == "plans", (section, before.id)
    assert [s.definition for s in portuguese.severities] != [
        s.definition for s in original.severities
    ]
    # Only texts change: the clocks' rules are the very same objects.
    assert portuguese.targets is original.targets
    assert portuguese.calendar().zone == original.calendar().zone


def test_an_untranslated_text_stays_whole_in_the_original_language():
    secpod = preset("secpod")
    assert secpod.localized("en") is secpod
    assert secpod.localized("pt_BR").severity("critical").name == "Crítica"
    assert secpod.localized("pt").severity("critical").name == "Crítica"
    allure = preset("allure").localized("pt-br")
    pending = allure.status("pending")
    assert pending.name == "Em andamento" and pending.description is None


def test_a_translation_of_an_undefined_severity_is_refused():
    text = (PRESETS / "secpod.yaml").read_text(encoding="utf-8")
    bad = text.replace(
        "    severities:\n      critical:\n", "    severities:\n      sev9:\n        name: X\n"
        "      critical:\n", 1,
    )  # fmt: skip
    assert bad != text

    with pytest.raises(PolicyError, match=r"translations.pt-br.severities: 'sev9' is not"):
        loads_policy(bad, "secpod.yaml")
