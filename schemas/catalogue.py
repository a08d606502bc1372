"""The public catalogue's shapes: one entry per released report, and the campaign it belongs to.

These are the plain values the catalogue templates receive (tasks/release/catalogue/site.py renders
them; tasks/release/catalogue/entries.py builds them from the database). They hold only what may be
published: a unit's name, industry, district and ownership, its report's public data, grade,
commendations and certificate number. Contacts (names, addresses, phones) are personal data and
have no field here. A slug names a report's files (reports/<slug>.html, pdf/<slug>.pdf); it is
made from the unit's USCC, never from free text, and checked against a safe pattern.

Frozen pydantic models and pure functions: no I/O, no prefect, no Jinja.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "SLUG_PATTERN",
    "CaseEvidence",
    "CatalogueCampaign",
    "CatalogueCommendation",
    "CatalogueEdition",
    "CatalogueEntry",
    "ChosenExcerpt",
    "KeyFigure",
    "UnsafeSlug",
    "catalogue_slug",
]

# Lower-case letters and digits (a USCC is 18 of them), dashes inside: safe as a file name on
# every file system and in a URL path, with nothing to escape.
SLUG_PATTERN = r"^[0-9a-z](?:[0-9a-z-]{0,62}[0-9a-z])?$"
_SLUG = re.compile(SLUG_PATTERN)

Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]


class UnsafeSlug(ValueError):
    """A value cannot name a catalogue page: it is not letters and digits only."""

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(f"{value!r} cannot be a catalogue slug (letters and digits only)")


def catalogue_slug(uscc: str) -> str:
    """Return the catalogue slug of a unit: its USCC in lower case; raise UnsafeSlug otherwise."""
    slug = uscc.strip().lower()
    if not _SLUG.fullmatch(slug):
        raise UnsafeSlug(uscc)
    return slug


class _Frozen(BaseModel):
    """A frozen model that refuses unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class KeyFigure(_Frozen):
    """One public figure of a unit's basic-information form, labelled and formatted."""

    key: str
    label: str  # e.g. 营业收入（万元）
    value: str  # formatted for reading, e.g. 152,300.5


class CaseEvidence(_Frozen):
    """A passage of a report the pre-screen found for a topic (keyword hits, not a choice)."""

    page: int = Field(ge=1)
    text: str


class ChosenExcerpt(_Frozen):
    """The passage of its report a case is published with, as a reviewer (评审专家) or the
    organising committee (组委会) chose it (schemas/case_excerpt_tables.py): words of the
    report's page, never composed. The chooser's name is not published, only the role."""

    page: int = Field(ge=1)
    text: str
    role: str  # reviewer | operator


class CatalogueCommendation(_Frozen):
    """One approved commendation of a unit: its title, the case it honours, its order.

    `case_title` is the unit's own title for its case, never one the commend stage made up
    (an empty string then: the case is shown under the unit's name and the category).
    `evidence` is what the pre-screen found in the report for the category's topic;
    `excerpt` the passage chosen for the case, when one was chosen on the report shown.
    """

    kind: str  # excellent_unit | case | speaker
    title: str
    case_title: str = ""
    rank: int = 0
    category_key: str = ""
    evidence: tuple[CaseEvidence, ...] = ()
    excerpt: ChosenExcerpt | None = None


class CatalogueEntry(_Frozen):
    """One released report as the public catalogue shows it (no contacts, ever)."""

    slug: Slug
    unit_name: str
    industry: str = ""
    district: str = ""
    ownership: str = ""
    associations: tuple[str, ...] = ()  # names of the recommending associations
    report_title: str = ""
    report_year: int | None = None
    topics: tuple[str, ...] = ()  # names of the campaign topics the report covers
    standards: tuple[str, ...] = ()  # names of the reference standards the report cites
    grade: str = ""  # the review grade (星级) of the latest round, if any
    commendations: tuple[CatalogueCommendation, ...] = ()
    certificate_number: str = ""
    pdf_pages: int | None = None
    pdf_bytes: int | None = None
    key_figures: tuple[KeyFigure, ...] = ()

    def sort_key(self) -> tuple[str, str]:
        """Return the key the catalogue lists entries by: unit name, then slug."""
        return (self.unit_name, self.slug)


class CatalogueCampaign(_Frozen):
    """The campaign a catalogue belongs to: its name, theme, edition, dates and topics."""

    title: str  # e.g. 上海市企业社会责任报告发布会
    theme: str = ""
    year: int
    edition: int
    report_year: int
    release_date: date | None = None
    topics: tuple[str, ...] = ()  # every campaign topic's name, in campaign-file order
    organisers: tuple[str, ...] = ()


class CatalogueEdition(_Frozen):
    """One season's release as the site over all years shows it: the campaign and its reports."""

    campaign: CatalogueCampaign
    entries: tuple[CatalogueEntry, ...] = ()
    season_pages: bool = True  # the season's own catalogue is on the site under <year>/
