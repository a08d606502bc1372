"""The demo's closing lines tell the operator how to point later commands at its workspace."""

from __future__ import annotations

from pathlib import Path

from deployments.demo.driver import later_commands


def test_the_closing_lines_name_the_demo_workspace_relative_to_where_the_demo_ran() -> None:
    text = later_commands(Path("/repo/workspace/demo"), Path("/repo"), 2024)

    assert "campaign --workspace workspace/demo status --year 2024" in text
    assert "campaign --workspace workspace/demo audit --year 2024" in text
    assert "workspace/demo/release/2024/certificates/" in text


def test_a_workspace_elsewhere_is_named_in_full() -> None:
    text = later_commands(Path("/srv/demo"), Path("/repo"), 2024)

    assert "campaign --workspace /srv/demo status" in text


def test_with_an_earlier_season_its_audit_and_the_search_are_named() -> None:
    text = later_commands(Path("/repo/workspace/demo"), Path("/repo"), 2024, 2023)

    assert "campaign --workspace workspace/demo audit --year 2023" in text
    assert "campaign --workspace workspace/demo search 碳达峰" in text


def test_without_an_earlier_season_no_earlier_audit_is_named() -> None:
    text = later_commands(Path("/repo/workspace/demo"), Path("/repo"), 2024)

    assert "--year 2023" not in text
