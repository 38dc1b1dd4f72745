"""Demo data for the email channel's fidelity rules: a senhasegura ticket emailed as
"URGENTE …", whose acknowledgement says the severity came from the subject, and whose
refused attachment the sender is told about (and the agent sees as an internal note)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from django.conf import settings

from pacto.mail.ingest import ingest_message


def load(demo: Any) -> None:
    rafael = demo.people["rafael"]
    message = EmailMessage()
    message["From"] = f"{rafael.full_name} <{rafael.email}>"
    message["To"] = settings.PACTO_SUPPORT_ADDRESS
    message["Subject"] = "URGENTE - cofre fora do ar na filial"
    message["Message-ID"] = "<demo-urgente@bancoazul.example>"
    message.set_content("Ninguém na filial consegue abrir o cofre desde as 8h.")
    message.add_attachment(b"MZ" * 64, maintype="application", subtype="octet-stream",
                           filename="diagnostico.exe")  # fmt: skip
    message.add_attachment(b"vault: error 500\n" * 20, maintype="text", subtype="plain",
                           filename="vault.log")  # fmt: skip
    ingest_message(message.as_bytes(), now=demo.ago(hours=2), source="demo")
