"""Season charts as PNG files: the funnel, the review scores, the topics and the filing timeliness.

Drawn with matplotlib's Agg canvas on `Figure` objects (pyplot is never imported, so no global
backend or figure state is touched and charts can be drawn from task threads). Labels are
Chinese when the WenQuanYi Micro Hei font is installed, English otherwise (never boxes). Output
is deterministic for the same frames: no software or date metadata is written. Each function
writes one PNG where the caller says (always inside the workspace) and returns its path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import matplotlib

# pandas ships no type information and the venv has no pandas-stubs: pandas is `Any` here.
import pandas as pd
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter
from matplotlib.typing import RcKeyType

from schemas.enums import SubmissionKind as K
from tasks.common.standings import STATUS_WORDS, STEP_WORDS
from tasks.release.statistics.frames import FUNNEL, TOTAL

CJK_FONT: Final = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
DPI: Final = 110
COLOURS: Final = ("#2f6b9a", "#e08a2c", "#c0392b", "#9aa5b1", "#6c5b7b")
# A zh/en pair per label; the English one is used when no CJK font is installed.
TIMELINESS_PARTS: Final = (
    ("on_time", "按时", "on time"),
    ("late", "逾期", "late"),
    ("missing", "未交", "missing"),
    ("pending", "未到期", "pending"),
    ("withdrawn", "已退出", "withdrawn"),
)
STEP_EN: Final = {k.value: k.value.replace("_", " ") for k in K}


def chart_font(candidate: Path = CJK_FONT) -> Path | None:
    """Return the CJK font file when it is installed, else None (charts fall back to English)."""
    return candidate if candidate.is_file() else None


class _Words:
    """Picks the Chinese or the English label, and the rc settings that draw it."""

    def __init__(self, font: Path | None) -> None:
        self.zh = font is not None
        self.rc: dict[RcKeyType, Any] = {"axes.unicode_minus": False}
        if font is not None:
            known = {f.fname for f in font_manager.fontManager.ttflist}
            if str(font) not in known:
                font_manager.fontManager.addfont(str(font))
            name = font_manager.FontProperties(fname=str(font)).get_name()
            self.rc["font.family"] = [name, "DejaVu Sans"]

    def __call__(self, zh: str, en: str) -> str:
        return zh if self.zh else en


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(fig)
    fig.savefig(path, format="png", dpi=DPI, metadata={"Software": None})
    return path


def _bars(
    path: Path,
    font: Path | None,
    title: tuple[str, str],
    labels: Sequence[tuple[str, str]],
    values: Sequence[float],
    value_axis: tuple[str, str],
    *,
    horizontal: bool = False,
    share: bool = False,
) -> Path:
    """Draw one bar chart with each bar's value written on it; write the PNG."""
    words = _Words(font)
    with matplotlib.rc_context(words.rc):
        fig = Figure(figsize=(8, 0.45 * len(labels) + 1.8) if horizontal else (8, 4.5))
        ax = fig.add_subplot()
        names = [words(zh, en) for zh, en in labels]
        positions = list(range(len(names)))
        if horizontal:
            bars = ax.barh(positions, values, color=COLOURS[0])
            ax.set_yticks(positions, names)
            ax.invert_yaxis()
            ax.set_xlabel(words(*value_axis))
            if share:
                ax.set_xlim(0, 1.1)
                ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        else:
            bars = ax.bar(positions, values, color=COLOURS[0])
            ax.set_xticks(positions, names)
            ax.set_ylabel(words(*value_axis))
            ax.set_ylim(0, max([*values, 1]) * 1.15)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        shown = [f"{v:.0%}" if share else f"{v:g}" for v in values]
        ax.bar_label(bars, labels=shown, padding=2)
        ax.set_title(words(*title))
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        return _save(fig, path)


def funnel_chart(funnel: pd.DataFrame, path: Path, font: Path | None) -> Path:
    """Draw the season's funnel (the `合计` row, one bar per stage) as a PNG; returns path."""
    total = funnel[funnel["association"] == TOTAL].iloc[0]
    labels = [(STATUS_WORDS[s], s.value.replace("_", " ")) for s in FUNNEL]
    values = [int(total[s.value]) for s in FUNNEL]
    title = ("参与单位漏斗（累计到达各阶段）", "Participation funnel (units reaching each stage)")
    return _bars(path, font, title, labels, values, ("单位数", "units"))


def score_chart(bins: pd.DataFrame, path: Path, font: Path | None) -> Path:
    """Draw the latest review scores per 10-point band as a PNG; returns path."""
    labels = [(str(b), str(b)) for b in bins["band"]]
    values = [int(v) for v in bins["reports"]]
    title = ("评审得分分布（标准化得分）", "Review score distribution (normalised score)")
    return _bars(path, font, title, labels, values, ("报告数", "reports"))


def topic_chart(topics: pd.DataFrame, path: Path, font: Path | None) -> Path:
    """Draw the share of reports covering each topic (horizontal bars) as a PNG; returns path."""
    labels = [(str(n), str(k)) for n, k in zip(topics["topic"], topics["topic_key"], strict=True)]
    values = [float(v) for v in topics["share"]]
    title = ("报告议题覆盖率", "Share of reports covering each topic")
    return _bars(
        path, font, title, labels, values, ("覆盖率", "share"), horizontal=True, share=True
    )


def timeliness_chart(summary: pd.DataFrame, path: Path, font: Path | None) -> Path:
    """Draw on time / late / missing / pending / withdrawn per deadline step, stacked; PNG."""
    words = _Words(font)
    with matplotlib.rc_context(words.rc):
        fig = Figure(figsize=(8, 0.6 * len(summary) + 2.2))
        ax = fig.add_subplot()
        steps = [str(s) for s in summary["step"]]
        names = [words(STEP_WORDS[K(s)], STEP_EN[s]) for s in steps]
        positions = list(range(len(steps)))
        left = [0.0] * len(steps)
        for (column, zh, en), colour in zip(TIMELINESS_PARTS, COLOURS, strict=True):
            counts = [float(v) for v in summary[column]]
            bars = ax.barh(positions, counts, left=left, color=colour, label=words(zh, en))
            ax.bar_label(bars, labels=[f"{c:g}" if c else "" for c in counts], label_type="center")
            left = [a + b for a, b in zip(left, counts, strict=True)]
        ax.set_yticks(positions, names)
        ax.invert_yaxis()
        ax.set_xlabel(words("单位数", "units"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(words("各项材料提交及时情况", "Filing timeliness per deadline step"))
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.08), ncols=5, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        return _save(fig, path)
