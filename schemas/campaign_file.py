"""The campaign file (campaigns/<year>.toml): its model, its invariants and its loader.

Everything that changes from one year to the next lives in the file; this module only says what
a valid file looks like. It does not know any particular year.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

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


class CampaignFileError(Exception):
    """The campaign file cannot be used; `problems` lists `key: reason` lines."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


NonEmpty = Annotated[str, Field(min_length=1)]


class CampaignInfo(_Strict):
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

    @model_validator(mode="after")
    def _report_year_before_campaign(self) -> CampaignInfo:
        if self.report_year >= self.year:
            raise ValueError(f"report_year {self.report_year} must be before year {self.year}")
        return self


class Quota(_Strict):
    min: int = Field(ge=1)
    max: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Quota:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class Stages(_Strict):
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


class Deadline(_Strict):
    date: date
    title: NonEmpty
    title_en: NonEmpty
    steps: list[SubmissionKind] = []


class Events(_Strict):
    meeting: date
    release: date


class TrainingSession(_Strict):
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


class Training(_Strict):
    sessions: list[TrainingSession] = []

    @field_validator("sessions")
    @classmethod
    def _unique_keys(cls, v: list[TrainingSession]) -> list[TrainingSession]:
        _require_unique([s.key for s in v], "session key")
        return v


class Reminders(_Strict):
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


class Criterion(_Strict):
    key: NonEmpty
    name: NonEmpty
    name_en: NonEmpty
    weight: float = Field(gt=0, le=1)
    min: float
    max: float

    @model_validator(mode="after")
    def _range(self) -> Criterion:
        if self.min >= self.max:
            raise ValueError(f"score range min {self.min} must be below max {self.max}")
        return self


class Grade(_Strict):
    stars: int = Field(ge=1, le=5)
    name: NonEmpty
    label: NonEmpty
    min_score: float = Field(ge=0)


class Review(_Strict):
    reviewers_per_report: int = Field(ge=1, le=10)
    max_revision_rounds: int = Field(ge=0, le=5)
    disagreement_spread: float = Field(gt=0)
    pass_score: float = Field(ge=0)
    criteria: list[Criterion] = Field(min_length=1)
    grades: list[Grade] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Review:
        _require_unique([c.key for c in self.criteria], "criterion key")
        total = sum(c.weight for c in self.criteria)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"criteria weights add up to {total:.4f}, not 1")
        floors = [g.min_score for g in self.grades]
        if floors != sorted(floors, reverse=True) or len(set(floors)) != len(floors):
            raise ValueError("grades must be listed best first with distinct min_score")
        if floors[-1] != 0:
            raise ValueError("the last grade must start at min_score 0 so every score has a grade")
        return self


class CommendationCategory(_Strict):
    key: NonEmpty
    name: NonEmpty
    topic: NonEmpty
    quota: int = Field(ge=0)


class Commendation(_Strict):
    speakers: int = Field(ge=0)
    categories: list[CommendationCategory] = []


class Topic(_Strict):
    key: NonEmpty
    name: NonEmpty
    kind: Literal["core", "focus"]
    keywords: list[NonEmpty] = Field(min_length=1)


class Standard(_Strict):
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


class CalendarOverrides(_Strict):
    extra_holidays: list[date] = []
    extra_workdays: list[date] = []

    @model_validator(mode="after")
    def _disjoint(self) -> CalendarOverrides:
        both = sorted(set(self.extra_holidays) & set(self.extra_workdays))
        if both:
            raise ValueError(f"dates both holiday and working day: {', '.join(map(str, both))}")
        return self


Provenance = Literal["notice", "assumed"]


