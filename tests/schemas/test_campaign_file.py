"""Tests for schemas/campaign_file.py: the 2024 file, broken variants and their messages."""

import copy
import re
import tomllib
from collections.abc import Callable
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest

from schemas.campaign_file import (
    CampaignFile,
    CampaignFileError,
    latest_campaign_year,
    load_campaign_file,
    parse_campaign_file,
)
from schemas.enums import Stage, SubmissionKind

REPO = Path(__file__).resolve().parents[2]
FILE_2024 = REPO / "campaigns" / "2024.toml"
NAMED_2024 = Path("campaigns/2024.toml")


@pytest.fixture(scope="module")
def data_2024() -> dict[str, Any]:
    return tomllib.loads(FILE_2024.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cf() -> CampaignFile:
    return load_campaign_file(FILE_2024)


# ---- the 2024 file has the notice's values -----------------------------------------------------


def test_2024_file_has_the_notices_campaign_values(cf: CampaignFile) -> None:
    assert (cf.year, cf.campaign.edition, cf.campaign.report_year) == (2024, 13, 2023)
    assert cf.campaign.theme == "创新引领·责任筑基·绿色前行——打造新质生产力与绿色低碳双引擎"
    assert cf.campaign.notice == "沪工经联\u30142024\u301538号"  # tortoise-shell brackets
    assert cf.campaign.notice_date == date(2024, 10, 29)


def test_2024_file_has_the_notices_deadlines(cf: CampaignFile) -> None:
    receipt = cf.deadline("receipt")
    report = cf.deadline("report")

    assert (receipt.date, receipt.steps) == (
        date(2024, 11, 15),
        [SubmissionKind.RECEIPT, SubmissionKind.BASIC_INFO],
    )
    assert (report.date, report.steps) == (date(2024, 11, 30), [SubmissionKind.REPORT_PDF])


def test_2024_file_has_a_quota_of_10_to_20(cf: CampaignFile) -> None:
    assert (cf.quota.min, cf.quota.max) == (10, 20)


def test_2024_file_has_nine_core_topics_and_two_focus_areas(cf: CampaignFile) -> None:
    assert [t.key for t in cf.core_topics()] == [
        "governance",
        "employee_care",
        "labour_practice",
        "environment",
        "fair_operation",
        "customer_first",
        "community",
        "giving_back",
        "development",
    ]
    assert [t.key for t in cf.topics if t.kind == "focus"] == ["green", "new_productive_forces"]


def test_2024_file_has_twelve_standards(cf: CampaignFile) -> None:
    assert [s.key for s in cf.standards] == [
        "gbt36000",
        "sasac-central",
        "cass-esg",
        "cfie-industrial",
        "sh-federation-guide",
        "saq-writing",
        "sh-sasac-opinions",
        "sh-sasac-esg",
        "sse-14",
        "civilised-unit",
        "iso26000",
        "gri",
    ]


def test_2024_file_has_twelve_guiding_units(cf: CampaignFile) -> None:
    assert cf.campaign.guiding_units == [
        "市经信委",
        "市发改委",
        "市商务委",
        "市国资委",
        "市文明办",
        "市民政局",
        "市人社局",
        "市生态环境局",
        "市市场监督管理局",
        "市应急管理局",
        "市总工会",
        "市消保委",
    ]


def test_2024_review_criteria_weights_sum_to_one(cf: CampaignFile) -> None:
    weights = [c.weight for c in cf.review.criteria]

    assert weights == [0.30, 0.25, 0.20, 0.10, 0.10, 0.05]
    assert sum(weights) == pytest.approx(1.0)


def test_2024_season_begins_8_october_and_releases_16_january(cf: CampaignFile) -> None:
    starts = {stage: cf.stages.start_of(stage) for stage in (Stage.MOBILIZE, Stage.RELEASE)}

    assert starts == {Stage.MOBILIZE: date(2024, 10, 8), Stage.RELEASE: date(2025, 1, 16)}


def test_2024_training_sessions_are_the_three_kinds(cf: CampaignFile) -> None:
    sessions = [(s.kind, s.mode, s.date, s.start) for s in cf.training.sessions]

    assert sessions == [
        ("standards_writing", "offline", date(2024, 10, 17), time(14, 0)),
        ("management_systems", "online", date(2024, 10, 22), time(9, 30)),
        ("core_topics", "offline", date(2024, 10, 25), time(14, 0)),
    ]


def test_2024_reminders_are_seven_three_one_working_days(cf: CampaignFile) -> None:
    assert cf.reminders.before_working_days == [7, 3, 1]


def test_deadline_names_the_existing_ones_when_missing(cf: CampaignFile) -> None:
    with pytest.raises(KeyError, match="no deadline 'nope'; the file has") as info:
        cf.deadline("nope")

    assert info.value.args[0] == (
        "no deadline 'nope'; the file has "
        "['receipt', 'recommendation', 'report', 'review', 'revision']"
    )


def test_parse_gives_the_same_model_as_load(data_2024: dict[str, Any], cf: CampaignFile) -> None:
    assert parse_campaign_file(copy.deepcopy(data_2024), NAMED_2024) == cf


def test_latest_campaign_year_is_the_newest_year_shaped_file(tmp_path: Path) -> None:
    for name in ("2023.toml", "2025.toml", "2024.toml", "demo.toml", "2030.txt"):
        (tmp_path / name).write_text("", encoding="utf-8")

    assert latest_campaign_year(tmp_path) == 2025


def test_latest_campaign_year_of_a_folder_without_campaign_files_is_an_error(
    tmp_path: Path,
) -> None:
    (tmp_path / "demo.toml").write_text("", encoding="utf-8")

    with pytest.raises(CampaignFileError, match="holds no campaign file") as info:
        latest_campaign_year(tmp_path)

    assert (info.value.path, info.value.problems) == (
        tmp_path,
        ["(folder): holds no campaign file <year>.toml"],
    )


# ---- standard-citation patterns ------------------------------------------------------------------

CITATIONS: dict[str, list[str]] = {
    "gbt36000": ["GB/T 36000", "GB/T36000-2015", "国家标准《社会责任指南》"],
    "sasac-central": ["参照《关于中央企业履行社会责任的指导意见》编制"],
    "cass-esg": ["CASS-ESG 5.0", "CASS ESG", "CASS-CSR 4.0", "《中国企业社会责任报告指南》"],
    "cfie-industrial": ["《中国工业企业社会责任管理指南》", "GSI"],
    "sh-federation-guide": ["《企业社会责任指南》", "上海市经济团体联合会团体标准"],
    "saq-writing": ["《社会责任报告编写通则》"],
    "sh-sasac-opinions": ["《关于本市国有企业更好履行社会责任的若干意见》"],
    "sh-sasac-esg": ["ESG指标体系", "国有控股上市公司环境、社会和治理（ESG）指标体系"],
    "sse-14": ["《上海证券交易所上市公司自律监管指引第14号》", "上交所自律监管指引第 14 号"],
    "civilised-unit": ["《文明单位社会责任报告指标体系（2023年修订版）》"],
    "iso26000": ["ISO 26000", "ISO26000:2010"],
    "gri": ["GRI Standards", "GRI 标准", "GRI 2", "全球报告倡议组织"],
}


def matching_standards(cf: CampaignFile, text: str) -> list[str]:
    return [s.key for s in cf.standards if any(re.search(p, text) for p in s.patterns)]


def test_citation_examples_cover_every_standard(cf: CampaignFile) -> None:
    assert sorted(CITATIONS) == sorted(s.key for s in cf.standards)


@pytest.mark.parametrize(
    ("key", "citation"), [(k, c) for k, cites in CITATIONS.items() for c in cites]
)
def test_standard_patterns_match_their_own_citation(
    cf: CampaignFile, key: str, citation: str
) -> None:
    assert key in matching_standards(cf, citation)


def test_each_standards_full_name_matches_only_that_standard(cf: CampaignFile) -> None:
    matches = {s.key: matching_standards(cf, s.name) for s in cf.standards}

    assert matches == {s.key: [s.key] for s in cf.standards}


def test_an_unrelated_sentence_matches_no_standard(cf: CampaignFile) -> None:
    sentence = "本公司坚持稳健经营，持续提升客户满意度。The company grew its revenue by 8% in 2023."

    assert matching_standards(cf, sentence) == []


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


# ---- files that cannot be read -----------------------------------------------------------------


def test_load_reports_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "2024.toml"
    text = "[quota\nmin = 10\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(tomllib.TOMLDecodeError) as toml_error:
        tomllib.loads(text)

    with pytest.raises(CampaignFileError, match=r"\(file\): is not valid TOML") as info:
        load_campaign_file(path)

    assert info.value.problems == [f"(file): is not valid TOML: {toml_error.value}"]
    assert info.value.path == path


def test_load_reports_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "2024.toml"
    path.write_bytes('[campaign]\nname = "上海市企业社会责任报告发布会"\n'.encode("gb18030"))

    with pytest.raises(CampaignFileError, match="is not UTF-8 text") as info:
        load_campaign_file(path)

    assert info.value.problems == ["(file): is not UTF-8 text"]


def test_load_reports_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "2031.toml"

    with pytest.raises(CampaignFileError, match="cannot be read") as info:
        load_campaign_file(path)

    assert info.value.problems == ["(file): cannot be read: No such file or directory"]
    assert str(info.value) == f"{path}: (file): cannot be read: No such file or directory"


def test_load_reports_a_valid_toml_file_with_bad_values(tmp_path: Path) -> None:
    path = tmp_path / "2024.toml"
    text = FILE_2024.read_text(encoding="utf-8").replace("min = 10\nmax = 20", "min = 21\nmax = 20")
    path.write_text(text, encoding="utf-8")

    with pytest.raises(CampaignFileError) as info:
        load_campaign_file(path)

    assert info.value.problems == ["quota: min 21 is above max 20"]


def test_an_unchanged_file_is_parsed_once_and_a_changed_one_again(tmp_path: Path) -> None:
    path = tmp_path / "2024.toml"
    text = FILE_2024.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")

    first = load_campaign_file(path)
    assert load_campaign_file(path) is first

    path.write_text(text.replace("capacity = ", "capacity = 1", 1), encoding="utf-8")
    changed = load_campaign_file(path)
    assert changed is not first
    assert changed.training.sessions[0].capacity == int(f"1{first.training.sessions[0].capacity}")

    path.write_text(text + "\nunknown_table = 1\n", encoding="utf-8")
    for _ in range(2):  # a refusal is not remembered: it is given again
        with pytest.raises(CampaignFileError):
            load_campaign_file(path)
