"""Input column specs: docs/inputs.md mirrors them; header matching is forgiving."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.columns import INPUT_KINDS, normalise_header

DOCS = Path(__file__).resolve().parents[2] / "docs" / "inputs.md"


@pytest.mark.parametrize("kind", sorted(INPUT_KINDS))
def test_docs_inputs_lists_every_column_of_the_kind(kind: str) -> None:
    text = DOCS.read_text(encoding="utf-8")

    missing = [
        c.header for c in INPUT_KINDS[kind].columns if f"| {c.header} | `{c.key}` |" not in text
    ]

    assert missing == []


def test_header_names_are_unique_within_each_kind() -> None:
    for kind in INPUT_KINDS.values():
        names = [n for c in kind.columns for n in {*c.names()}]
        assert len(names) == len(set(names)), kind.key


def test_normalise_header_folds_width_case_and_spaces() -> None:
    assert normalise_header(" 营业收入（万元） ") == normalise_header("营业收入(万元)")
    assert normalise_header("E-Mail ") == "e-mail"
