"""`campaign approve`: reading a changes file and refusing unclear options (no Prefect needed).

The whole command against a paused run is exercised in tests/flows/test_meeting.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from meetingkit import uscc
from typer.testing import CliRunner

from deployments.cli_meeting import UnreadableChanges, load_changes, register


def test_a_json_and_a_toml_file_state_the_same_changes(tmp_path: Path) -> None:
    data = {
        "remove_from_release": {uscc(2): "数据不符"},
        "add_to_commendation": [
            {"uscc": uscc(5), "kind": "case", "category_key": "community", "reason": "突出"}
        ],
    }
    as_json = tmp_path / "changes.json"
    as_json.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    as_toml = tmp_path / "changes.toml"
    as_toml.write_text(
        f'[remove_from_release]\n"{uscc(2)}" = "数据不符"\n\n[[add_to_commendation]]\n'
        f'uscc = "{uscc(5)}"\nkind = "case"\ncategory_key = "community"\nreason = "突出"\n',
        encoding="utf-8",
    )

    assert load_changes(as_json) == load_changes(as_toml)
    assert load_changes(as_json).add_to_commendation[0].kind == "case"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"remove_from_releas": {}}', "remove_from_releas: Extra inputs are not permitted"),
        ('{"add_to_commendation": [{"uscc": "x", "kind": "medal", "reason": "r"}]}', "kind"),
        ("{not json", "cannot read"),
    ],
)
def test_a_broken_changes_file_is_named_with_its_problem(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "changes.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnreadableChanges, match=expected) as raised:
        load_changes(path)
    assert raised.value.path == path


def test_approve_needs_exactly_one_of_as_proposed_or_changes(tmp_path: Path) -> None:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """The campaign command (only `approve` here)."""

    register(app)
    changes = tmp_path / "c.json"
    changes.write_text("{}", encoding="utf-8")
    runner = CliRunner()

    neither = runner.invoke(app, ["approve", "--year", "2024"])
    both = runner.invoke(app, ["approve", "--as-proposed", "--changes", str(changes)])

    assert (neither.exit_code, both.exit_code) == (2, 2)
    assert "exactly one of --as-proposed or --changes" in neither.output
