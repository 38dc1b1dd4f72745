"""Files on the ticket page: images and text logs shown in the page, everything else a
download, all behind the ticket's own access rules."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from pacto.testing import client_for, open_ticket
from pacto.tickets.actions import do_reply

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _reply_with(actor, ticket, name, content, public=True):
    upload = SimpleUploadedFile(name, content, content_type="text/html")
    message = do_reply(actor, ticket, "See the file.", public=public, attachments=[upload])
    return message.attachments.get()


def test_alice_sees_her_screenshot_and_her_log_on_the_ticket_page(world, clock):
    ticket = open_ticket(world.alice)
    image = _reply_with(world.alice, ticket, "screen.png", PNG)
    _reply_with(world.alice, ticket, "vault.log", b"ERROR vault: <script>alert(1)</script>")

    page = client_for(world.alice).get(f"/tickets/{ticket.pk}/").content.decode()

    assert f'<img src="/tickets/{ticket.pk}/attachments/{image.pk}/"' in page
    assert "ERROR vault: &lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_image_is_sent_inline_as_an_image_and_never_sniffed(world, clock):
    ticket = open_ticket(world.alice)
    image = _reply_with(world.alice, ticket, "screen.png", PNG)

    response = client_for(world.alice).get(f"/tickets/{ticket.pk}/attachments/{image.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


def test_a_log_is_shown_as_plain_text(world, clock):
    ticket = open_ticket(world.alice)
    log = _reply_with(world.alice, ticket, "vault.log", b"<html><script>alert(1)</script>")

    response = client_for(world.alice).get(f"/tickets/{ticket.pk}/attachments/{log.pk}/")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_image_whose_bytes_are_not_an_image_is_a_download(world, clock):
    ticket = open_ticket(world.alice)
    fake = _reply_with(world.alice, ticket, "screen.png", b"<svg onload=alert(1)>")

    response = client_for(world.alice).get(f"/tickets/{ticket.pk}/attachments/{fake.pk}/")

    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"


def test_other_files_are_downloads_whatever_type_the_uploader_claimed(world, clock):
    ticket = open_ticket(world.alice)
    report = _reply_with(world.alice, ticket, "report.xml", b"<x/>")

    response = client_for(world.alice).get(f"/tickets/{ticket.pk}/attachments/{report.pk}/")

    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_customer_of_another_organization_gets_404_for_the_file(world, clock):
    ticket = open_ticket(world.alice)
    image = _reply_with(world.alice, ticket, "screen.png", PNG)

    response = client_for(world.carol).get(f"/tickets/{ticket.pk}/attachments/{image.pk}/")

    assert response.status_code == 404


def test_a_file_of_an_internal_note_is_never_shown_to_the_customer(world, clock):
    ticket = open_ticket(world.alice)
    note_file = _reply_with(world.fiona, ticket, "internal.png", PNG, public=False)

    customer = client_for(world.alice)
    page = customer.get(f"/tickets/{ticket.pk}/").content.decode()
    response = customer.get(f"/tickets/{ticket.pk}/attachments/{note_file.pk}/")
    agent = client_for(world.fiona).get(f"/tickets/{ticket.pk}/attachments/{note_file.pk}/")

    assert "internal.png" not in page
    assert response.status_code == 404
    assert agent.status_code == 200 and agent["Content-Type"] == "image/png"
