"""Render a mail template: template name + context -> subject, text part and HTML part.

Pure: reads the template files shipped in notifications/templates/<name>/ and nothing else.
Jinja2 with StrictUndefined (a missing variable raises `MissingTemplateVariable` at render time,
never renders as an empty string) and autoescaping for the .html part only (the text part and the
subject are plain text). This module does not build MIME messages (message.py), validate
addresses (headers.py) or store anything (outbox.py).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel, ConfigDict

from notifications.contexts import MailContext
from notifications.mail_kinds import AUDIENCES, CONTEXT_TYPES
from notifications.told import told_deadlines

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
PARTS = ("subject.txt", "body.txt", "body.html")
_WEEKDAYS = "一二三四五六日"


class UnknownTemplate(LookupError):
    """No template folder of that name; `known` lists the ones that exist."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        self.name = name
        self.known = known
        super().__init__(f"no mail template {name!r}; known: {', '.join(known)}")


class ContextMismatch(TypeError):
    """A context model of the wrong type was given for a template."""

    def __init__(self, name: str, expected: type[MailContext], got: type[BaseModel]) -> None:
        self.name = name
        super().__init__(f"template {name!r} takes {expected.__name__}, not {got.__name__}")


class MissingTemplateVariable(Exception):
    """A template used a variable its context does not have."""

    def __init__(self, template: str, part: str, detail: str) -> None:
        self.template = template
        self.part = part
        self.detail = detail
        super().__init__(f"{template}/{part}: {detail}")


class RenderedMail(BaseModel):
    """A rendered template: one-line subject, plain-text body, HTML body.

    `deadlines` are the deadlines the mail tells its reader to meet (notifications/told.py);
    the outbox stores them so the audit can check each lies after the mail's business day.
    `reply_to` is the campaign's reply address, sent as the Reply-To header.
    """

    model_config = ConfigDict(frozen=True)

    template: str
    subject: str
    text: str
    html: str
    deadlines: tuple[date, ...] = ()
    reply_to: str = ""  # the campaign file's [contact] reply_to: where a reply reaches


def cn_date(value: date) -> str:
    """Return a date as <year>年11月15日 (the year comes from the value). Pure."""
    return f"{value.year}年{value.month}月{value.day}日"


def cn_month_day(value: date) -> str:
    """Return a date as 11月15日. Pure."""
    return f"{value.month}月{value.day}日"


def cn_weekday(value: date) -> str:
    """Return the weekday as 星期五. Pure."""
    return "星期" + _WEEKDAYS[value.weekday()]


def cn_datetime(value: datetime) -> str:
    """Return a timestamp as <year>年11月15日 14:30. Pure."""
    return f"{cn_date(value.date())} {value:%H:%M}"


@functools.cache
def environment() -> jinja2.Environment:
    """Return the shared Jinja2 environment (built once; reads templates lazily from disk)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html",), default_for_string=False, default=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["cn_date"] = cn_date
    env.filters["cn_month_day"] = cn_month_day
    env.filters["cn_weekday"] = cn_weekday
    env.filters["cn_datetime"] = cn_datetime
    return env


@functools.cache
def template_names() -> tuple[str, ...]:
    """Return the names of the template folders that hold all three parts, sorted.

    Listed once per process: the templates ship with the code (a render per mail used to list
    the folder again, 0.6 ms a mail).
    """
    return tuple(
        sorted(
            p.name
            for p in TEMPLATES_DIR.iterdir()
            if p.is_dir() and all((p / part).is_file() for part in PARTS)
        )
    )


def _values(name: str, context: MailContext | Mapping[str, Any]) -> dict[str, Any]:
    """Return the template variables; refuse a context model made for another template."""
    if isinstance(context, BaseModel):
        expected = CONTEXT_TYPES.get(name)
        if expected is not None and not isinstance(context, expected):
            raise ContextMismatch(name, expected, type(context))
        return context.model_dump(mode="python")
    return dict(context)


def _reply_to(values: Mapping[str, Any]) -> str:
    """Return the campaign's reply address from a template's values ("" when none)."""
    campaign = values.get("campaign")
    contact = campaign.get("contact") if isinstance(campaign, Mapping) else None
    return str(contact.get("reply_to", "")) if isinstance(contact, Mapping) else ""


def render(name: str, context: MailContext | Mapping[str, Any]) -> RenderedMail:
    """Render the three parts of template `name` with `context`. Pure (reads template files).

    Raises UnknownTemplate, ContextMismatch, or MissingTemplateVariable naming the part.
    """
    known = template_names()
    if name not in known:
        raise UnknownTemplate(name, known)
    values = _values(name, context) | {"audience": AUDIENCES.get(name, "enterprise")}
    env = environment()
    rendered: dict[str, str] = {}
    for part in PARTS:
        try:
            rendered[part] = env.get_template(f"{name}/{part}").render(values)
        except jinja2.UndefinedError as exc:
            raise MissingTemplateVariable(name, part, exc.message or str(exc)) from None
    return RenderedMail(
        template=name,
        subject=" ".join(rendered["subject.txt"].split()),
        text=rendered["body.txt"].strip() + "\n",
        html=rendered["body.html"].strip() + "\n",
        deadlines=told_deadlines(context),
        reply_to=_reply_to(values),
    )
