"""Tests for the synthetic data generator (deployments/demo/generate.py and its modules).

A few module-scoped runs on small populations: one with problems injected at 5 % (with PDFs),
two equal-seed runs with PDFs (one and two workers), one with another seed and one clean run.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from email_validator import EmailNotValidError, validate_email
from pypdf import PdfReader

from deployments.demo.generate import GeneratorInputError, generate
from deployments.demo.model import (
    CellProblem,
    GenerationSummary,
    PdfProblem,
    RowProblem,
)
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.uscc import InvalidUSCC, normalise_uscc

REPO = Path(__file__).resolve().parents[3]

GENERATOR_MODULES = [
    "names",
    "forms",
    "generate",
    "model",
    "plan",
    "population",
    "recommendations",
    "report_text",
    "reports",
    "writers",
    "broken_pdfs",
    "quotas",
    "report_model",
    "reviewers",
]


@pytest.fixture(scope="module")
def campaign() -> CampaignFile:
    """The real 2024 campaign file."""
    return load_campaign_file(REPO / "campaigns" / "2024.toml")


@pytest.fixture(scope="module")
def bad_run(campaign: CampaignFile, tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    """150 units with problems injected at 5 %, PDFs included."""
    out = tmp_path_factory.mktemp("bad")
    return generate(campaign, out, enterprises=150, seed=11, bad_rate=0.05)


@pytest.fixture(scope="module")
def clean_run(
    campaign: CampaignFile, tmp_path_factory: pytest.TempPathFactory
) -> GenerationSummary:
    """120 units without any injected problem, no PDFs."""
    out = tmp_path_factory.mktemp("clean")
    return generate(campaign, out, enterprises=120, seed=5, bad_rate=0.0, with_pdfs=False)


@pytest.fixture(scope="module")
def twin_runs(
    campaign: CampaignFile, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, Path]:
    """Two runs with the same seed (one and two workers) and one with another seed."""
    a, b, c = (tmp_path_factory.mktemp(n) for n in ("a", "b", "c"))
    generate(campaign, a, enterprises=60, seed=3, bad_rate=0.05, workers=1)
    generate(campaign, b, enterprises=60, seed=3, bad_rate=0.05, workers=2)
    generate(campaign, c, enterprises=60, seed=4, bad_rate=0.05, workers=1)
    return a, b, c


def _table(path: Path) -> list[list[Any]]:
    """Return a generated xlsx or CSV as rows of values, header first."""
    if path.suffix == ".xlsx":
        ws = openpyxl.load_workbook(path).active
        return [list(r) for r in ws.iter_rows(values_only=True)]
    data = path.read_bytes()
    text = data[3:].decode("utf-8") if data.startswith(b"\xef\xbb\xbf") else data.decode("gb18030")
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]


def _records(path: Path) -> list[dict[str, Any]]:
    """Return a generated table's data rows as dicts by Chinese header, with row numbers."""
    header, *rows = _table(path)
    return [dict(zip(header, r, strict=True), _row=n) for n, r in enumerate(rows, start=2)]


def _tables(root: Path) -> list[Path]:
    """Return every xlsx and CSV file under a generated folder."""
    return sorted(p for p in root.rglob("*") if p.suffix in (".xlsx", ".csv"))


def _plan(root: Path) -> dict[str, Any]:
    """Return the generated plan.json."""
    result: dict[str, Any] = json.loads((root / "plan.json").read_text("utf-8"))
    return result


def _injected(summary: GenerationSummary, kind: str) -> list[Any]:
    """Return the summary's injections of one kind."""
    return [i for i in summary.injections if i.kind == kind]


def _pdf_text(path: Path) -> str:
    """Return the extracted text of every page of a PDF."""
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_same_seed_gives_identical_files_whatever_the_workers(
    twin_runs: tuple[Path, Path, Path],
) -> None:
    a, b, _ = twin_runs
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    assert any(f.suffix == ".pdf" for f in files_a)
    for rel in files_a:
        if rel.suffix == ".xlsx":
            assert _table(a / rel) == _table(b / rel), rel
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_other_seed_gives_other_files(twin_runs: tuple[Path, Path, Path]) -> None:
    a, _, c = twin_runs
    assert _table(a / "associations.xlsx") != _table(c / "associations.xlsx")
    assert [u["uscc"] for u in _plan(a)["units"]] != [u["uscc"] for u in _plan(c)["units"]]


def test_every_good_row_uscc_is_valid(bad_run: GenerationSummary) -> None:
    bad = {(i.file, i.row) for i in bad_run.injections if i.column == "统一社会信用代码"}
    checked = 0
    for path in _tables(bad_run.out_dir):
        rel = path.relative_to(bad_run.out_dir).as_posix()
        for rec in _records(path):
            if "统一社会信用代码" in rec and (rel, rec["_row"]) not in bad:
                assert normalise_uscc(rec["统一社会信用代码"]) == rec["统一社会信用代码"]
                checked += 1
            for code in filter(None, str(rec.get("回避单位") or "").split(";")):
                assert normalise_uscc(code) == code
    assert checked > 500


