"""The campaign file (campaigns/<year>.toml): its model, its invariants and its loader.

Everything that changes from one year to the next lives in the file; this module only says what
a valid file looks like. It does not know any particular year.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from schemas.campaign_parts import (
    SEASON_STAGES,
    CalendarOverrides,
    CampaignInfo,
    Commendation,
    Contact,
    Deadline,
    Events,
    Quota,
    Reminders,
    Review,
    Screening,
    Stages,
    Standard,
    Strict,
    Topic,
    Training,
    require_unique,
)
from schemas.enums import SubmissionKind

__all__ = ["SEASON_STAGES", "CampaignFile", "CampaignFileError", "load_campaign_file"]


class CampaignFileError(Exception):
    """The campaign file cannot be used; `problems` lists `key: reason` lines."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


Provenance = Literal["notice", "assumed"]


class CampaignFile(Strict):
    """One year's campaign, as read from campaigns/<year>.toml."""

    campaign: CampaignInfo
    contact: Contact
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
    screening: Screening = Screening()
    calendar: CalendarOverrides = CalendarOverrides()
    provenance: dict[str, Provenance] = Field(default_factory=dict)

    @field_validator("topics")
    @classmethod
    def _unique_topics(cls, v: list[Topic]) -> list[Topic]:
        require_unique([t.key for t in v], "topic key")
        return v

    @field_validator("standards")
    @classmethod
    def _unique_standards(cls, v: list[Standard]) -> list[Standard]:
        require_unique([s.key for s in v], "standard key")
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

    def deadline_key_for(self, kind: SubmissionKind) -> str:
        """Return the key of the deadline by which `kind` is due (the earliest that lists it).

        Raises KeyError when no deadline lists it (the campaign file decides which steps count).
        """
        listing = sorted((d.date, key) for key, d in self.deadlines.items() if kind in d.steps)
        if not listing:
            raise KeyError(f"no deadline lists the step {kind.value!r}")
        return listing[0][1]

    def deadline_for(self, kind: SubmissionKind) -> Deadline:
        """Return the deadline by which `kind` is due; KeyError when no deadline lists it."""
        return self.deadlines[self.deadline_key_for(kind)]

    def deadline_date_for(self, kind: SubmissionKind) -> date | None:
        """Return the date by which `kind` is due, or None when no deadline lists it."""
        try:
            return self.deadline_for(kind).date
        except KeyError:
            return None

    def core_topics(self) -> list[Topic]:
        """Return the core topics (not the focus areas), in file order."""
        return [t for t in self.topics if t.kind == "core"]


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


PARSED_KEPT = 16  # campaign files whose parsed model is kept (by path and bytes)
_parsed: dict[tuple[str, bytes], CampaignFile] = {}


def load_campaign_file(path: Path) -> CampaignFile:
    """Read and validate one campaign file; raise CampaignFileError on any problem.

    The file is read on every call; the model parsed from the same path and bytes is reused
    (a season's runs read the file ~650 times, 5 ms each to parse and validate). Models are
    frozen; a file that fails is parsed again, and fails again, on the next call.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CampaignFileError(path, [f"(file): cannot be read: {exc.strerror}"]) from None
    key = (str(path), raw)
    if key not in _parsed:
        if len(_parsed) >= PARSED_KEPT:
            _parsed.clear()
        _parsed[key] = _parse_bytes(path, raw)
    return _parsed[key]


def _parse_bytes(path: Path, raw: bytes) -> CampaignFile:
    """Decode, parse and validate a campaign file's bytes; raise CampaignFileError."""
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CampaignFileError(path, ["(file): is not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise CampaignFileError(path, [f"(file): is not valid TOML: {exc}"]) from None
    return parse_campaign_file(data, path)


def latest_campaign_year(campaigns_dir: Path) -> int:
    """Return the newest year that has a campaign file; raise CampaignFileError if none does."""
    years = [int(p.stem) for p in campaigns_dir.glob("*.toml") if p.stem.isdigit()]
    if not years:
        raise CampaignFileError(campaigns_dir, ["(folder): holds no campaign file <year>.toml"])
    return max(years)
