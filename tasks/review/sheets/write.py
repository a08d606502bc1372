"""Write one reviewer's score sheet (专家评分表) as xlsx: instructions, scores, hidden identity.

`write_score_sheet(spec, path)` takes plain values and writes one workbook where the caller says
(always inside the workspace). Layout and shared names are in tasks/review/sheets/layout.py.

- `填写说明`: the campaign, the reviewer, the deadline, each criterion's weight and range, how to
  fill in the sheet.
- `评分表`: one row per report; score, comment and suggestion cells are unlocked, everything
  else is locked and the sheet is protected (no password: the protection guards against
  accidents, the reader checks everything anyway). Every score cell carries an Excel data
  validation (decimal between the criterion's min and max, with an error message). Frozen
  header and first two columns, fixed column widths.
- `_meta`: very hidden (not offered by Excel's "Unhide") and protected, holding the format,
  campaign year, reviewer key, sheet id, criteria keys and the row -> participation id mapping.
  The workbook structure is locked so sheets cannot be added, removed or unhidden by accident.

Every string is written as a text cell, so a unit name or hint starting with `=`, `+`, `-` or
`@` is shown, never run; comment cells are formatted as text ("@") so what a reviewer types
there stays text too. Characters XML cannot hold are dropped. The file is byte-for-byte
deterministic: fixed workbook times and fixed timestamps inside the zip.
"""

from __future__ import annotations

import io
import os
import zipfile
from copy import copy
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from schemas.campaign_parts import Criterion
from tasks.review.sheets.layout import (
    COMMENT_HEADER,
    FIRST_DATA_ROW,
    FIXED_HEADERS,
    HEADER_ROW,
    ID_HEADER,
    INSTRUCTIONS_SHEET,
    META_FORMAT,
    META_MAPPING_FIRST_ROW,
    META_MAPPING_HEADER,
    META_SHEET,
    SCORES_SHEET,
    SUGGESTIONS_HEADER,
    SheetSpec,
    comment_column,
    criterion_header,
    id_column,
    number_text,
    range_text,
    score_column,
    suggestions_column,
)

FIXED_TIME = datetime(2000, 1, 1)  # noqa: DTZ001 - workbook times are naive in openpyxl
ZIP_TIME = (2000, 1, 1, 0, 0, 0)
MAX_CELL_TEXT = 32767
DV_TITLE_MAX, DV_TEXT_MAX = 32, 255  # Excel's limits for data-validation titles and messages
WEEKDAYS = "一二三四五六日"
FIXED_WIDTHS = (6, 28, 32, 24, 34)
SCORE_WIDTH = 14
TEXT_WIDTH = 40
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)


def write_score_sheet(spec: SheetSpec, path: Path) -> Path:
    """Write the reviewer's score sheet to `path` (replacing it atomically); return the path."""
    wb = Workbook()
    instructions = wb.active
    assert instructions is not None
    instructions.title = INSTRUCTIONS_SHEET
    _fill_instructions(instructions, spec)
    _fill_scores(wb.create_sheet(SCORES_SHEET), spec)
    _fill_meta(wb.create_sheet(META_SHEET), spec)
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.creator = "csr-campaign"
    wb.properties.title = f"{spec.campaign_title} 专家评分表"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    _save_deterministic(wb, path)
    return path


def put_text(ws: Worksheet, row: int, column: int, value: str) -> None:
    """Write a string into a cell as text, never as a formula; mutates the worksheet."""
    cell = ws.cell(row=row, column=column)
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_TEXT]
    cell.data_type = "s"


def date_text(day: date) -> str:
    """Return a date in Chinese with its weekday, e.g. "2024年12月13日（星期五）"."""
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