def test_every_email_uses_a_reserved_domain(bad_run: GenerationSummary) -> None:
    emails = [
        rec["联系邮箱"]
        for path in _tables(bad_run.out_dir)
        for rec in _records(path)
        if rec.get("联系邮箱")
    ]
    plan = _plan(bad_run.out_dir)
    emails += [u["email"] for u in plan["units"]] + [r["email"] for r in plan["reviewers"]]
    assert len(emails) > 400
    assert [e for e in emails if not e.endswith((".example.com", ".example.org"))] == []


def test_no_bad_rate_injects_nothing(campaign: CampaignFile, clean_run: GenerationSummary) -> None:
    assert clean_run.injections == ()
    assert clean_run.bad_rows_by_kind == {}
    assert clean_run.units_recommended_ok == clean_run.units == 120
    for path in sorted((clean_run.out_dir / "recommendations").iterdir()):
        records = _records(path)
        assert campaign.quota.min <= len(records) <= campaign.quota.max, path.name
        for rec in records:
            assert normalise_uscc(rec["统一社会信用代码"]) == rec["统一社会信用代码"]
            assert rec["单位名称"]
            assert int(rec["年度"]) == campaign.year
            assert {rec["依法注册合规经营"], rec["履行社会责任"], rec["同意公开发布"]} == {"是"}
    usccs = [
        r["统一社会信用代码"]
        for p in _tables(clean_run.out_dir / "recommendations")
        for r in _records(p)
    ]
    assert len(usccs) == len(set(usccs)) == 120


def test_bad_rate_injects_every_kind(bad_run: GenerationSummary) -> None:
    kinds = {*RowProblem, *CellProblem}
    assert sorted(k for k in bad_run.bad_rows_by_kind if bad_run.bad_rows_by_kind[k] > 0) == sorted(
        str(k) for k in kinds
    )
    assert set(bad_run.pdfs_by_problem) == {"ok", *(str(p) for p in PdfProblem)}


def test_injected_recommendation_problems_are_in_the_files(
    campaign: CampaignFile, bad_run: GenerationSummary
) -> None:
    root = bad_run.out_dir
    for inj in bad_run.injections:
        if not inj.file.startswith("recommendations/"):
            continue
        records = _records(root / inj.file)
        row = next((r for r in records if r["_row"] == inj.row), None)
        if inj.kind == RowProblem.BAD_USCC_CHECK:
            assert row is not None
            with pytest.raises(InvalidUSCC, match="check character"):
                normalise_uscc(row["统一社会信用代码"])
        elif inj.kind == RowProblem.EMPTY_NAME:
            assert row is not None
            assert not row["单位名称"]
        elif inj.kind == RowProblem.BAD_EMAIL:
            assert row is not None
            with pytest.raises(EmailNotValidError):
                validate_email(row["联系邮箱"], check_deliverability=False)
        elif inj.kind == RowProblem.MISSING_ATTESTATION:
            assert row is not None
            assert row[inj.column] in ("否", "", None)
        elif inj.kind == RowProblem.USCC_AS_NUMBER:
            ws = openpyxl.load_workbook(root / inj.file).active
            assert ws.cell(row=inj.row, column=3).data_type == "n"
        elif inj.kind == RowProblem.DUPLICATE_IN_FILE:
            assert [r["统一社会信用代码"] for r in records].count(inj.uscc) == 2
        elif inj.kind == RowProblem.DUPLICATE_ACROSS_ASSOCIATIONS:
            holders = [
                p.name
                for p in _tables(root / "recommendations")
                if any(r["统一社会信用代码"] == inj.uscc for r in _records(p))
            ]
            assert len(holders) == 2
        elif inj.kind == RowProblem.OVER_QUOTA:
            assert campaign.quota.max < len(records) <= campaign.quota.max + 3
        elif inj.kind == RowProblem.UNDER_QUOTA:
            assert campaign.quota.min - 3 <= len(records) < campaign.quota.min
        elif inj.kind == RowProblem.WRONG_YEAR_FILE:
            assert {int(r["年度"]) for r in records} == {campaign.year - 1}


def test_numeric_uscc_cells_are_only_the_injected_ones(bad_run: GenerationSummary) -> None:
    numeric = set()
    for path in (bad_run.out_dir / "recommendations").glob("*.xlsx"):
        ws = openpyxl.load_workbook(path).active
        rel = path.relative_to(bad_run.out_dir).as_posix()
        numeric |= {(rel, c.row) for c in ws["C"][1:] if c.data_type != "s"}
    assert numeric == {(i.file, i.row) for i in _injected(bad_run, RowProblem.USCC_AS_NUMBER)}


def test_report_pdf_names_the_unit_the_year_and_topics(
    campaign: CampaignFile, bad_run: GenerationSummary
) -> None:
    unit = next(
        u for u in _plan(bad_run.out_dir)["units"] if u["report_on"] and not u["pdf_problem"]
    )
    reader = PdfReader(bad_run.out_dir / unit["report_file"])
    text = _pdf_text(bad_run.out_dir / unit["report_file"])
    assert 4 <= len(reader.pages) <= 12
    assert unit["name"] in text
    assert f"{campaign.campaign.report_year}年度" in text
    keywords = [k for t in campaign.topics for k in t.keywords]
    assert sum(k in text for k in keywords) >= 3
    patterns = [p for s in campaign.standards for p in s.patterns]
    assert any(re.search(p, text) for p in patterns)


