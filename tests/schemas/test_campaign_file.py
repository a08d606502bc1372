"""Tests for schemas/campaign_file.py: the 2024 file has the notice's values, and files that cannot
be read. Standard-citation patterns are in test_campaign_file_standards.py, broken variants and
their messages in test_campaign_file_broken.py."""

import copy
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from campaignfilekit import FILE_2024, NAMED_2024

from schemas.campaign_file import (
    CampaignFile,
    CampaignFileError,
    latest_campaign_year,
    load_campaign_file,
    parse_campaign_file,
)
from schemas.enums import Stage, SubmissionKind

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
