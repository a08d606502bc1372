"""Text for the markdown artifacts operators read in the Prefect UI, escaped.

Whatever reaches a markdown artifact from inputs or errors (a unit's name, an exception's
message) is shown as text: HTML is escaped and markdown's specials are backslashed, so nothing a
user typed becomes a link, an image, a table border or markup. Pure; no Prefect.
"""

from __future__ import annotations

import html
import re

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def markdown_text(value: object) -> str:
    """Return `value` as one line of escaped markdown text (a table cell, a list item)."""
    text = " ".join(str(value).split())
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text, quote=False))
