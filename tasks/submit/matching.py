"""Match report PDFs in the drop folder to units: a manifest row, or the USCC in the file name.

Never guesses: a file whose name holds no valid USCC (or two different ones) and that no
manifest row names is reported as unmatched. Pure: takes names and manifest rows, returns
decisions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from schemas.columns import REPORT_MANIFEST
from schemas.rejection import Rejection
from schemas.rows import ManifestRow
from schemas.uscc import InvalidUSCC, normalise_uscc
from tasks.common.validation import rejection_at

USCC_IN_NAME = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z]{18})(?![0-9A-Za-z])")


def usccs_in_name(name: str) -> list[str]:
    """Return the distinct valid USCCs written in a file name, in order of appearance."""
    text = unicodedata.normalize("NFKC", name)
    found: list[str] = []
    for candidate in USCC_IN_NAME.findall(text):
        try:
            code = normalise_uscc(candidate)
        except InvalidUSCC:
            continue
        if code not in found:
            found.append(code)
    return found


@dataclass
class Matches:
    """Which unit each PDF belongs to, and the files that could not be matched."""

    by_file: dict[str, str] = field(default_factory=dict)  # file name -> USCC
    rejections: list[Rejection] = field(default_factory=list)


def match_reports(
    names: Sequence[str], manifest: Sequence[tuple[ManifestRow, str, int]]
) -> Matches:
    """Match each PDF name to a USCC: the manifest first, else exactly one USCC in the name."""
    out = Matches()
    listed: dict[str, str] = {}
    for row, file, number in manifest:
        if row.file in listed and listed[row.file] != row.uscc:
            out.rejections.append(
                rejection_at(
                    REPORT_MANIFEST,
                    file,
                    number,
                    "file",
                    row.file,
                    "manifest-conflict",
                    "同一文件在清单中对应了不同的单位",
                    "the manifest gives this file two different units",
                )
            )
            continue
        listed[row.file] = row.uscc
    for name in sorted(names):
        if name in listed:
            out.by_file[name] = listed[name]
            continue
        codes = usccs_in_name(name)
        if len(codes) == 1:
            out.by_file[name] = codes[0]
            continue
        why_zh, why_en = (
            ("文件名中有多个统一社会信用代码", "the file name holds more than one USCC")
            if codes
            else ("文件名中没有有效的统一社会信用代码", "the file name holds no valid USCC")
        )
        out.rejections.append(
            rejection_at(
                REPORT_MANIFEST,
                name,
                None,
                "",
                name,
                "pdf-unmatched",
                f"无法确定报告所属单位：{why_zh}，清单中也没有该文件",
                f"cannot tell whose report this is: {why_en}, and no manifest row names it",
            )
        )
    return out
