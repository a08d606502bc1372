"""Tests for schemas/campaign_file.py: broken variants of the 2024 file and their messages, year
and file name, calendar overrides, provenance."""

import copy
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from campaignfilekit import NAMED_2024

from schemas.campaign_file import CampaignFileError, parse_campaign_file

# ---- broken variants ---------------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _set(*path: str | int, value: object) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return mutate


def _drop(key: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        del data[key]

    return mutate


def _duplicate_first_topic(data: dict[str, Any]) -> None:
    data["topics"].append(dict(data["topics"][0]))


BROKEN: list[Any] = [
    pytest.param(_set("quota", "min", value=25), ["quota: min 25 is above max 20"], id="quota"),
    pytest.param(
        _set("review", "criteria", 0, "weight", value=0.25),
        ["review: criteria weights add up to 0.9500, not 1"],
        id="weights",
    ),
    pytest.param(
        _set("stages", "train", value=date(2024, 10, 1)),
        ["stages: train (2024-10-01) begins before mobilize (2024-10-08)"],
        id="stages-order",
    ),
    pytest.param(
        _set("quota", "maximum", value=30),
        ["quota.maximum: Extra inputs are not permitted"],
        id="unknown-key",
    ),
    pytest.param(
        _set("prizes", value={"gold": 1}),
        ["prizes: Extra inputs are not permitted"],
        id="unknown-table",
    ),
    pytest.param(_drop("quota"), ["quota: Field required"], id="missing-table"),
    pytest.param(
        _set("deadlines", "receipt", "date", value="soon"),
        ["deadlines.receipt.date: Input should be a valid date or datetime, input is too short"],
        id="bad-date",
    ),
    pytest.param(
        _set("provenance", "quota", value="rumour"),
        ["provenance.quota: Input should be 'notice' or 'assumed'"],
        id="provenance-value",
    ),
    pytest.param(
        _set("provenance", "deadlines.award.date", value="notice"),
        ["provenance.deadlines.award.date: names a key that is not in the file"],
        id="provenance-unknown-key",
    ),
    pytest.param(
        _set("campaign", "year", value=2025),
        ["campaign.year: 2025 does not match the file name 2024.toml"],
        id="year-vs-file-name",
    ),
    pytest.param(
        _set("campaign", "report_year", value=2024),
        ["campaign: report_year 2024 must be before year 2024"],
        id="report-year",
    ),
    pytest.param(
        _set("commendation", "categories", 1, "topic", value="productivity"),
        [
            "commendation.categories[1].topic: category 'new-productive-forces' "
            "names unknown topic 'productivity'"
        ],
        id="commendation-topic",
    ),
    pytest.param(
        _set("training", "sessions", 1, "link", value=""),
        ["training.sessions[1]: an online session needs a link"],
        id="online-without-link",
    ),
    pytest.param(
        _set("training", "sessions", 0, "place", value=""),
        ["training.sessions[0]: an offline session needs a place"],
        id="offline-without-place",
    ),
    pytest.param(
        _set("training", "sessions", 2, "key", value="standards-writing"),
        ["training.sessions: session key 'standards-writing' appears twice"],
        id="session-key-twice",
    ),
    pytest.param(
        _duplicate_first_topic, ["topics: topic key 'governance' appears twice"], id="topic-twice"
    ),
    pytest.param(
        _set("standards", 11, "key", value="iso26000"),
        ["standards: standard key 'iso26000' appears twice"],
        id="standard-twice",
    ),
    pytest.param(
        _set("reminders", "before_working_days", value=[1, 3, 7]),
        [
            "reminders.before_working_days: offsets must be distinct and in descending order, "
            "e.g. [7, 3, 1]"
        ],
        id="reminder-order",
    ),
    pytest.param(
        _set(
            "calendar",
            value={"extra_holidays": [date(2024, 10, 12)], "extra_workdays": [date(2024, 10, 12)]},
        ),
        ["calendar: dates both holiday and working day: 2024-10-12"],
        id="calendar-overlap",
    ),
    pytest.param(
        _set("review", "criteria", 2, "max", value=0),
        ["review.criteria[2]: score range min 0.0 must be below max 0.0"],
        id="criterion-range",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), BROKEN)
def test_broken_file_names_the_key_and_the_problem(
    data_2024: dict[str, Any], mutate: Mutation, expected: list[str]
) -> None:
    data = copy.deepcopy(data_2024)
    mutate(data)

    with pytest.raises(CampaignFileError, match=re.escape(expected[0])) as info:
        parse_campaign_file(data, NAMED_2024)

    assert info.value.problems == expected
    assert info.value.path == NAMED_2024
    assert str(info.value) == f"campaigns/2024.toml: {expected[0]}"


def test_bad_regex_in_a_standard_names_the_pattern(data_2024: dict[str, Any]) -> None:
    data = copy.deepcopy(data_2024)
    data["standards"][3]["patterns"] = ["GSI", "(unclosed"]
    with pytest.raises(re.error) as compiled:
        re.compile("(unclosed")

    with pytest.raises(CampaignFileError, match=r"standards\[3\]\.patterns: ") as info:
        parse_campaign_file(data, NAMED_2024)

    assert info.value.problems == [
        f"standards[3].patterns: pattern '(unclosed' is not a regular expression: {compiled.value}"
    ]


def test_every_bad_key_is_listed(data_2024: dict[str, Any]) -> None:
    data = copy.deepcopy(data_2024)
    data["quota"]["min"] = 25
    data["training"]["sessions"][1]["link"] = ""

    with pytest.raises(CampaignFileError) as info:
        parse_campaign_file(data, NAMED_2024)

    assert info.value.problems == [
        "quota: min 25 is above max 20",
        "training.sessions[1]: an online session needs a link",
    ]


def test_year_must_match_a_year_shaped_file_name(data_2024: dict[str, Any]) -> None:
    with pytest.raises(CampaignFileError) as info:
        parse_campaign_file(copy.deepcopy(data_2024), Path("campaigns/2025.toml"))

    assert info.value.problems == ["campaign.year: 2024 does not match the file name 2025.toml"]


def test_a_file_name_that_is_not_a_year_accepts_any_year(data_2024: dict[str, Any]) -> None:
    model = parse_campaign_file(copy.deepcopy(data_2024), Path("tests/data/demo.toml"))

    assert model.year == 2024


def test_calendar_overrides_are_read_as_dates(data_2024: dict[str, Any]) -> None:
    data = copy.deepcopy(data_2024)
    data["calendar"] = {"extra_holidays": [date(2024, 10, 9)], "extra_workdays": ["2024-10-19"]}

    model = parse_campaign_file(data, NAMED_2024)

    assert (model.calendar.extra_holidays, model.calendar.extra_workdays) == (
        [date(2024, 10, 9)],
        [date(2024, 10, 19)],
    )


def test_provenance_may_name_a_whole_table_or_a_nested_key(data_2024: dict[str, Any]) -> None:
    data = copy.deepcopy(data_2024)
    data["provenance"] = {"review": "assumed", "review.criteria": "assumed", "quota.min": "notice"}

    model = parse_campaign_file(data, NAMED_2024)

    assert model.provenance == {
        "review": "assumed",
        "review.criteria": "assumed",
        "quota.min": "notice",
    }
