"""The next batch's claim: started once, looked at again when made too early, released unused."""

from __future__ import annotations

import asyncio

from notifications.claims import ClaimedMail
from notifications.next_batch import NextBatch


def _mail(row: int) -> ClaimedMail:
    return ClaimedMail(
        id=row,
        campaign_year=2024,
        key=f"k{row}",
        template="t",
        recipient=f"c{row}@unit.example.com",
        recipient_name="",
        subject="s",
        text="t",
        html="h",
        attachments=(),
        message_id=f"<{row}@example.org>",
        attempts=0,
    )


def _claims(*answers: list[ClaimedMail]) -> tuple[list[int], NextBatch]:
    """A NextBatch whose claims give `answers` in turn; the list counts the claims made."""
    made: list[int] = []

    async def claim_batch() -> list[ClaimedMail]:
        made.append(len(made))
        return answers[len(made) - 1]

    return made, NextBatch(claim_batch)


def test_a_claim_is_started_once_however_often_it_is_asked_for() -> None:
    made, ahead = _claims([_mail(1)], [_mail(2)])

    async def run() -> list[ClaimedMail]:
        ahead.start(fresh=False)
        ahead.start(fresh=False)
        ahead.start(fresh=True)
        return await ahead.take()

    assert [m.id for m in asyncio.run(run())] == [1]
    assert made == [0]


def test_an_empty_claim_made_during_the_last_batch_is_made_again_and_a_fresh_one_is_not() -> None:
    made, ahead = _claims([], [_mail(7)], [])

    async def run() -> tuple[list[ClaimedMail], list[ClaimedMail]]:
        ahead.start(fresh=False)  # while a batch was being sent: rows may have become due since
        first = await ahead.take()
        ahead.start(fresh=True)  # after the batch: nothing due means nothing due
        return first, await ahead.take()

    first, second = asyncio.run(run())
    assert ([m.id for m in first], second) == ([7], [])
    assert made == [0, 1, 2]


def test_nothing_to_release_when_no_claim_was_started() -> None:
    made, ahead = _claims([_mail(1)])
    asyncio.run(ahead.release(recorder=None, reason="stopped"))  # type: ignore[arg-type]
    assert made == []
