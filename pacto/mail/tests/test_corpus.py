"""The corpus: real-world-shaped messages (``mail_corpus/*.eml``), each ingested into the
named world, each with the outcome and the ticket or reply it must become.

New messages are from alice (Banco Azul, senhasegura preset: email defaults to Medium),
paul (a partner serving Banco Azul), carol (Verde Energia, secpod: no default severity for
email), bob (not authorized) and a stranger. Replies answer alice's ticket opened by email
(``alice_ticket``); ``%TICKET%``, ``%TOKEN%`` and ``%OUTBOX%`` are filled in per test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from pacto.mail.models import InboundMessage
from pacto.mail.outbound import reply_token
from pacto.mail.tests.conftest import CORPUS, corpus, ingest
from pacto.notifications.models import Outbox
from pacto.tickets.models import Ticket


@dataclass(frozen=True)
class Expect:
    outcome: str
    severity: str | None = None
    subject: str | None = None
    has: tuple[str, ...] = ()  # in the stored message text
    lacks: tuple[str, ...] = ()  # not in it (quotes, signatures, scripts)
    attachments: tuple[str, ...] = ()
    threaded_by: str | None = None
    ticket_fields: dict = field(default_factory=dict)
    answered: bool = False  # a refusal was queued for the sender


NEW = "ticket_opened"
REPLY = "reply_added"
EXPECTATIONS = {
    # ---- new tickets
    "new_gmail_en.eml": Expect(NEW, "medium", "Password vault search returns error 500",
                               has=('returns "Error 500"', "Thanks,\nAlice")),
    "new_outlook_pt_form.eml": Expect(
        NEW, "high", "Erro na busca de credenciais do cofre", has=("Bom dia", "Álvaro"),
        ticket_fields={"version": "3.31.2", "product": "senhasegura PAM",
                       "environment": "production",
                       "steps": '1. Acessar o cofre\n2. Buscar a credencial "root-db01"',
                       "expected_result": "a senha é exibida",
                       "obtained_result": "erro 500 na tela",
                       "circumstances": "após a atualização de ontem à noite"}),
    "new_subject_severity.eml": Expect(NEW, "urgent", "[C1] Vault down for everyone"),
    "new_html_only.eml": Expect(NEW, "medium", has=("exactly 10 minutes", "SSH sessions"),
                                lacks=("alert", "MsoNormal", "Sessions\n")),
    "new_latin1_8bit.eml": Expect(NEW, subject="Relatório de auditoria não é gerado",
                                  has=("Não foi possível concluir a operação",)),
    "new_cp1252_base64.eml": Expect(NEW, subject="Backup job fails – “timeout”",
                                    has=("Our “critical” backup job fails – see",
                                         "Segurança da Informação")),
    "new_forwarded_gmail.eml": Expect(NEW, subject="Certificate expiry warning on PAM appliance",
                                      has=("Forwarded message", "expires in 5 days")),
    "new_forward_as_attachment.eml": Expect(NEW, subject="Error report from the night shift",
                                            attachments=("Error report.eml",)),
    "new_with_attachments.eml": Expect(NEW, attachments=("rotation.log", "screenshot.png")),
    "new_inline_images.eml": Expect(NEW, attachments=("image001.png",)),
    "new_malformed_headers.eml": Expect(NEW, "medium", has=("freezes on the dashboard — nothing",)),
    "new_giant_body.eml": Expect(NEW, has=("The whole log follows.", "cut at 200000 characters")),
    "new_partner.eml": Expect(NEW, "high", ticket_fields={"version": "3.30.1"}),
    "new_secpod_no_severity.eml": Expect(NEW, "low"),
    # ---- replies to alice's ticket
    "reply_gmail_en_top.eml": Expect(REPLY, has=("fixed it, thank you!",),
                                     lacks=("Please restart", "wrote:"),
                                     threaded_by="in_reply_to"),
    "reply_gmail_pt_references.eml": Expect(REPLY, has=("voltou depois do almoço",),
                                            lacks=("Reinicie", "escreveu"),
                                            threaded_by="references"),
    "reply_outlook_en_token.eml": Expect(REPLY, has=("all services are up", "Best regards"),
                                         lacks=("please send the output", "Sent:"),
                                         threaded_by="reply_token"),
    "reply_outlook_pt_original.eml": Expect(REPLY, has=("Segue a versão: 3.31.2",),
                                            lacks=("Mensagem original", "Qual é"),
                                            threaded_by="subject_tag"),
    "reply_apple_mail_pt.eml": Expect(REPLY, has=("Funcionou depois da reinicialização.",),
                                      lacks=("iPhone", "Reinicie", "escreveu"),
                                      threaded_by="in_reply_to"),
    "reply_thunderbird_interleaved.eml": Expect(REPLY, has=("3.31.2", "Debian 12"),
                                                lacks=("Which version", "Information Security"),
                                                threaded_by="in_reply_to"),
    "reply_outlook_html_pt.eml": Expect(REPLY, has=("Pode encerrar o chamado, obrigado.",),
                                        lacks=("Enviado:", "3.31.3"),
                                        threaded_by="in_reply_to"),
    # ---- refused, ignored
    "refused_unknown_sender.eml": Expect("refused_unauthorized", answered=True),
    "refused_unauthorized_contact.eml": Expect("refused_unauthorized", answered=True),
    "ignored_out_of_office.eml": Expect("ignored_auto"),
    "ignored_exchange_autoreply_pt.eml": Expect("ignored_auto"),
    "ignored_precedence_bulk.eml": Expect("ignored_auto"),
    "ignored_bounce_dsn.eml": Expect("ignored_auto"),
    "ignored_own_message_loop.eml": Expect("ignored_loop"),
}  # fmt: skip


def test_every_corpus_file_has_an_expectation():
    assert sorted(p.name for p in CORPUS.glob("*.eml")) == sorted(EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_it_turns_the_corpus_message_into_what_is_expected(name, alice_ticket):
    expect = EXPECTATIONS[name]
    ack = Outbox.objects.get(ticket=alice_ticket, kind="ticket_opened")
    raw = corpus(name, ticket=alice_ticket.pk, token=reply_token(alice_ticket), outbox=ack.pk)
    tickets_before = Ticket.objects.count()
    outbox_before = Outbox.objects.count()

    record = ingest(raw)

    assert record.outcome == expect.outcome, record.detail
    assert InboundMessage.objects.filter(pk=record.pk).exists()
    if expect.outcome == NEW:
        ticket = record.ticket
        assert ticket.channel == "email" and ticket.pk != alice_ticket.pk
        assert Ticket.objects.count() == tickets_before + 1
        message = ticket.messages.order_by("id").first()
    elif expect.outcome == REPLY:
        ticket = record.ticket
        assert ticket.pk == alice_ticket.pk
        assert record.threaded_by == expect.threaded_by
        assert Ticket.objects.count() == tickets_before
        message = ticket.messages.order_by("id").last()
        assert message.author.email == "alice@azul.example" and message.channel == "email"
    else:
        assert Ticket.objects.count() == tickets_before
        assert alice_ticket.messages.count() == 1
        queued = Outbox.objects.filter(kind="mail_refused").count()
        assert queued == (1 if expect.answered else 0)
        if not expect.answered:
            assert Outbox.objects.count() == outbox_before, "nothing is sent"
        return
    if expect.severity:
        assert ticket.severity == expect.severity
    if expect.subject:
        assert ticket.subject == expect.subject
    for field_name, value in expect.ticket_fields.items():
        assert getattr(ticket, field_name) == value, field_name
    for text in expect.has:
        assert text in message.body_text
    for text in expect.lacks:
        assert text not in message.body_text
    names = sorted(a.name for a in ticket.attachments.all())
    assert names == sorted(expect.attachments)