def _fill_instructions(ws: Worksheet, spec: SheetSpec) -> None:
    """Write the 填写说明 sheet: campaign, reviewer, deadline, criteria, how to fill; mutates ws."""
    put_text(ws, 1, 1, f"{spec.campaign_title} 专家评分表 填写说明")
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    facts = (
        ("评审专家", f"{spec.reviewer_name}（{spec.reviewer_key}）"),
        ("交回截止", f"{date_text(spec.deadline)}，含当天"),
        ("评审报告数", f"{len(spec.reports)} 份"),
        ("表号", spec.sheet_id),
        ("评审轮次", "首轮评审" if spec.round == 0 else f"第{spec.round}轮修改稿复核"),
    )
    for offset, (label, value) in enumerate(facts, start=3):
        put_text(ws, offset, 1, label)
        put_text(ws, offset, 2, value)
        ws.cell(row=offset, column=1).font = Font(bold=True)
    row = 3 + len(facts) + 1
    for column, header in enumerate(("评分项", "English", "权重", "分值范围"), start=1):
        put_text(ws, row, column, header)
        ws.cell(row=row, column=column).font = Font(bold=True)
        ws.cell(row=row, column=column).fill = HEADER_FILL
    for criterion in spec.criteria:
        row += 1
        put_text(ws, row, 1, criterion.name)
        put_text(ws, row, 2, criterion.name_en)
        put_text(ws, row, 3, f"{number_text(round(criterion.weight * 100, 4))}%")
        put_text(ws, row, 4, range_text(criterion))
    row += 2
    put_text(ws, row, 1, "填写方法")
    ws.cell(row=row, column=1).font = Font(bold=True)
    for step, line in enumerate(_how_to_fill(spec), start=1):
        put_text(ws, row + step, 1, f"{step}. {line}")
    for column, width in enumerate((14, 40, 10, 12), start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.protection.sheet = True


def _how_to_fill(spec: SheetSpec) -> list[str]:
    """Return the numbered how-to-fill lines of the instructions, in Chinese."""
    return [
        f"请在“{SCORES_SHEET}”工作表中为每份报告逐项打分：每个评分项填写一个数字（可带小数），"
        "须在上表的分值范围内，不要填写“分”等文字。",
        "总分由组委会按上表权重计算，无需填写。",
        f"“{COMMENT_HEADER}”写对报告的整体评价；“{SUGGESTIONS_HEADER}”写给参评单位的修改建议，"
        "将以匿名方式反馈给参评单位。",
        "一份报告的各评分项须全部填写才算评完；尚未评审的报告请整行留空，不要只填一部分。",
        "“预审提示”是系统对报告PDF的自动预审结果，仅供参考。",
        "黄色单元格可以填写，其余单元格已锁定。请勿插入、删除、复制或移动行列，"
        "也不要把内容粘贴到新的工作簿里交回。",
        f"填写完毕请保存为 .xlsx 格式（不要另存为 .xls、.csv 或 PDF），于{date_text(spec.deadline)}"
        "前（含当天）发回。",
    ]


def _fill_scores(ws: Worksheet, spec: SheetSpec) -> None:
    """Write the 评分表 sheet: rows, inputs, validations, widths, protection; mutates ws."""
    n = len(spec.criteria)
    headers = [
        *FIXED_HEADERS,
        *(criterion_header(c) for c in spec.criteria),
        COMMENT_HEADER,
        SUGGESTIONS_HEADER,
        ID_HEADER,
    ]
    for column, header in enumerate(headers, start=1):
        put_text(ws, HEADER_ROW, column, header)
        cell = ws.cell(row=HEADER_ROW, column=column)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    _style_report_row(ws, FIRST_DATA_ROW, n)
    styles = [(c.column, c._style) for c in ws[FIRST_DATA_ROW] if c.has_style]
    for index, report in enumerate(spec.reports):
        row = FIRST_DATA_ROW + index
        ws.cell(row=row, column=1, value=index + 1)
        texts = (report.unit_name, report.report_title, report.file_name, report.hint)
        for column, text in enumerate(texts, start=2):
            put_text(ws, row, column, text)
        ws.cell(row=row, column=id_column(n), value=report.participation_id)
        if index:  # the first row's style indices, copied: no style lookup per cell
            for column, style in styles:
                ws.cell(row=row, column=column)._style = copy(style)
    last_row = FIRST_DATA_ROW + len(spec.reports) - 1
    for index, criterion in enumerate(spec.criteria):
        letter = get_column_letter(score_column(index))
        validation = _score_validation(criterion)
        ws.add_data_validation(validation)
        validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
    widths = [*FIXED_WIDTHS, *([SCORE_WIDTH] * n), TEXT_WIDTH, TEXT_WIDTH, 10]
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.column_dimensions[get_column_letter(id_column(n))].hidden = True
    ws.row_dimensions[HEADER_ROW].height = 32
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=3).coordinate
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widths may be changed
    ws.protection.formatRows = False


