"""The sections of a campaign file: one frozen model per TOML table, with its own invariants.

Assembled into `CampaignFile` by schemas/campaign_file.py, which also loads and reports errors.
Unknown keys are errors (`extra="forbid"`), so a typo in the file is named, not ignored.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.enums import Stage, SubmissionKind

SEASON_STAGES: tuple[Stage, ...] = (
    Stage.MOBILIZE,
    Stage.TRAIN,
    Stage.SUBMIT,
    Stage.REVIEW,
    Stage.COMMEND,
    Stage.MEETING,
    Stage.RELEASE,
)


class Strict(BaseModel):
    """A frozen section that refuses unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


NonEmpty = Annotated[str, Field(min_length=1)]


class CampaignInfo(Strict):
    year: int = Field(ge=2000, le=2100)
    edition: int = Field(ge=1)
    name: NonEmpty
    theme: NonEmpty
    report_year: int
    notice: NonEmpty
    notice_date: date
    organisers: list[NonEmpty] = Field(min_length=1)
    technical_support: list[NonEmpty] = []
    filing_site: str = ""
    guiding_units: list[NonEmpty] = Field(min_length=1)
    # The public page that answers a certificate number (the catalogue's verify.html where it
    # is published); printed on every certificate and held by its QR code. Empty: the QR
    # holds the number only and the line says to ask the organisers.
    certificate_verify_url: str = Field(default="", pattern=r"^(https?://\S+)?$")

    @model_validator(mode="after")
    def _report_year_before_campaign(self) -> CampaignInfo:
        if self.report_year >= self.year:
            raise ValueError(f"report_year {self.report_year} must be before year {self.year}")
        return self


