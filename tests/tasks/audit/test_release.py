"""What the release published agrees with the decisions; certificates verify; the pack is whole."""

from __future__ import annotations

from datetime import date

from auditkit import decision, snapshot, unit
from hypothesis import given
from hypothesis import strategies as st

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from tasks.audit.release import (
    certificate_violations,
    pack_violations,
    release_violations,
)
from tasks.audit.snapshot import CertificateRow, MeetingRow, ReleaseFiles
from tasks.audit.violations import CERTIFICATES, MEETING_PACK, RELEASE

SHA = "a" * 64


def _certificate(pid: int, version: int = 1, on_disk: str | None = SHA) -> CertificateRow:
    return CertificateRow(pid, f"SHCSR-2024-{pid:05d}-{version}", version, SHA, "x.pdf", on_disk)


def test_a_season_before_its_release_has_nothing_to_compare(campaign_2024: CampaignFile) -> None:
    units = (unit(1, S.REVIEW_PASSED), unit(2, S.IN_REVIEW))
    s = snapshot(campaign_2024, units=units, decisions=(decision(1),))

    assert release_violations(s) == []
    assert pack_violations(s) == []


def test_released_units_need_a_certificate_and_the_meetings_word(
    campaign_2024: CampaignFile,
) -> None:
    units = (unit(1, S.RELEASED), unit(2, S.RELEASED), unit(3, S.REMOVED), unit(4, S.LAPSED))
    meeting = MeetingRow(1, date(2024, 12, 27), (units[0].uscc, units[2].uscc), {}, "")
    certificates = (_certificate(1), _certificate(4))
    s = snapshot(campaign_2024, units=units, meeting=meeting, certificates=certificates)

    found = {(v.uscc, v.wrong_en) for v in release_violations(s)}

    assert found == {
        (units[1].uscc, "approved or released but not on the meeting's release list"),
        (units[1].uscc, "released without a certificate"),
        (units[2].uscc, "on the meeting's release list but removed"),
        (units[3].uscc, "lapsed but holds a release certificate"),
    }


def test_the_catalogue_lists_exactly_the_released_units_with_the_decided_grade(
    campaign_2024: CampaignFile,
) -> None:
    units = (unit(1, S.RELEASED), unit(2, S.RELEASED), unit(3, S.REMOVED))
    decided = (decision(1, 1, grade="五星级"), decision(1, 2, grade="二星级"), decision(2))
    pages = {units[0].uscc.lower(): "五星级", units[2].uscc.lower(): "三星级"}
    s = snapshot(
        campaign_2024,
        units=units,
        decisions=decided,
        certificates=(_certificate(1), _certificate(2)),
        files=ReleaseFiles(catalogue_grades=pages),
    )

    found = sorted((v.uscc, v.wrong_en) for v in release_violations(s))

    assert found == sorted(
        [
            (units[0].uscc, "the catalogue shows grade '五星级', the decided grade is '二星级'"),
            (units[1].uscc, "released but missing from the catalogue"),
            (units[2].uscc, "the catalogue lists a unit that is not released"),
        ]
    )


@given(st.integers(min_value=0, max_value=4), st.integers(min_value=0, max_value=4))
def test_the_statistics_headlines_match_the_season(
    campaign_2024: CampaignFile, said_released: int, said_certificates: int
) -> None:
    units = (unit(1, S.RELEASED), unit(2, S.RELEASED), unit(3, S.APPROVED))
    certificates = (_certificate(1), _certificate(2), _certificate(2, 2))
    stats = {"released": said_released, "certificates": said_certificates}
    s = snapshot(
        campaign_2024, units=units, certificates=certificates, files=ReleaseFiles(statistics=stats)
    )

    found = [v for v in release_violations(s) if v.subject]

    assert len(found) == (said_released != 2) + (said_certificates != 2)  # 2 units certified
    assert all(v.invariant == RELEASE for v in found)


def test_a_certificate_whose_file_is_gone_or_changed_does_not_verify(
    campaign_2024: CampaignFile,
) -> None:
    certificates = (
        _certificate(1),
        _certificate(1, 2, on_disk=None),
        _certificate(2, 1, on_disk="b" * 64),
    )
    s = snapshot(
        campaign_2024, units=(unit(1, S.RELEASED), unit(2, S.RELEASED)), certificates=certificates
    )

    found = certificate_violations(s)

    assert [(v.invariant, v.subject) for v in found] == [
        (CERTIFICATES, "证书 certificate SHCSR-2024-00001-2"),
        (CERTIFICATES, "证书 certificate SHCSR-2024-00002-1"),
    ]
    assert "missing" in found[0].wrong_en
    assert "sha256" in found[1].wrong_en


@given(st.lists(st.integers(min_value=0, max_value=2), min_size=4, max_size=4))
def test_the_meeting_pack_lists_every_unit_once(
    campaign_2024: CampaignFile, times: list[int]
) -> None:
    statuses = [S.RELEASED, S.REMOVED, S.LAPSED, S.WITHDRAWN]
    units = tuple(unit(i + 1, st_) for i, st_ in enumerate(statuses))
    counts = {u.uscc: n for u, n in zip(units, times, strict=True) if n}
    oracle = {
        u.uscc
        for u, n in zip(units, times, strict=True)
        if n > 1 or (n == 0 and u.status in (S.RELEASED, S.REMOVED))
    }
    s = snapshot(
        campaign_2024, units=units, files=ReleaseFiles(pack_uscc_counts=counts, pack_file="p.xlsx")
    )

    found = pack_violations(s)

    assert {v.uscc for v in found} == oracle
    assert all(v.invariant == MEETING_PACK for v in found)


def test_a_catalogue_page_of_a_unit_without_a_decided_outcome_is_listed(
    campaign_2024: CampaignFile,
) -> None:
    u = unit(1, S.RELEASED)
    s = snapshot(
        campaign_2024,
        units=(u,),
        certificates=(_certificate(1),),
        files=ReleaseFiles(catalogue_grades={u.uscc.lower(): "五星级"}),
    )

    [v] = release_violations(s)
    assert v.wrong_en == "the catalogue shows grade '五星级' but the unit has no decided outcome"
