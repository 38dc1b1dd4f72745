"""Article attachments and images: uploaded through the editor, served back from the
article's address, and only to those who may read the article."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pacto.kb import actions
from pacto.kb.models import ArticleAttachment, ArticleEvent
from pacto.kb.tests.helpers import write
from pacto.testing import client_for

pytestmark = pytest.mark.usefixtures("media_root")

PAM = ["senhasegura PAM"]
# The smallest PNG there is: a signature, a 1×1 header, one pixel, the end.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

NOT_ACCEPTED = "This type of file is not accepted."
NOT_AN_IMAGE = "The file is not an image of the type its name says."


def upload(client, article, name, content, content_type="application/octet-stream"):
    return client.post(
        reverse("kb:attach", args=[article.pk]),
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def served(client, article, name):
    return client.get(reverse("kb:attachment", args=[article.locale, article.slug, name]))


def test_an_agent_uploads_an_image_the_article_shows_and_the_customer_sees_it(world):
    agent = client_for(world.fiona)
    article = write(world.fiona, "Where the vault menu is", "See below.", products=PAM)

    response = upload(agent, article, "menu.png", PNG, "image/png")
    agent.post(reverse("kb:edit", args=[article.pk]), {
        "title": article.title, "locale": "en", "products": "senhasegura PAM",
        "body_markdown": "See below.\n\n![The vault menu](attachment:menu.png)",
    })  # fmt: skip

    assert response.status_code == 302
    assert ArticleEvent.objects.filter(article=article, kind="attached").exists()
    page = client_for(world.alice).get(reverse("kb:article", args=["en", article.slug]))
    image_url = reverse("kb:attachment", args=["en", article.slug, "menu.png"])
    assert f'src="{image_url}"' in page.content.decode()
    image = served(client_for(world.alice), article, "menu.png")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png" and image["Content-Disposition"].startswith(
        "inline"
    )
    assert b"".join(image.streaming_content) == PNG


def test_a_file_is_listed_on_the_article_and_downloaded_as_an_attachment(world):
    article = write(world.fiona, "Collect the vault logs", "Run the script.", products=PAM)
    upload(client_for(world.fiona), article, "collect.txt", b"#!/bin/sh\necho logs\n", "text/html")

    page = client_for(world.alice).get(reverse("kb:article", args=["en", article.slug]))
    download = served(client_for(world.alice), article, "collect.txt")

    assert "collect.txt" in page.content.decode()
    # Served as what its name says, not as the HTML the browser claimed it was.
    assert download["Content-Type"] == "text/plain"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == b"#!/bin/sh\necho logs\n"


@pytest.mark.parametrize(
    ("name", "content", "rule", "told"),
    [
        ("page.html", b"<script>alert(1)</script>", "allowed_type", NOT_ACCEPTED),
        ("drawing.svg", b"<svg onload='alert(1)'/>", "allowed_type", NOT_ACCEPTED),
        ("fake.png", b"<html><script>alert(1)</script></html>", "image_content", NOT_AN_IMAGE),
        ("photo.jpg", PNG, "image_content", NOT_AN_IMAGE),
    ],
)
def test_a_file_of_a_refused_type_is_not_attached_and_the_agent_is_told(
    world, name, content, rule, told
):
    article = write(world.fiona, "Vault backup", "Back up nightly.", products=PAM)
    agent = client_for(world.fiona)

    response = upload(agent, article, name, content, "image/png")
    with pytest.raises(actions.ActionError) as refused:
        actions.do_add_article_attachment(
            world.fiona, article, SimpleUploadedFile(name, content, content_type="image/png")
        )

    assert refused.value.rule == rule and refused.value.field == "file"
    assert response.status_code == 302
    assert not ArticleAttachment.objects.exists()
    editor = agent.get(response["Location"]).content.decode()
    assert told in editor


def test_a_file_larger_than_the_limit_is_refused(world, settings):
    settings.PACTO_ATTACHMENT_MAX_BYTES = 100
    article = write(world.fiona, "Vault backup", "Back up nightly.", products=PAM)

    with pytest.raises(actions.ActionError) as refused:
        actions.do_add_article_attachment(
            world.fiona, article, SimpleUploadedFile("big.txt", b"x" * 101)
        )

    assert refused.value.rule == "max_size"


@pytest.mark.parametrize("status", ["internal", "draft", "archived"])
def test_customers_cannot_fetch_the_files_of_an_article_they_may_not_read(world, status):
    article = write(world.fiona, f"Vault {status} runbook", "Steps.", status=status, products=PAM)
    actions.do_add_article_attachment(
        world.fiona, article, SimpleUploadedFile("runbook.txt", b"secret steps")
    )

    assert served(client_for(world.alice), article, "runbook.txt").status_code == 404
    assert served(client_for(world.fiona), article, "runbook.txt").status_code == 200


def test_customers_of_other_products_cannot_fetch_an_articles_files(world):
    article = write(world.fiona, "SanerNow agent logs", "Steps.", products=["SanerNow"])
    actions.do_add_article_attachment(
        world.fiona, article, SimpleUploadedFile("agent.log", b"log lines")
    )

    assert served(client_for(world.alice), article, "agent.log").status_code == 404
    assert served(client_for(), article, "agent.log").status_code == 302  # to the sign-in


def test_customers_cannot_upload_files_to_articles(world):
    article = write(world.fiona, "Vault backup", "Back up nightly.", products=PAM)

    response = upload(client_for(world.alice), article, "x.txt", b"x")

    assert response.status_code in (403, 404)
    assert not ArticleAttachment.objects.exists()
