"""The season fuzzer's per-seed summary: each season's one line (seed, units, days played,
seconds, violations) is printed at the end of the run, also from xdist workers."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print one line per fuzzed season, in seed order."""
    lines = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == "fuzz-season" and getattr(report, "when", "") == "call":
                    lines.append(value)
    if lines:
        terminalreporter.section("season fuzzer")
        for _seed, line in sorted(lines):
            terminalreporter.write_line(line)
