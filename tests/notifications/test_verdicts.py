"""Tests for notifications/verdicts.py: the one table, the faults of real aiosmtplib errors.

The oracle below restates the delivery contract (shared/DESIGN.md) phase by phase in plain
conditions; the table must agree with it for every phase and fault.
"""

from __future__ import annotations

import ssl

import aiosmtplib
import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.mailers import SendReceipt
from notifications.transmit import SmtpPhase, TransmitError
from notifications.verdicts import (
    VERDICTS,
    Fault,
    Verdict,
    backoff,
    fault_of,
    outcome_of_error,
    outcome_of_receipt,
)

SETUP = (SmtpPhase.TLS, SmtpPhase.AUTH)


def _oracle(phase: SmtpPhase | None, fault: Fault) -> Verdict:
    """The contract in plain words: where it failed and what went wrong decide."""
    if fault is Fault.TEMPORARY:
        return Verdict.RETRY  # a 4xx anywhere: try again later
    if phase is SmtpPhase.PAYLOAD:
        replied = fault in (Fault.PERMANENT, Fault.TOO_LARGE)
        return Verdict.FAILED if replied else Verdict.AMBIGUOUS  # the server may hold it
    if fault is Fault.LOST:
        return Verdict.RETRY  # nothing was handed over yet
    if phase in SETUP:
        return Verdict.CONFIGURATION
    if phase is SmtpPhase.CONNECT:
        return Verdict.CONFIGURATION if fault is Fault.OTHER else Verdict.RETRY
    if phase is SmtpPhase.MAIL and fault is Fault.PERMANENT:
        return Verdict.CONFIGURATION  # our sender or session is refused, not this message
    return Verdict.FAILED


@given(st.sampled_from([None, *SmtpPhase]), st.sampled_from(Fault))
def test_the_table_holds_the_contract_for_every_phase_and_fault(
    phase: SmtpPhase | None, fault: Fault
) -> None:
    assert VERDICTS[phase, fault] is _oracle(phase, fault)


def test_the_table_covers_every_phase_and_fault_once() -> None:
    assert len(VERDICTS) == (len(SmtpPhase) + 1) * len(Fault)


@pytest.mark.parametrize(
    ("error", "fault", "code"),
    [
        (aiosmtplib.SMTPServerDisconnected("Connection lost"), Fault.LOST, None),
        (aiosmtplib.SMTPReadTimeoutError("Timed out"), Fault.LOST, None),
        (aiosmtplib.SMTPConnectError("refused"), Fault.LOST, None),
        (ConnectionResetError(), Fault.LOST, None),
        (aiosmtplib.SMTPDataError(451, "later"), Fault.TEMPORARY, 451),
        (aiosmtplib.SMTPDataError(554, "no"), Fault.PERMANENT, 554),
        (aiosmtplib.SMTPSenderRefused(552, "too big", "a@example.org"), Fault.TOO_LARGE, 552),
        (aiosmtplib.SMTPAuthenticationError(535, "bad"), Fault.PERMANENT, 535),
        (aiosmtplib.SMTPNotSupported("no STARTTLS"), Fault.REFUSED_SETUP, None),
        (ssl.SSLCertVerificationError("self-signed"), Fault.REFUSED_SETUP, None),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(450, "busy", "b@example.org")]
            ),
            Fault.TEMPORARY,
            450,
        ),
        (ValueError("bad address"), Fault.OTHER, None),
    ],
)
def test_each_kind_of_error_is_its_fault(
    error: BaseException, fault: Fault, code: int | None
) -> None:
    assert fault_of(error) == (fault, code)


def test_an_implicit_tls_handshake_failure_is_a_setup_refusal() -> None:
    error = aiosmtplib.SMTPConnectError("Error connecting")
    error.__cause__ = ssl.SSLError("handshake failure")

    assert fault_of(error) == (Fault.REFUSED_SETUP, None)


def test_an_outcome_names_the_phase_and_keeps_the_reply() -> None:
    lost = TransmitError(SmtpPhase.PAYLOAD, aiosmtplib.SMTPServerDisconnected("Connection lost"))
    refused = TransmitError(SmtpPhase.AUTH, aiosmtplib.SMTPAuthenticationError(535, "bad"))

    ambiguous, config = outcome_of_error(lost), outcome_of_error(refused)
    assert (ambiguous.verdict, ambiguous.reply, ambiguous.error, ambiguous.connection) == (
        Verdict.AMBIGUOUS,
        None,
        "end of data: SMTPServerDisconnected: Connection lost",
        True,
    )
    assert (config.verdict, config.reply, config.error) == (
        Verdict.CONFIGURATION,
        "535 bad",
        "login: SMTPAuthenticationError: 535 bad",
    )
    assert outcome_of_error(OSError("disk full")).verdict is Verdict.RETRY  # file mailer


def test_a_receipt_is_sent_unless_its_recipient_was_refused() -> None:
    ok = SendReceipt(code=250, reply="250 ok", refused={})
    busy = SendReceipt(code=250, reply="250 ok", refused={"b@example.org": (450, "busy")})

    assert outcome_of_receipt(ok, "b@example.org").verdict is Verdict.SENT
    assert outcome_of_receipt(busy, "b@example.org").verdict is Verdict.RETRY


@given(st.integers(min_value=0, max_value=100))
def test_backoff_doubles_from_a_minute_up_to_two_hours(attempts: int) -> None:
    expected = min(60 * 2 ** max(attempts - 1, 0), 7200)
    assert backoff(attempts).total_seconds() == expected