class CampaignFile(_Strict):
    """One year's campaign, as read from campaigns/<year>.toml."""

    campaign: CampaignInfo
    quota: Quota
    stages: Stages
    deadlines: dict[str, Deadline]
    events: Events
    training: Training = Training()
    reminders: Reminders
    review: Review
    commendation: Commendation
    topics: list[Topic] = Field(min_length=1)
    standards: list[Standard] = Field(min_length=1)
    calendar: CalendarOverrides = CalendarOverrides()
    provenance: dict[str, Provenance] = {}

    @field_validator("topics")
    @classmethod
    def _unique_topics(cls, v: list[Topic]) -> list[Topic]:
        _require_unique([t.key for t in v], "topic key")
        return v

    @field_validator("standards")
    @classmethod
    def _unique_standards(cls, v: list[Standard]) -> list[Standard]:
        _require_unique([s.key for s in v], "standard key")
        return v

    @model_validator(mode="after")
    def _cross_references(self) -> CampaignFile:
        # A whole-file check has no location of its own: its message starts with the key.
        topics = {t.key for t in self.topics}
        for i, cat in enumerate(self.commendation.categories):
            if cat.topic not in topics:
                raise ValueError(
                    f"commendation.categories[{i}].topic: category {cat.key!r} names unknown "
                    f"topic {cat.topic!r}"
                )
        return self

    @property
    def year(self) -> int:
        """The campaign year (the year the notice is issued)."""
        return self.campaign.year

    def deadline(self, key: str) -> Deadline:
        """Return the named deadline, or raise KeyError naming the ones that exist."""
        try:
            return self.deadlines[key]
        except KeyError:
            raise KeyError(f"no deadline {key!r}; the file has {sorted(self.deadlines)}") from None

    def core_topics(self) -> list[Topic]:
        """Return the core topics (not the focus areas), in file order."""
        return [t for t in self.topics if t.kind == "core"]


def _require_unique(keys: list[str], what: str) -> None:
    seen: set[str] = set()
    for k in keys:
        if k in seen:
            raise ValueError(f"{what} {k!r} appears twice")
        seen.add(k)


def _dotted_keys(data: Any, prefix: str = "") -> set[str]:
    keys: set[str] = set()
    if isinstance(data, dict):
        for k, v in data.items():
            path = f"{prefix}.{k}" if prefix else str(k)
            keys.add(path)
            keys |= _dotted_keys(v, path)
    return keys


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def _format_problem(error: ErrorDetails) -> str:
    """Return `key: reason` for one pydantic error, without pydantic's "Value error, " prefix."""
    cause = error.get("ctx", {}).get("error")
    if error["type"] == "value_error" and cause is not None:
        if not error["loc"]:  # a whole-file check: the message names its own key
            return str(cause)
        return f"{_format_loc(error['loc'])}: {cause}"
    return f"{_format_loc(error['loc'])}: {error['msg']}"


def parse_campaign_file(data: dict[str, Any], path: Path) -> CampaignFile:
    """Validate parsed TOML data; raise CampaignFileError naming each bad key and why."""
    try:
        model = CampaignFile.model_validate(data)
    except ValidationError as exc:
        problems = [_format_problem(e) for e in exc.errors()]
        raise CampaignFileError(path, problems) from None
    known = _dotted_keys({k: v for k, v in data.items() if k != "provenance"})
    unknown = sorted(k for k in model.provenance if k not in known)
    if unknown:
        raise CampaignFileError(
            path, [f"provenance.{k}: names a key that is not in the file" for k in unknown]
        )
    stem_year = path.stem
    if stem_year.isdigit() and int(stem_year) != model.year:
        raise CampaignFileError(
            path, [f"campaign.year: {model.year} does not match the file name {path.name}"]
        )
    return model


def load_campaign_file(path: Path) -> CampaignFile:
    """Read and validate one campaign file; raise CampaignFileError on any problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CampaignFileError(path, [f"(file): cannot be read: {exc.strerror}"]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CampaignFileError(path, ["(file): is not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise CampaignFileError(path, [f"(file): is not valid TOML: {exc}"]) from None
    return parse_campaign_file(data, path)


def campaign_file_path(campaigns_dir: Path, year: int) -> Path:
    """Return where the campaign file for `year` lives."""
    return campaigns_dir / f"{year}.toml"


def latest_campaign_year(campaigns_dir: Path) -> int:
    """Return the newest year that has a campaign file; raise CampaignFileError if none does."""
    years = [int(p.stem) for p in campaigns_dir.glob("*.toml") if p.stem.isdigit()]
    if not years:
        raise CampaignFileError(campaigns_dir, ["(folder): holds no campaign file <year>.toml"])
    return max(years)
