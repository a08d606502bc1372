"""The outbox adds up: counts, expired sending leases, failures waiting for an operator."""

from __future__ import annotations

from datetime import timedelta

from auditkit import NOW, mail, snapshot
from hypothesis import given
from hypothesis import strategies as st

from schemas.campaign_file import CampaignFile
from schemas.enums import OutboxStatus
from tasks.audit.outbox import outbox_violations

STATUSES = st.sampled_from([s.value for s in OutboxStatus])


@given(st.lists(st.tuples(STATUSES, st.integers(min_value=-120, max_value=120)), max_size=8))
def test_stuck_and_unacknowledged_mails_are_listed(
    campaign_2024: CampaignFile, rows: list[tuple[str, int]]
) -> None:
    mails = tuple(
        mail(i, "invitation", status=st_, lease_until=NOW + timedelta(seconds=secs))
        for i, (st_, secs) in enumerate(rows, start=1)
    )
    counts: dict[str, int] = {}
    for m in mails:
        counts[m.status] = counts.get(m.status, 0) + 1
    oracle = {
        m.id
        for m in mails
        if m.status in ("failed", "ambiguous")
        or (m.status == "sending" and m.lease_until is not None and m.lease_until < NOW)
    }
    s = snapshot(campaign_2024, mails=mails, outbox_total=len(mails), outbox_counts=counts)

    found = outbox_violations(s)

    assert {int(v.subject.split("#")[1].split()[0]) for v in found} == oracle


def test_counts_that_do_not_add_up_are_listed(campaign_2024: CampaignFile) -> None:
    s = snapshot(campaign_2024, outbox_total=3, outbox_counts={"sent": 2})

    [v] = outbox_violations(s)
    assert "add up to 2" in v.wrong_en
