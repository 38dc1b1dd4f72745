"""Article bodies: Markdown rendered and sanitized by Pacto's one renderer (``pacto.markdown``,
the same as ticket messages'), with images shown. ``attachment:NAME`` in a link or image is
the article's own file."""

from __future__ import annotations

import re

from pacto import markdown as shared

ATTACHMENT = re.compile(r'(href|src)="attachment:([^"]+)"')


def render(markdown: str, attachment_base: str = "") -> str:
    """Sanitized HTML of ``markdown``; ``attachment:NAME`` becomes ``attachment_base + NAME``."""

    def own_files(rendered: str) -> str:
        return ATTACHMENT.sub(lambda m: f'{m[1]}="{attachment_base}{m[2]}"', rendered)

    return shared.render(markdown, images=True, links=own_files if attachment_base else None)


plain_text = shared.plain_text
