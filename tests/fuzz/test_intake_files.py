"""The intake fuzzer: random byte and xlsx-part mutations of valid files never crash intake.

Every mutated file must come back from the reader as a table or as one UnreadableInput, and
from validation as rows and Rejections; nothing else may be raised, and no message may carry
the file's content. A brief run stays in `make test`; `make fuzz` runs INTAKE_FUZZ_EXAMPLES
examples per shape (default 400), marked `fuzz`.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from functools import cache
from pathlib import Path

import pytest
from data.intake_kit import CONTACT, SECRET_NAME, csv_text, grid, write_xlsx
from factories import recommendation_row
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.rejection import UnreadableInput
from tasks.mobilize.lists import read_recommendation_list

BRIEF = 25
LONG = int(os.environ.get("INTAKE_FUZZ_EXAMPLES", "400"))


@cache
def valid_files() -> dict[str, bytes]:
    """Return valid recommendation files by suffix-bearing name: xlsx and three encodings."""
    rows = [
        recommendation_row("A001", n, contact_name=CONTACT, name=f"{SECRET_NAME}{n}")
        for n in range(1, 6)
    ]
    lines = grid(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "A001.xlsx"
        write_xlsx(path, lines)
        xlsx = path.read_bytes()
    return {
        "A001.xlsx": xlsx,
        "A001.csv": csv_text(lines).encode("utf-8-sig"),
        "A001-gbk.csv": csv_text(lines).encode("gbk"),
        "A001.txt": csv_text(lines, "\t").encode("utf-16"),
    }


# Random bytes, text in the file's own kind of characters, and the separators that matter.
CHUNKS = st.one_of(
    st.binary(min_size=1, max_size=16),
    st.text(min_size=1, max_size=8).map(lambda t: t.encode("utf-8")),
    st.sampled_from([b",", b"\r\n", b'"', b"\t", b"=", b"\x00", "\u3000".encode(), b"1E+17"]),
)


@st.composite
def byte_mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    """A valid file with bytes replaced, deleted, inserted or cut off."""
    name = draw(st.sampled_from(sorted(valid_files())))
    data = bytearray(valid_files()[name])
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["replace", "delete", "insert", "cut"]))
        chunk = draw(CHUNKS)
        if action == "replace":
            data[at : at + len(chunk)] = chunk
        elif action == "delete":
            del data[at : at + len(chunk)]
        elif action == "insert":
            data[at:at] = chunk
        else:
            del data[at:]
    return name, bytes(data)


@st.composite
def xlsx_part_mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    """A valid workbook whose zip is whole but one part's XML is changed or missing."""
    source = zipfile.ZipFile(io.BytesIO(valid_files()["A001.xlsx"]))
    names = source.namelist()
    target = draw(st.sampled_from(names))
    action = draw(st.sampled_from(["bytes", "drop", "truncate", "swap-text"]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as mutated:
        for name in names:
            part = source.read(name)
            if name == target:
                if action == "drop":
                    continue
                if action == "truncate":
                    part = part[: draw(st.integers(0, len(part)))]
                elif action == "swap-text":
                    old = draw(st.sampled_from([b'r="', b"<v>", b'"s"', b"<c ", b"dimension"]))
                    new = draw(st.sampled_from([b'r="ZZ', b"<v>-", b'"f"', b'<c t="e" ', b"x"]))
                    part = part.replace(old, new)
                else:
                    at = draw(st.integers(0, max(0, len(part) - 1)))
                    part = part[:at] + draw(st.binary(min_size=1, max_size=32)) + part[at + 32 :]
            mutated.writestr(name, part)
    return "A001.xlsx", out.getvalue()


def _read_without_crashing(name: str, data: bytes) -> None:
    """Read a mutated file the way intake does; only tables and rejections may come back."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        listed = read_recommendation_list(path)
    if not listed.readable:
        assert [r.row for r in listed.rejections] == [None]
    for rejection in listed.rejections:
        if rejection.row is None:  # a file-level reason never quotes the file
            assert CONTACT not in rejection.reason_zh + rejection.reason_en
            assert SECRET_NAME not in rejection.reason_zh + rejection.reason_en


def _unreadable_is_the_only_error(name: str, data: bytes) -> None:
    try:
        _read_without_crashing(name, data)
    except UnreadableInput:  # pragma: no cover - read_recommendation_list catches it
        pytest.fail("UnreadableInput escaped the file boundary")


def fuzz_settings(examples: int) -> settings:
    """Return the fuzzer's settings: no deadline (a workbook takes its time), no saved examples."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )


@fuzz_settings(BRIEF)
@given(st.one_of(byte_mutations(), xlsx_part_mutations()))
def test_a_few_mutated_files_never_crash_intake(mutated: tuple[str, bytes]) -> None:
    _unreadable_is_the_only_error(*mutated)


@pytest.mark.fuzz
@fuzz_settings(LONG)
@given(byte_mutations())
def test_byte_mutations_never_crash_intake(mutated: tuple[str, bytes]) -> None:
    _unreadable_is_the_only_error(*mutated)


@pytest.mark.fuzz
@fuzz_settings(LONG)
@given(xlsx_part_mutations())
def test_xlsx_part_mutations_never_crash_intake(mutated: tuple[str, bytes]) -> None:
    _unreadable_is_the_only_error(*mutated)