# A plain ASCII mailbox: it is printed in every mail and written into the Reply-To header.
Address = Annotated[str, Field(pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")]


class Contact(Strict):
    """The organisers' contact every mail names, and the address a reply reaches (Reply-To).

    The notice names the organisers' contacts; a mail that asks for a reply (a score sheet, a
    speaker's answer, attendees) must reach a person, so there is no "do not reply" line.
    """

    organisation: NonEmpty
    name: NonEmpty
    phone: NonEmpty
    email: Address
    reply_to: Address


class Quota(Strict):
    min: int = Field(ge=1)
    max: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Quota:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class Stages(Strict):
    mobilize: date
    train: date
    submit: date
    review: date
    commend: date
    meeting: date
    release: date

    @model_validator(mode="after")
    def _in_order(self) -> Stages:
        starts = [getattr(self, s.value) for s in SEASON_STAGES]
        for (a, da), (b, db) in zip(
            zip(SEASON_STAGES, starts, strict=True),
            zip(SEASON_STAGES[1:], starts[1:], strict=True),
            strict=False,
        ):
            if db < da:
                raise ValueError(f"{b.value} ({db}) begins before {a.value} ({da})")
        return self

    def start_of(self, stage: Stage) -> date:
        """Return the day the given season stage begins."""
        value: date = getattr(self, stage.value)
        return value


class Deadline(Strict):
    date: date
    title: NonEmpty
    title_en: NonEmpty
    steps: list[SubmissionKind] = []


class Events(Strict):
    meeting: date
    release: date
    release_place: str = "另行通知"  # where the release event is held, as invitations print it


class TrainingSession(Strict):
    key: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    kind: Literal["standards_writing", "management_systems", "core_topics"]
    title: NonEmpty
    mode: Literal["online", "offline"]
    date: date
    start: time
    minutes: int = Field(gt=0, le=24 * 60)
    capacity: int = Field(gt=0)
    place: str = ""
    link: str = ""

    @model_validator(mode="after")
    def _where(self) -> TrainingSession:
        if self.mode == "offline" and not self.place:
            raise ValueError("an offline session needs a place")
        if self.mode == "online" and not self.link:
            raise ValueError("an online session needs a link")
        return self


class Training(Strict):
    sessions: list[TrainingSession] = []

    @field_validator("sessions")
    @classmethod
    def _unique_keys(cls, v: list[TrainingSession]) -> list[TrainingSession]:
        require_unique([s.key for s in v], "session key")
        return v


class Reminders(Strict):
    before_working_days: list[int] = Field(min_length=0)
    on_the_day: bool = True
    overdue_every_working_days: int = Field(ge=1)
    overdue_max: int = Field(ge=0)
    digest_weekday: int = Field(ge=1, le=7)

    @field_validator("before_working_days")
    @classmethod
    def _positive_descending(cls, v: list[int]) -> list[int]:
        if any(d <= 0 for d in v):
            raise ValueError("offsets are working days before the deadline and must be positive")
        if v != sorted(set(v), reverse=True):
            raise ValueError("offsets must be distinct and in descending order, e.g. [7, 3, 1]")
        return v


class Criterion(Strict):
    key: NonEmpty
    name: NonEmpty
    name_en: NonEmpty
    weight: float = Field(gt=0, le=1)
    min: float
    max: float
    # What the dimension looks at, as the feedback letter explains it (one Chinese clause).
    description: str = ""

    @model_validator(mode="after")
    def _range(self) -> Criterion:
        if self.min >= self.max:
            raise ValueError(f"score range min {self.min} must be below max {self.max}")
        return self


class Grade(Strict):
    stars: float = Field(ge=1, le=5, multiple_of=0.5)  # 三星半 = 3.5
    name: NonEmpty
    label: NonEmpty
    min_score: float = Field(ge=0)


class Review(Strict):
    reviewers_per_report: int = Field(ge=1, le=10)
    max_revision_rounds: int = Field(ge=0, le=5)
    # A re-check round's score sheets are due this many working days after its assignment day.
    recheck_working_days: int = Field(default=5, ge=1, le=30)
    # A report whose pre-screen found fewer core topics than this needs the meeting's explicit
    # word to be released or commended (tasks/common/report_flags.py); None: more than half of
    # the campaign's core topics.
    release_min_core_topics: int | None = Field(default=None, ge=0)
    disagreement_spread: float = Field(gt=0)
    pass_score: float = Field(ge=0)
    # Where experts download the reports assigned to them when they are too large to attach
    # (the organisers publish workspace/review/<year>/reports/ there); empty: attach always,
    # and a mail too large is refused when queued.
    reports_url: str = Field(default="", pattern=r"^(https?://\S+/)?$")
    criteria: list[Criterion] = Field(min_length=1)
    grades: list[Grade] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Review:
        require_unique([c.key for c in self.criteria], "criterion key")
        total = sum(c.weight for c in self.criteria)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"criteria weights add up to {total:.4f}, not 1")
        floors = [g.min_score for g in self.grades]
        if floors != sorted(floors, reverse=True) or len(set(floors)) != len(floors):
            raise ValueError("grades must be listed best first with distinct min_score")
        if floors[-1] != 0:
            raise ValueError("the last grade must start at min_score 0 so every score has a grade")
        return self


class CommendationCategory(Strict):
    key: NonEmpty
    name: NonEmpty
    topic: NonEmpty
    quota: int = Field(ge=0)


class Commendation(Strict):
    """Who the commend stage proposes: excellent units, cases per category, speakers.

    `excellent_units` are the top of the composite ranking (at most `per_industry_max` from one
    industry when set); `performance_points` is the most the performance evaluation can add to
    a unit's normalised review score (docs/commend.md).
    """

    speakers: int = Field(ge=0, le=10)  # a fixed small number of units speak
    excellent_units: int = Field(default=10, ge=0)
    # Excellent units and each category's cases are at most this share of the units the review
    # passed (rounded down): a small season does not commend most of its units.
    max_share: float = Field(default=1.0, gt=0, le=1)
    per_industry_max: int | None = Field(default=None, ge=1)
    performance_points: float = Field(default=5.0, ge=0, le=20)
    categories: list[CommendationCategory] = []

    @field_validator("categories")
    @classmethod
    def _unique_categories(cls, v: list[CommendationCategory]) -> list[CommendationCategory]:
        require_unique([c.key for c in v], "commendation category key")
        return v


class Topic(Strict):
    """A topic the pre-screen looks for: its words, the longer words that do not count, and
    how many mentions make it covered (`min_hits`; unset: `screening.min_topic_hits`)."""

    key: NonEmpty
    name: NonEmpty
    kind: Literal["core", "focus"]
    keywords: list[NonEmpty] = Field(min_length=1)
    # Words that hold a keyword but are not about the topic (员工会 holds 工会): a match of one
    # of them is skipped whole, so the keyword inside it is not counted.
    exclude: list[NonEmpty] = []
    min_hits: int | None = Field(default=None, ge=1, le=100)

    @model_validator(mode="after")
    def _excludes_hold_a_keyword(self) -> Topic:
        for word in self.exclude:
            if not any(k in word for k in self.keywords) or word in self.keywords:
                raise ValueError(f"exclude word {word!r} must hold one of the topic's keywords")
        return self


class Screening(Strict):
    """The pre-screen's thresholds (PDF report intake); every field has a default."""

    # Mentions that make a topic covered when the topic sets no `min_hits` of its own.
    min_topic_hits: int = Field(default=2, ge=1, le=100)
    # A report is flagged as partly scanned when more than this share of its pages read are
    # images without a text layer.
    max_image_page_share: float = Field(default=0.2, gt=0, le=1)
    # Words that, in the same clause as a standard's name, mean it is not cited (未参照GRI).
    standard_negations: list[NonEmpty] = [
        "未参照", "未参考", "未依据", "未采用", "未遵循", "没有参照", "并未参照", "不适用",
    ]  # fmt: skip


class Standard(Strict):
    key: NonEmpty
    name: NonEmpty
    patterns: list[NonEmpty] = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"pattern {p!r} is not a regular expression: {exc}") from exc
        return v


class CalendarOverrides(Strict):
    extra_holidays: list[date] = []
    extra_workdays: list[date] = []

    @model_validator(mode="after")
    def _disjoint(self) -> CalendarOverrides:
        both = sorted(set(self.extra_holidays) & set(self.extra_workdays))
        if both:
            raise ValueError(f"dates both holiday and working day: {', '.join(map(str, both))}")
        return self


def require_unique(keys: list[str], what: str) -> None:
    """Raise ValueError naming the first key that appears twice."""
    seen: set[str] = set()
    for k in keys:
        if k in seen:
            raise ValueError(f"{what} {k!r} appears twice")
        seen.add(k)
