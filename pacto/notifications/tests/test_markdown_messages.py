"""Messages are Markdown: what the customer writes in the portal reads the same, rendered and
sanitized, in the portal, in the console and in the email's HTML part, and as written in
the email's plain-text part. Email goes to a real SMTP server on loopback."""

import re

from django.utils import timezone

from pacto.notifications.delivery import deliver_due
from pacto.notifications.models import Outbox
from pacto.testing import client_for, open_ticket
from pacto.tickets.actions import do_assign
from pacto.tickets.models import Message

REPLY = """The export still fails, see https://status.azul.example/incidents/42 for the log.

```
$ vault export --all
Error 500: index locked
```
"""
CODE = "<pre><code>$ vault export --all\nError 500: index locked\n</code></pre>"
LINK = re.compile(
    r'<a href="https://status.azul.example/incidents/42" rel="noopener noreferrer nofollow">'
    r"https://status.azul.example/incidents/42</a>"
)


def email_parts(message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode().replace("\r\n", "\n")
        for part in message.walk()
        if not part.is_multipart()
    }


def test_a_portal_reply_in_markdown_shows_its_code_and_link_on_every_page_and_email(world, smtp):
    ticket = open_ticket(world.alice)
    do_assign(world.fiona, ticket, world.fiona)
    Outbox.objects.all().delete()  # the opening's and assignment's emails are not this test's

    response = client_for(world.alice).post(f"/tickets/{ticket.pk}/reply/", {"body": REPLY})

    assert response.status_code == 302
    assert Message.objects.filter(ticket=ticket).last().body_text == REPLY.strip()
    for reader, page in (
        (world.alice, f"/tickets/{ticket.pk}/"),
        (world.fiona, f"/console/tickets/{ticket.pk}/"),
    ):
        html = client_for(reader).get(page).content.decode()
        assert CODE in html, page
        assert LINK.search(html), page
    deliver_due(timezone.now())
    [email] = [m for m in smtp.handler.messages if m["To"] == "fiona@vendor.example"]
    parts = email_parts(email)
    assert CODE in parts["text/html"]
    assert LINK.search(parts["text/html"])
    assert REPLY.strip() in parts["text/plain"]  # the Markdown as written, fences and all


def test_the_reply_boxes_say_they_take_markdown(world):
    ticket = open_ticket(world.alice)

    portal = client_for(world.alice).get(f"/tickets/{ticket.pk}/").content.decode()
    console = client_for(world.fiona).get(f"/console/tickets/{ticket.pk}/").content.decode()

    help_text = "Markdown: **bold**, `code`, lists, links"
    assert help_text in portal
    assert help_text in console
