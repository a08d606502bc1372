"""The certificate plan against an oracle: a unit without a certificate gets a first issue, a
changed one a new version under the next number (naming the number it replaces), an unchanged
one is kept, or restored when its file is gone or altered; new numbers follow USCC order from
the first free sequence."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from schemas.campaign_file import CampaignFile
from schemas.certificate_number import make_number
from schemas.release_tables import Certificate
from tasks.common.fonts import FontChoice
from tasks.release.certificates.plan import Action, Certified, Planned, plan_certificates

CID = FontChoice(None)
FIRST, LATER = date(2025, 1, 16), date(2025, 2, 3)


def _unit(n: int, name: str = "") -> Certified:
    return Certified(
        participation_id=n,
        uscc=f"91310115{n:09d}X",
        unit_name=name or f"上海测试{n:04d}科技有限公司",
        report_title=f"上海测试{n:04d}科技有限公司2023年度社会责任报告",
        commendations=(),
    )


def _row(plan: Planned) -> Certificate:
    """The Certificate row an issuing run records for a plan (sha256 stands for the file)."""
    return Certificate(
        campaign_year=2024,
        participation_id=plan.participation_id,
        number=plan.data.number,
        stored_path=plan.stored_path,
        sha256=f"{plan.participation_id:064x}",
        data_sha256=plan.data_sha256,
        version=plan.version,
        issued_on=plan.data.issued_on,
        issued_at=datetime(2025, 1, 16, tzinfo=UTC),
    )


# per unit: (certified before?, renamed since?, file state: intact | gone | altered)
UNITS = st.dictionaries(
    st.integers(1, 60),
    st.tuples(st.booleans(), st.booleans(), st.sampled_from(["intact", "gone", "altered"])),
    max_size=12,
)


@given(units=UNITS, taken=st.integers(0, 40))
def test_the_plan_matches_the_oracle(
    campaign_2024: CampaignFile, units: dict[int, tuple[bool, bool, str]], taken: int
) -> None:
    before = [_unit(n) for n in sorted(units) if units[n][0]]
    rows = [_row(p) for p in plan_certificates(campaign_2024, before, [], FIRST, CID, {}, 1)]
    by_unit = {r.participation_id: r for r in rows}
    now = [_unit(n, "上海更名科技有限公司" if units[n][1] else "") for n in sorted(units)]
    files = {
        r.stored_path: r.sha256 if units[r.participation_id][2] == "intact" else "0" * 64
        for r in rows
        if units[r.participation_id][2] != "gone"
    }
    first = len(rows) + taken + 1  # numbers other units (or runs) already took

    plans = plan_certificates(campaign_2024, now, rows, LATER, CID, files, first)

    sequence = first
    assert [p.participation_id for p in plans] == sorted(units)
    for plan in plans:
        row = by_unit.get(plan.participation_id)
        was, renamed, file = units[plan.participation_id]
        assert (row is not None) == was
        if row is None or renamed:
            expected = Action.ISSUE if row is None else Action.REISSUE
            assert (plan.action, plan.data.number) == (expected, make_number(2024, sequence))
            assert (plan.data.issued_on, plan.version) == (LATER, 1 if row is None else 2)
            assert plan.replaces == ("" if row is None else row.number)
            assert plan.stored_path.endswith(f"/{plan.data.number}.pdf")
            sequence += 1
        else:
            expected = Action.UNCHANGED if file == "intact" else Action.RESTORE
            assert (plan.action, plan.data.number, plan.version) == (expected, row.number, 1)
            assert (plan.data.issued_on, plan.stored_path) == (FIRST, row.stored_path)
            assert (plan.data_sha256, plan.expected_sha256) == (row.data_sha256, row.sha256)
        assert plan.render is (plan.action is not Action.UNCHANGED)
