"""A refused attachment in the portal and the console: the form says so before anything is
saved, so retrying never duplicates a reply or a ticket."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from pacto.testing import client_for, open_ticket, problem_form
from pacto.tickets.models import Attachment, Message, Ticket


def refused_file():
    return SimpleUploadedFile("payload.exe", b"MZ\x90\x00", content_type="application/x-msdownload")


def test_a_refused_file_in_alices_reply_saves_nothing_and_says_why(world, clock):
    ticket = open_ticket(world.alice)

    response = client_for(world.alice).post(
        f"/tickets/{ticket.pk}/reply/", {"body": "Here is the tool.", "attachment": refused_file()}
    )

    assert response.status_code == 422
    assert "payload.exe: files of this type are not accepted" in response.content.decode()
    assert Message.objects.filter(ticket=ticket).count() == 1  # the opening message only
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_in_alices_reply_saves_nothing(world, clock, settings):
    settings.PACTO_ATTACHMENT_MAX_BYTES = 10
    ticket = open_ticket(world.alice)
    upload = SimpleUploadedFile("big.log", b"x" * 11, content_type="text/plain")

    response = client_for(world.alice).post(
        f"/tickets/{ticket.pk}/reply/", {"body": "Logs.", "attachment": upload}
    )

    assert response.status_code == 422
    assert "big.log is larger than" in response.content.decode()
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_a_refused_file_on_the_new_ticket_form_opens_no_ticket(world, clock):
    response = client_for(world.alice).post(
        "/tickets/new/", {**problem_form(), "attachment": refused_file()}
    )

    assert response.status_code == 422
    assert "payload.exe: files of this type are not accepted" in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_refused_file_in_an_agents_reply_saves_nothing(world, clock):
    ticket = open_ticket(world.alice)

    response = client_for(world.fiona).post(
        f"/console/tickets/{ticket.pk}/reply/",
        {"body": "Try this.", "visibility": "public", "attachment": refused_file()},
    )

    assert response.status_code == 422
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_an_agents_reply_and_its_file_are_saved_together(world, clock):
    ticket = open_ticket(world.alice)
    upload = SimpleUploadedFile("fix.txt", b"restart the vault", content_type="text/plain")

    response = client_for(world.fiona).post(
        f"/console/tickets/{ticket.pk}/reply/",
        {"body": "Try this.", "visibility": "public", "attachment": upload},
    )

    assert response.status_code == 302
    reply = Message.objects.filter(ticket=ticket).last()
    assert reply.attachments.get().name == "fix.txt"


def test_a_portuguese_speaker_reads_why_the_file_was_refused_in_portuguese(world, clock):
    world.alice.language = "pt-br"
    world.alice.save(update_fields=["language"])
    ticket = open_ticket(world.alice)

    response = client_for(world.alice).post(
        f"/tickets/{ticket.pk}/reply/", {"body": "Segue.", "attachment": refused_file()}
    )

    assert "payload.exe: arquivos deste tipo não são aceitos" in response.content.decode()
