"""Decide which association recommendations land: validation, duplicates, quota, eligibility.

Plain functions over rows read by tasks/common/tabular.py: they take values and return a
`RecommendationBatch` (accepted rows and Rejections, warnings included). Saving is
tasks/mobilize/participants.py's job. The rules (DESIGN.md, "Inputs operators really have"):
- a row that fails validation (bad USCC, empty name, bad email, missing attestation) is rejected;
- an unknown association code or a file for another campaign year is rejected;
- the same USCC twice in one association's list: the first row lands, later rows are rejected
  and point to it;
- the same USCC from two associations is one unit with two recommendations: a warning;
- over the quota: `cut` rejects the rows past the limit (list order), `hold` keeps them all held
  for the operator with a warning; under the quota is a warning.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from schemas.columns import ASSOCIATIONS, RECOMMENDATIONS
from schemas.enums import OverQuota, Severity
from schemas.rejection import Rejection, UnreadableInput
from schemas.rows import AssociationRow, RecommendationRow
from tasks.common.tabular import read_table
from tasks.common.validation import rejection_at, validate_rows


@dataclass(frozen=True)
class AcceptedRecommendation:
    """A valid recommendation row, where it came from, and whether it is held over quota."""

    row: RecommendationRow
    file: str
    row_number: int
    position: int
    held: bool = False


@dataclass
class RecommendationBatch:
    """What a set of recommendation files decided: rows that land and problems found."""

    accepted: list[AcceptedRecommendation] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    files_read: int = 0

    def errors(self) -> list[Rejection]:
        """Return the rejections that dropped a row or a file (not the warnings)."""
        return [r for r in self.rejections if r.severity == Severity.ERROR]


def validate_associations(path: Path) -> tuple[list[AssociationRow], list[Rejection]]:
    """Read and validate the association list; a repeated code keeps its first row."""
    try:
        table = read_table(path, ASSOCIATIONS)
    except UnreadableInput as exc:
        return [], [exc.as_rejection()]
    good, rejections = validate_rows(table, ASSOCIATIONS, AssociationRow)
    rows: list[AssociationRow] = []
    first_row: dict[str, int] = {}
    for row, raw in good:
        if row.code in first_row:
            rejections.append(
                rejection_at(
                    ASSOCIATIONS,
                    table.file,
                    raw.number,
                    "code",
                    row.code,
                    "duplicate-in-file",
                    f"协会代码与第{first_row[row.code]}行重复",
                    f"association code repeats row {first_row[row.code]}",
                )
            )
            continue
        first_row[row.code] = raw.number
        rows.append(row)
    return rows, rejections


def validate_recommendation_file(
    path: Path, *, campaign_year: int, known_associations: set[str]
) -> tuple[list[tuple[RecommendationRow, int]], list[Rejection]]:
    """Validate one recommendation file's rows; return (row, row number) pairs and rejections.

    Raises UnreadableInput when the file cannot be used at all.
    """
    table = read_table(path, RECOMMENDATIONS)
    validated, rejections = validate_rows(table, RECOMMENDATIONS, RecommendationRow)
    years = {row.campaign_year for row, _ in validated}
    if validated and campaign_year not in years and len(years) == 1:
        # A whole list for another year (last year's file sent again): one file-level problem.
        wrong = years.pop()
        rejections.append(
            _row_rejection(
                table.file,
                None,
                "campaign_year",
                str(wrong),
                "wrong-year",
                f"整份名单为{wrong}年度，本次活动为{campaign_year}年度，未受理",
                f"the whole list is for {wrong}, not this campaign's {campaign_year}; "
                "nothing taken from it",
            )
        )
        return [], rejections
    good: list[tuple[RecommendationRow, int]] = []
    for row, raw in validated:
        if row.campaign_year != campaign_year:
            rejections.append(
                _row_rejection(
                    table.file,
                    raw.number,
                    "campaign_year",
                    str(row.campaign_year),
                    "wrong-year",
                    f"年度为{row.campaign_year}，本次活动为{campaign_year}年度",
                    f"year {row.campaign_year} is not this campaign's year {campaign_year}",
                )
            )
        elif row.association_code not in known_associations:
            rejections.append(
                _row_rejection(
                    table.file,
                    raw.number,
                    "association_code",
                    row.association_code,
                    "unknown-association",
                    "推荐协会代码不在协会名单中",
                    "association code is not in the association list",
                )
            )
        else:
            good.append((row, raw.number))
    return good, rejections


def _row_rejection(
    file: str,
    row: int | None,
    key: str,
    value: str,
    code: str,
    zh: str,
    en: str,
    severity: Severity = Severity.ERROR,
) -> Rejection:
    return rejection_at(RECOMMENDATIONS, file, row, key, value, code, zh, en, severity)


def decide_recommendations(
    files: Iterable[Path],
    *,
    campaign_year: int,
    known_associations: set[str],
    quota_min: int,
    quota_max: int,
    over_quota: OverQuota,
) -> RecommendationBatch:
    """Validate every file, then apply duplicates and quota rules across them."""
    batch = RecommendationBatch()
    per_association: dict[str, list[tuple[RecommendationRow, str, int]]] = defaultdict(list)
    for path in sorted(files):
        try:
            good, rejected = validate_recommendation_file(
                path, campaign_year=campaign_year, known_associations=known_associations
            )
        except UnreadableInput as exc:
            batch.rejections.append(exc.as_rejection())
            continue
        batch.files_read += 1
        batch.rejections.extend(rejected)
        for row, number in good:
            per_association[row.association_code].append((row, path.name, number))
    for code in sorted(per_association):
        _decide_association(batch, code, per_association[code], quota_min, quota_max, over_quota)
    _warn_cross_association(batch)
    return batch


def _decide_association(
    batch: RecommendationBatch,
    code: str,
    rows: list[tuple[RecommendationRow, str, int]],
    quota_min: int,
    quota_max: int,
    over_quota: OverQuota,
) -> None:
    first: dict[str, tuple[str, int]] = {}
    unique: list[tuple[RecommendationRow, str, int]] = []
    for row, file, number in rows:
        if row.uscc in first:
            f0, n0 = first[row.uscc]
            batch.rejections.append(
                _row_rejection(
                    file,
                    number,
                    "uscc",
                    row.uscc,
                    "duplicate-in-file",
                    f"同一协会重复推荐，已按{f0}第{n0}行受理",
                    f"recommended twice by {code}; {f0} row {n0} was kept",
                )
            )
            continue
        first[row.uscc] = (file, number)
        unique.append((row, file, number))
    over = len(unique) > quota_max
    for position, (row, file, number) in enumerate(unique, start=1):
        if over and over_quota == OverQuota.CUT and position > quota_max:
            batch.rejections.append(
                _row_rejection(
                    file,
                    number,
                    "uscc",
                    row.uscc,
                    "quota-exceeded",
                    f"{code}推荐{len(unique)}家，超过上限{quota_max}家，按名单顺序截取",
                    f"{code} recommended {len(unique)}, over the limit of {quota_max}; "
                    "cut in list order",
                )
            )
            continue
        held = over and over_quota == OverQuota.HOLD
        batch.accepted.append(AcceptedRecommendation(row, file, number, position, held))
    files = ", ".join(sorted({f for _, f, _ in unique})) or code
    if over and over_quota == OverQuota.HOLD:
        batch.rejections.append(
            _row_rejection(
                files,
                None,
                "",
                str(len(unique)),
                "quota-exceeded-held",
                f"{code}推荐{len(unique)}家，超过上限{quota_max}家，全部暂缓，待运营人员审核",
                f"{code} recommended {len(unique)}, over the limit of {quota_max}; "
                "all held for the operator",
                Severity.WARNING,
            )
        )
    elif len(unique) < quota_min:
        batch.rejections.append(
            _row_rejection(
                files,
                None,
                "",
                str(len(unique)),
                "under-quota",
                f"{code}仅推荐{len(unique)}家，少于{quota_min}家",
                f"{code} recommended {len(unique)}, fewer than {quota_min}",
                Severity.WARNING,
            )
        )


def _warn_cross_association(batch: RecommendationBatch) -> None:
    by_uscc: dict[str, list[AcceptedRecommendation]] = defaultdict(list)
    for acc in batch.accepted:
        by_uscc[acc.row.uscc].append(acc)
    for uscc in sorted(by_uscc):
        recs = by_uscc[uscc]
        if len(recs) < 2:
            continue
        codes = [r.row.association_code for r in recs]
        for acc in recs:  # every recommending association hears of the others
            batch.rejections.append(
                _row_rejection(
                    acc.file,
                    acc.row_number,
                    "uscc",
                    uscc,
                    "recommended-twice",
                    f"该单位同时由{'、'.join(codes)}推荐，合并为一个参与单位",
                    f"recommended by {', '.join(codes)}; kept as one participation",
                    Severity.WARNING,
                )
            )
