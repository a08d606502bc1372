"""What a recipient must never read in a mail: codes, error texts, English sentences, placeholders.

`recipient_problems(text)` lists what is wrong in the text a recipient reads (a subject, a text
body, or an HTML body with its markup taken away): an ASCII code-like token (`pdf-topics-missing`,
`core_topic_coverage`), an exception's name or a traceback (`PdfStreamError`, `Traceback`), an
English sentence, a template placeholder left unrendered (`{{ x }}`, `None`, `nan`), or an
internal id (`participation:12`, `round-0-v2`). Addresses, web links, dates, certificate numbers
and standard names (ISO 14001, GB/T 36000, CASS-ESG) are what recipients should read and pass.
Pure; used by the tests that read every rendered mail. It does not render (render.py).
"""

from __future__ import annotations

import html
import re

# Word edges in ASCII only: Chinese characters count as word characters for \b (议题pdf).
_B, _E = r"(?<![A-Za-z0-9_])", r"(?![A-Za-z0-9_])"
# What a recipient may read in ASCII: web and mail addresses, certificate numbers, standards.
_ALLOWED = re.compile(
    r"https?://\S+"  # links
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"  # mail addresses
    r"|www\.[A-Za-z0-9.-]+\.[a-z]{2,}(?:/\S*)?"  # the filing site
    r"|SHCSR-\d{4}-\d{5}-[0-9A-Z]"  # certificate numbers
    rf"|{_B}(?:GB/T|ISO|CASS|ESG|GRI|CSR|PDF|SSE|QR|Excel){_E}"
    r"|[\w.-]+\.(?:xlsx|pdf|ics)(?![A-Za-z])"  # a file the recipient sent or receives
)
_SNAKE = re.compile(rf"{_B}[a-z][a-z0-9]*(?:_[a-z0-9]+)+{_E}")  # core_topic_coverage
_KEBAB = re.compile(rf"{_B}[a-z][a-z0-9]*(?:-[a-z0-9]+)+{_E}")  # pdf-topics-missing
_CAMEL_ERROR = re.compile(rf"{_B}[A-Z][A-Za-z]*(?:Error|Exception|Warning){_E}|Traceback")
_ENGLISH = re.compile(rf"{_B}[A-Za-z]{{2,}}(?:[,;:]?[ ]+[A-Za-z]{{2,}}){{2,}}")  # three words
# A value left out: {{ x }}, None, nan, or empty brackets （） 《》 “” ().
_PLACEHOLDER = re.compile(
    rf"\{{\{{|\}}\}}|\{{%|%\}}|{_B}(?:None|nan|NaN|undefined|TODO){_E}|（）|《》|“”|\(\)"
)
_INTERNAL_ID = re.compile(rf"{_B}(?:[a-z]+:\d+|round-\d+(?:-v\d+)?|v\d+){_E}")
_TAG = re.compile(r"<[^>]+>")
_CHECKS = (
    ("placeholder", _PLACEHOLDER),
    ("error-text", _CAMEL_ERROR),
    ("internal-id", _INTERNAL_ID),
    ("snake-case-key", _SNAKE),
    ("code-token", _KEBAB),
    ("english-sentence", _ENGLISH),
)


def readable_text(body: str) -> str:
    """Return what a reader sees of an HTML body (tags dropped, entities decoded). Pure."""
    text = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", body, flags=re.S | re.I)
    return html.unescape(_TAG.sub(" ", text))


def recipient_problems(text: str) -> list[tuple[str, str]]:
    """Return (kind, offending text) for each thing a recipient must not read in `text`. Pure.

    Addresses, links, certificate numbers and standard names are masked first, so an address
    such as csr-office@example.org is not a code token.
    """
    masked = _ALLOWED.sub(" ", text)
    found: list[tuple[str, str]] = []
    for kind, pattern in _CHECKS:
        found += [(kind, m.group(0)) for m in pattern.finditer(masked)]
    return found
