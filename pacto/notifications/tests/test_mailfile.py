"""Development email goes to one file, appended, never to the terminal."""

from __future__ import annotations

from django.core.mail import EmailMessage


def test_every_message_is_appended_to_the_one_mail_file(settings, tmp_path, capsys):
    path = tmp_path / "mail" / "outbox.eml"
    settings.MAILERS = {
        "default": {
            "BACKEND": "pacto.notifications.mailfile.EmailBackend",
            "OPTIONS": {"path": path},
        }
    }

    EmailMessage("[#1] Vault down", "First", to=["rafael@bancoazul.example"]).send()
    EmailMessage("[#2] Ação necessária", "Segundo", to=["rafael@bancoazul.example"]).send()

    text = path.read_text(encoding="utf-8")
    assert "Subject: [#1] Vault down" in text
    assert "Segundo" in text
    assert text.count("-" * 79) == 2
    assert capsys.readouterr().out == ""
