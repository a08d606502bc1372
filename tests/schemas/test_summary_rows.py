"""Summary rows read like lists to our code and to pydantic, and stop the engine's walk."""

from __future__ import annotations

import pytest
from prefect.utilities.collections import visit_collection
from pydantic import BaseModel, ConfigDict, ValidationError

from schemas.rejection import Rejection
from schemas.summary_rows import FrozenRows, SummaryRows


class Summary(BaseModel):
    model_config = ConfigDict(frozen=True)

    count: int
    rejections: SummaryRows[Rejection]
    league: SummaryRows[dict[str, str | int]] = FrozenRows()


def rejection(code: str) -> Rejection:
    return Rejection(
        file="a.xlsx", row=2, column="USCC", value="x", code=code, reason_zh="错", reason_en="bad"
    )


def test_rows_given_as_lists_read_as_the_same_rows() -> None:
    league: list[dict[str, str | int]] = [{"unit": f"u{n}", "rank": n} for n in range(1, 6)]

    summary = Summary(count=5, rejections=[rejection("a"), rejection("b")], league=league)

    assert isinstance(summary.league, FrozenRows)
    assert summary.league == league
    assert summary.league[0] == {"unit": "u1", "rank": 1}
    assert summary.league[1:3] == league[1:3]
    assert len(summary.league) == 5
    assert [r.code for r in summary.rejections] == ["a", "b"]
    assert summary.rejections != [rejection("a")]
    assert Summary(count=0, rejections=[]).league == []


def test_rows_survive_json_and_dict_round_trips_as_lists() -> None:
    summary = Summary(count=1, rejections=[rejection("a")], league=[{"unit": "u", "rank": 1}])

    dumped = summary.model_dump()

    assert dumped["league"] == [{"unit": "u", "rank": 1}]
    assert dumped["rejections"][0]["code"] == "a"
    assert Summary.model_validate(dumped) == summary
    assert Summary.model_validate_json(summary.model_dump_json()) == summary
    assert '"league":[{"unit":"u","rank":1}]' in summary.model_dump_json()


def test_rows_are_validated_like_list_items() -> None:
    with pytest.raises(ValidationError, match=r"rejections\.0\.file"):
        Summary.model_validate({"count": 1, "rejections": [{"code": "only a code"}]})


def test_the_engine_walk_visits_the_summary_but_not_its_rows() -> None:
    # Prefect walks a flow's return value looking for futures; it must not go row by row.
    summary = Summary(
        count=3, rejections=[rejection("a")], league=[{"unit": f"u{n}"} for n in range(1000)]
    )
    visited: list[object] = []

    visit_collection(summary, visit_fn=lambda item: visited.append(item), return_data=False)

    as_list = {"count": 3, "rows": [{"unit": f"u{n}"} for n in range(1000)]}
    walked_list: list[object] = []
    visit_collection(as_list, visit_fn=lambda item: walked_list.append(item), return_data=False)
    assert len(visited) < 10
    assert len(walked_list) > 2000
