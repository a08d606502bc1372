"""The season fuzzer's per-seed lines (seed, units, days played, seconds, violations): printed
as each season ends, and again in seed order at the end of the run (also from xdist workers)."""

from __future__ import annotations

import pytest

_LINES: list[tuple[int, str]] = []
_CONFIG: list[pytest.Config] = []


def pytest_configure(config: pytest.Config) -> None:
    """Remember the config, to reach the terminal when a season ends."""
    _CONFIG.append(config)


def _season_line(report: pytest.TestReport) -> tuple[int, str] | None:
    """Return a fuzzed season's (seed, line) from its call report, or None."""
    if report.when != "call":
        return None
    for name, value in report.user_properties:
        if name == "fuzz-season":
            seed, line = value
            return int(seed), str(line)
    return None


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Keep each season's line and print it as soon as the season ends."""
    found = _season_line(report)
    if found is not None:
        _LINES.append(found)
        terminal = _CONFIG[0].pluginmanager.get_plugin("terminalreporter") if _CONFIG else None
        if terminal is not None:
            terminal.write_line(found[1])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print one line per fuzzed season, in seed order."""
    if _LINES:
        terminalreporter.section("season fuzzer")
        for _seed, line in sorted(_LINES):
            terminalreporter.write_line(line)
