"""Decide which association recommendations land: validation, duplicates, quota, eligibility.

Plain functions over the lists tasks/mobilize/lists.py read and validated: they take values and
return a `RecommendationBatch` (accepted rows and Rejections, warnings included). Reading is
lists.py's job and saving tasks/mobilize/participants.py's; nothing here reads files or writes.
The rules (DESIGN.md, "Inputs operators really have"):
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

from schemas.columns import RECOMMENDATIONS
from schemas.enums import OverQuota, Severity
from schemas.rejection import Rejection
from schemas.rows import RecommendationRow
from tasks.common.validation import rejection_at
from tasks.mobilize.lists import ListedRow, RecommendationList


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


def check_recommendation_list(
    listed: RecommendationList, *, campaign_year: int, known_associations: set[str]
) -> tuple[list[ListedRow], list[Rejection]]:
    """Apply the year and association rules to one list; return its good rows and its problems.

    Pure. A whole list for another year is one file-level problem and gives no rows.
    """
    rejections = list(listed.rejections)
    years = {item.row.campaign_year for item in listed.rows}
    if listed.rows and campaign_year not in years and len(years) == 1:
        # A whole list for another year (last year's file sent again): one file-level problem.
        rejections.append(_wrong_year_list(listed.file, years.pop(), campaign_year))
        return [], rejections
    good: list[ListedRow] = []
    for item in listed.rows:
        problem = _row_problem(item, campaign_year, known_associations)
        if problem is None:
            good.append(item)
        else:
            rejections.append(problem)
    return good, rejections


def _wrong_year_list(file: str, wrong: int, campaign_year: int) -> Rejection:
    return _row_rejection(
        file,
        None,
        "campaign_year",
        str(wrong),
        "wrong-year",
        f"整份名单为{wrong}年度，本次活动为{campaign_year}年度，未受理",
        f"the whole list is for {wrong}, not this campaign's {campaign_year}; "
        "nothing taken from it",
    )


def _row_problem(
    item: ListedRow, campaign_year: int, known_associations: set[str]
) -> Rejection | None:
    """Return why a valid row cannot count (another year, unknown association), if it cannot."""
    row = item.row
    if row.campaign_year != campaign_year:
        return _row_rejection(
            item.file,
            item.row_number,
            "campaign_year",
            str(row.campaign_year),
            "wrong-year",
            f"年度为{row.campaign_year}，本次活动为{campaign_year}年度",
            f"year {row.campaign_year} is not this campaign's year {campaign_year}",
        )
    if row.association_code not in known_associations:
        return _row_rejection(
            item.file,
            item.row_number,
            "association_code",
            row.association_code,
            "unknown-association",
            "推荐协会代码不在协会名单中",
            "association code is not in the association list",
        )
    return None


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
    lists: Iterable[RecommendationList],
    *,
    campaign_year: int,
    known_associations: set[str],
    quota_min: int,
    quota_max: int,
    over_quota: OverQuota,
) -> RecommendationBatch:
    """Check every list read, then apply the duplicates and quota rules across them. Pure."""
    batch = RecommendationBatch()
    per_association: dict[str, list[ListedRow]] = defaultdict(list)
    for listed in lists:
        if not listed.readable:
            batch.rejections.extend(listed.rejections)
            continue
        batch.files_read += 1
        good, rejected = check_recommendation_list(
            listed, campaign_year=campaign_year, known_associations=known_associations
        )
        batch.rejections.extend(rejected)
        for item in good:
            per_association[item.row.association_code].append(item)
    for code in sorted(per_association):
        _decide_association(batch, code, per_association[code], quota_min, quota_max, over_quota)
    _warn_cross_association(batch)
    return batch


def _decide_association(
    batch: RecommendationBatch,
    code: str,
    rows: list[ListedRow],
    quota_min: int,
    quota_max: int,
    over_quota: OverQuota,
) -> None:
    """Land one association's rows: first row of each unit, then the quota (cut or hold)."""
    unique = _first_of_each_unit(batch, code, rows)
    over = len(unique) > quota_max
    for position, item in enumerate(unique, start=1):
        if over and over_quota == OverQuota.CUT and position > quota_max:
            batch.rejections.append(
                _row_rejection(
                    item.file,
                    item.row_number,
                    "uscc",
                    item.row.uscc,
                    "quota-exceeded",
                    f"{code}推荐{len(unique)}家，超过上限{quota_max}家，按名单顺序截取",
                    f"{code} recommended {len(unique)}, over the limit of {quota_max}; "
                    "cut in list order",
                )
            )
            continue
        held = over and over_quota == OverQuota.HOLD
        batch.accepted.append(
            AcceptedRecommendation(item.row, item.file, item.row_number, position, held)
        )
    warning = _quota_warning(code, unique, quota_min, quota_max, over_quota)
    if warning is not None:
        batch.rejections.append(warning)


def _first_of_each_unit(
    batch: RecommendationBatch, code: str, rows: list[ListedRow]
) -> list[ListedRow]:
    """Return the first row of each USCC in one association's list; reject the repeats."""
    first: dict[str, ListedRow] = {}
    for item in rows:
        kept = first.get(item.row.uscc)
        if kept is None:
            first[item.row.uscc] = item
            continue
        batch.rejections.append(
            _row_rejection(
                item.file,
                item.row_number,
                "uscc",
                item.row.uscc,
                "duplicate-in-file",
                f"同一协会重复推荐，已按{kept.file}第{kept.row_number}行受理",
                f"recommended twice by {code}; {kept.file} row {kept.row_number} was kept",
            )
        )
    return list(first.values())


def _quota_warning(
    code: str, unique: list[ListedRow], quota_min: int, quota_max: int, over_quota: OverQuota
) -> Rejection | None:
    """Return the warning for a list held over the quota or under it, if it is either."""
    files = ", ".join(sorted({item.file for item in unique})) or code
    count = len(unique)
    if count > quota_max and over_quota == OverQuota.HOLD:
        return _row_rejection(
            files,
            None,
            "",
            str(count),
            "quota-exceeded-held",
            f"{code}推荐{count}家，超过上限{quota_max}家，全部暂缓，待运营人员审核",
            f"{code} recommended {count}, over the limit of {quota_max}; all held for the operator",
            Severity.WARNING,
        )
    if count < quota_min:
        return _row_rejection(
            files,
            None,
            "",
            str(count),
            "under-quota",
            f"{code}仅推荐{count}家，少于{quota_min}家",
            f"{code} recommended {count}, fewer than {quota_min}",
            Severity.WARNING,
        )
    return None


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