def test_scanned_pdf_has_no_text(bad_run: GenerationSummary) -> None:
    (inj, *_) = _injected(bad_run, PdfProblem.SCANNED)
    path = bad_run.out_dir / inj.file
    assert len(PdfReader(path).pages) >= 4
    assert len(_pdf_text(path).strip()) < 20


def test_encrypted_pdf_is_encrypted(bad_run: GenerationSummary) -> None:
    (inj, *_) = _injected(bad_run, PdfProblem.ENCRYPTED)
    assert PdfReader(bad_run.out_dir / inj.file).is_encrypted


def test_broken_files_do_not_open_as_pdfs(bad_run: GenerationSummary) -> None:
    (not_pdf, *_) = _injected(bad_run, PdfProblem.NOT_PDF)
    assert not (bad_run.out_dir / not_pdf.file).read_bytes().startswith(b"%PDF")
    (truncated, *_) = _injected(bad_run, PdfProblem.TRUNCATED)
    data = (bad_run.out_dir / truncated.file).read_bytes()
    assert data.startswith(b"%PDF")
    assert b"%%EOF" not in data


def test_wrong_year_pdf_is_about_the_year_before(
    campaign: CampaignFile, bad_run: GenerationSummary
) -> None:
    (inj, *_) = _injected(bad_run, PdfProblem.WRONG_YEAR)
    text = _pdf_text(bad_run.out_dir / inj.file)
    year = campaign.campaign.report_year
    assert f"{year - 1}年度" in text
    assert f"{year}年度" not in text


def test_plan_dates_follow_the_campaign_file(
    campaign: CampaignFile, bad_run: GenerationSummary
) -> None:
    plan = _plan(bad_run.out_dir)
    units = plan["units"]
    receipt = campaign.deadline("receipt").date.isoformat()
    report = campaign.deadline("report").date.isoformat()
    start = campaign.stages.submit.isoformat()
    registered = [u for u in units if u["registers_on"]]
    assert all(start <= u["registers_on"] for u in registered)
    late = [u for u in registered if u["registers_on"] > receipt]
    assert 0 < len(late) < len(registered) * 0.25
    assert all(u["report_on"] >= u["registers_on"] for u in registered if u["report_on"])
    assert any(u["report_on"] and u["report_on"] > report for u in units)
    assert all(not u["registers_on"] for u in units if not u["recommended_ok"])
    revised = [u for u in units if u["revises"]]
    assert revised
    assert all((bad_run.out_dir / u["revised_file"]).is_file() for u in revised)
    assert all(
        r["returns_sheet_on"] is None or r["returns_sheet_on"] >= campaign.stages.review.isoformat()
        for r in plan["reviewers"]
    )


def test_reviewers_can_carry_k_reviews_per_unit(
    campaign: CampaignFile, bad_run: GenerationSummary
) -> None:
    records = _records(bad_run.out_dir / "reviewers.xlsx")
    assert len(records) == bad_run.reviewers >= 6
    k = campaign.review.reviewers_per_report
    assert sum(r["最大评审量"] for r in records) >= k * bad_run.units * 1.2
    topic_keys = {t.key for t in campaign.topics}
    assert all(set(r["专长议题"].split(";")) <= topic_keys for r in records)


def test_generator_code_holds_no_year() -> None:
    sources = [REPO / "deployments" / "demo" / f"{m}.py" for m in GENERATOR_MODULES]
    sources.append(REPO / "benchmarks" / "generate.py")
    found = [
        f"{p.name}: {m.group()}"
        for p in sources
        for m in re.finditer(r"20[2-9][0-9]", p.read_text())
    ]
    assert found == []


def test_progress_counts_every_file_up_to_the_total(campaign: CampaignFile, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    summary = generate(
        campaign,
        tmp_path / "out",
        enterprises=20,
        seed=1,
        with_pdfs=False,
        progress=lambda done, total: calls.append((done, total)),
    )
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert calls[-1] == (summary.files, summary.files) == (len(files), len(files))
    assert [d for d, _ in calls] == list(range(1, len(files) + 1))


def test_rerun_replaces_its_own_output_and_refuses_a_foreign_folder(
    campaign: CampaignFile, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    generate(campaign, out, enterprises=60, seed=1, with_pdfs=False)
    generate(campaign, out, enterprises=20, seed=1, with_pdfs=False)
    assert len(_plan(out)["units"]) == 20
    codes = sorted(r["协会代码"] for r in _records(out / "associations.xlsx"))
    assert sorted(p.stem for p in (out / "recommendations").iterdir()) == codes
    assert len(codes) < 4
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(GeneratorInputError, match="not empty"):
        generate(campaign, foreign, enterprises=20, seed=1, with_pdfs=False)
    assert (foreign / "notes.txt").read_text() == "keep me"
