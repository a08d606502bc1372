"""Write the xlsx template of an input kind, fillable without reading the docs.

The first sheet is the one intake reads: the kind's headers (required ones marked `*` and red),
code, phone and e-mail columns formatted as text so Excel cannot turn a USCC into 9.13101E+17,
drop-down lists (是/否, 单位类型, 所在区, 所属行业, ...) from a hidden 选项 sheet, and a
Chinese input message on every column that has a rule. The 填表说明 sheet lists the rules,
every column and one synthetic example row (example.com), kept off the data sheet so it is
never imported by mistake.
Writes one file where the operator says.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from deployments.template_examples import example_row
from schemas.choices import CHOICES
from schemas.columns import ColumnSpec, InputKind

TEMPLATE_ROWS = 500  # rows formatted and validated below the header
TEXT_KEYS = frozenset(
    {"uscc", "phone", "email", "code", "association_code", "reviewer_email", "conflict_units"}
)
NOTES_TITLE = "填表说明"
CHOICES_TITLE = "选项"
RULES = (
    "1. 只在第一张工作表中填写，一行一家单位（或一条记录），第 1 行是表头，请勿修改表头文字。",
    "2. 标 * 的列为必填；其他列可留空。",
    "3. 统一社会信用代码、电话、邮箱等列已设为“文本”格式：请直接输入或“粘贴为文本”，"
    "不要改成“常规”或“数值”，否则代码会变成 9.13101E+17 这样的数字，末几位丢失。",
    "4. 不要合并单元格：代码、名称、联系人、电话、邮箱列的合并单元格会被退回；"
    "其他列的合并单元格按“向下填充”处理。",
    "5. 不要使用公式（如 =HYPERLINK）：代码、名称、联系人、电话、邮箱列中的公式会被退回。",
    "6. 邮箱须为英文字母、数字组成的地址（如 contact@example.com），用户名不能含中文；"
    "全角字母会自动转成半角。",
    "7. 电话：手机写 11 位；固定电话须带区号，如 021-62345678；分机写成 021-62345678转8001。",
    "8. 有下拉列表的列请从列表中选择；金额单位为万元，只填数字。",
    "9. 保存为 .xlsx 后发送；也接受 UTF-8 或 GB18030 编码的 CSV。",
)
_REQUIRED = Font(bold=True, color="C00000")
_OPTIONAL = Font(bold=True)
_FILL = PatternFill("solid", fgColor="FFF2CC")


def header_text(spec: ColumnSpec) -> str:
    """Return a column's header as the template shows it (`*` after a required one)."""
    return f"{spec.header}*" if spec.required else spec.header


def input_message(spec: ColumnSpec) -> str:
    """Return the Chinese input message Excel shows when a cell of this column is selected."""
    if spec.key in CHOICES:
        values, strict = CHOICES[spec.key]
        head = "请从下拉列表选择" if strict else "建议从下拉列表选择（也可填写其他）"
        return f"{head}：{' / '.join(values[:6])}{' 等' if len(values) > 6 else ''}"
    messages = {
        "uscc": "18 位统一社会信用代码；本列为文本格式，请直接输入",
        "phone": "手机 11 位；固定电话带区号，如 021-62345678",
        "email": "英文邮箱，如 contact@example.com；用户名不能含中文",
        "reviewer_email": "专家的英文邮箱，如 expert@example.org",
        "filed_on": "日期，如 2024-11-10",
    }
    text = messages.get(spec.key, spec.note)
    return text or ("必填" if spec.required else "选填")


def write_template(kind: InputKind, path: Path, campaign_year: int) -> Path:
    """Write the template of an input kind to `path` (see the module docstring); return it."""
    wb = Workbook()
    data = wb.active
    assert data is not None
    data.title = kind.title[:31]
    choices = wb.create_sheet(CHOICES_TITLE)
    ranges = _write_choices(choices, kind)
    choices.sheet_state = "hidden"
    _write_data_sheet(data, kind, ranges)
    notes = wb.create_sheet(NOTES_TITLE, 1)
    _write_notes(notes, kind, example_row(kind, campaign_year))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _write_choices(ws: Worksheet, kind: InputKind) -> dict[str, str]:
    """Write each choice list the kind uses in a column; return key -> absolute range."""
    ranges: dict[str, str] = {}
    column = 0
    for spec in kind.columns:
        if spec.key not in CHOICES:
            continue
        column += 1
        letter = get_column_letter(column)
        values, _strict = CHOICES[spec.key]
        ws.cell(row=1, column=column, value=spec.header)
        for i, value in enumerate(values, start=2):
            ws.cell(row=i, column=column, value=value)
        ranges[spec.key] = f"'{CHOICES_TITLE}'!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _write_data_sheet(ws: Worksheet, kind: InputKind, ranges: Mapping[str, str]) -> None:
    """Write the header, text formats, drop-downs and input messages of the data sheet."""
    last = TEMPLATE_ROWS + 1
    for index, spec in enumerate(kind.columns, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index, value=header_text(spec))
        cell.font = _REQUIRED if spec.required else _OPTIONAL
        cell.fill = _FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.comment = Comment(input_message(spec), "campaign")
        ws.column_dimensions[letter].width = max(12, len(spec.header) * 2.2 + 4)
        if spec.key in TEXT_KEYS:
            ws.column_dimensions[letter].number_format = "@"
            for row in range(2, last + 1):
                ws.cell(row=row, column=index).number_format = "@"
        ws.add_data_validation(_validation(spec, ranges.get(spec.key), f"{letter}2:{letter}{last}"))
    ws.freeze_panes = "A2"


def _validation(spec: ColumnSpec, source: str | None, cells: str) -> DataValidation:
    """Return the data validation of one column: a list, a length, or only an input message."""
    if source is not None:
        _values, strict = CHOICES[spec.key]
        dv = DataValidation(type="list", formula1=source, allow_blank=True)
        dv.errorStyle = "stop" if strict else "warning"
        dv.error = "请从下拉列表中选择" if strict else "不在建议列表中，确定要填写吗？"
    elif spec.key == "uscc":
        dv = DataValidation(type="textLength", operator="equal", formula1="18", allow_blank=True)
        dv.error = "统一社会信用代码应为 18 位"
    else:
        dv = DataValidation(allow_blank=True)
    dv.showInputMessage = True
    dv.showErrorMessage = source is not None or spec.key == "uscc"
    dv.promptTitle = spec.header[:32]
    dv.prompt = input_message(spec)[:255]
    dv.errorTitle = spec.header[:32]
    dv.add(cells)
    return dv


def _write_notes(ws: Worksheet, kind: InputKind, example: Mapping[str, str]) -> None:
    """Write the rules, one line per column, and the example row on the 填表说明 sheet."""
    ws.append([f"{kind.title}：填表说明"])
    ws["A1"].font = Font(bold=True, size=14)
    for rule in RULES:
        ws.append([rule])
    ws.append([])
    ws.append(["列名", "必填", "说明", "示例"])
    for spec in kind.columns:
        ws.append(
            [spec.header, "是" if spec.required else "否", input_message(spec), example[spec.key]]
        )
    ws.append([])
    ws.append(["示例行（虚构数据，仅供参考；请在第一张工作表中填写）："])
    ws.append([header_text(spec) for spec in kind.columns])
    ws.append([example[spec.key] for spec in kind.columns])
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["C"].width = 60
    ws.column_dimensions["D"].width = 36