def _style_report_row(ws: Worksheet, row: int, n: int) -> None:
    """Style one report row: wrapped texts; unlocked, filled score and comment inputs (comment
    cells as text); mutates ws. Setting a style looks it up in the workbook's style tables,
    which took half the writing time of a sheet of a hundred reports when done on every row."""
    for column in range(2, 6):
        ws.cell(row=row, column=column).alignment = WRAP
    for column in range(score_column(0), score_column(n)):
        ws.cell(row=row, column=column).protection = UNLOCKED
        ws.cell(row=row, column=column).fill = INPUT_FILL
    for column in (comment_column(n), suggestions_column(n)):
        cell = ws.cell(row=row, column=column)
        cell.protection = UNLOCKED
        cell.fill = INPUT_FILL
        cell.number_format = "@"
        cell.alignment = WRAP


def _score_validation(criterion: Criterion) -> DataValidation:
    """Return the data validation for one criterion's score cells (decimal in its range)."""
    low, high = number_text(criterion.min), number_text(criterion.max)
    error = f"“{criterion.name}”请填写 {low} 到 {high} 之间的数字（可带小数），不要填写文字。"
    return DataValidation(
        type="decimal",
        operator="between",
        formula1=low,
        formula2=high,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle="分数超出范围",
        error=error[:DV_TEXT_MAX],
        promptTitle=criterion.name[:DV_TITLE_MAX],
        prompt=f"请填写 {low}-{high} 之间的数字",
    )


def _fill_meta(ws: Worksheet, spec: SheetSpec) -> None:
    """Write the very hidden, protected _meta sheet (identity and row mapping); mutates ws."""
    ws.cell(row=1, column=1, value="format")
    ws.cell(row=1, column=2, value=META_FORMAT)
    ws.cell(row=2, column=1, value="campaign_year")
    ws.cell(row=2, column=2, value=spec.campaign_year)
    rows = (
        ("reviewer_key", spec.reviewer_key.strip()),
        ("sheet_id", spec.sheet_id),
        ("criteria", ",".join(c.key for c in spec.criteria)),
    )
    for row, (key, value) in enumerate(rows, start=3):
        put_text(ws, row, 1, key)
        put_text(ws, row, 2, value)
    put_text(ws, 3 + len(rows), 1, "round")
    ws.cell(row=3 + len(rows), column=2, value=spec.round)
    put_text(ws, META_MAPPING_FIRST_ROW - 1, 1, META_MAPPING_HEADER[0])
    put_text(ws, META_MAPPING_FIRST_ROW - 1, 2, META_MAPPING_HEADER[1])
    for index, report in enumerate(spec.reports):
        ws.cell(row=META_MAPPING_FIRST_ROW + index, column=1, value=FIRST_DATA_ROW + index)
        ws.cell(row=META_MAPPING_FIRST_ROW + index, column=2, value=report.participation_id)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def _save_deterministic(wb: Workbook, path: Path) -> None:
    """Save with fixed zip timestamps through a temporary file beside `path`; writes `path`."""
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(tmp, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    os.replace(tmp, path)
