"""mobilize and train on the generator's data: every injected bad row is found where it is."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from artifactkit import artifact_table
from openpyxl import load_workbook

from deployments.demo.generate import generate
from schemas.rejection import REPORT_COLUMNS

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]

# What the generator injects -> the code the intake reports for it.
EXPECTED_CODE = {
    "bad-uscc-check": "bad-uscc",
    "empty-name": "missing-value",
    "bad-email": "bad-email",
    "missing-attestation": "attestation-missing",
    "duplicate-in-file": "duplicate-in-file",
    "duplicate-across-associations": "recommended-twice",
    "uscc-as-number": "uscc-numeric",
    "wrong-year-file": "wrong-year",
    "over-quota": "quota-exceeded-held",
    "under-quota": "under-quota",
}


def _report_records(path: Path) -> list[dict[str, Any]]:
    """Return the rows of a rejection report (xlsx) keyed like REPORT_COLUMNS."""
    sheet = load_workbook(path).active
    assert sheet is not None
    keys = [key for key, _ in REPORT_COLUMNS]
    return [
        dict(zip(keys, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


def test_generated_lists_land_and_each_injected_problem_is_reported_at_its_row(
    workspace: Path, tmp_path: Path, campaign_2024
) -> None:
    from flows.mobilize import mobilize
    from flows.train import train

    summary = generate(
        campaign_2024, tmp_path / "gen", enterprises=80, seed=11, bad_rate=0.08, with_pdfs=False
    )
    inbox = workspace / "inbox" / "2024"
    shutil.copytree(tmp_path / "gen" / "recommendations", inbox / "recommendations")
    shutil.copy2(tmp_path / "gen" / "associations.xlsx", inbox / "associations.xlsx")

    state = mobilize(2024, as_of=date(2024, 10, 10), return_state=True)
    result = state.result()
    training = train(2024, as_of=date(2024, 10, 14))

    intake = result.recommendations
    assert intake is not None
    injected = [i for i in summary.injections if i.kind in EXPECTED_CODE]
    # A unit recommended twice is reported on both associations' rows.
    expected = Counter(EXPECTED_CODE[i.kind] for i in injected)
    expected["recommended-twice"] *= 2
    assert expected == Counter(
        {code: n for code, n in intake.problems_by_code.items() if code in EXPECTED_CODE.values()}
    )
    report = _report_records(workspace / intake.report)
    found = {(r["file"], r["row"], r["code"]) for r in report}
    for i in injected:
        if i.row is not None:
            assert (Path(i.file).name, i.row, EXPECTED_CODE[i.kind]) in found, i
    assert intake.participations_new == sum(s.invited + s.waitlisted for s in training.sessions[:1])
    per_association, _ = artifact_table(
        "recommendations-per-association", flow_run=state.state_details.flow_run_id
    )
    assert intake.mails_queued == intake.participations_new + len(per_association) + (
        1 if any(i.kind == "wrong-year-file" for i in injected) else 0
    ) - len(intake.associations_unmailed)
