"""Corpus shapes about whole files: encodings, damaged files, headers and layout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from data.intake_kit import CONTACT, HEADERS, Builder, Grid, csv_text, grid, landing, write_xlsx
from factories import make_uscc
from openpyxl import Workbook

from schemas.columns import RECOMMENDATIONS


def encodings(b: Builder) -> None:
    """Good files in every encoding and delimiter operators send."""
    variants: list[tuple[str, Callable[[Grid], bytes]]] = [
        ("utf8.csv", lambda g: csv_text(g).encode("utf-8")),
        ("utf8_bom.csv", lambda g: csv_text(g).encode("utf-8-sig")),
        ("gbk.csv", lambda g: csv_text(g).encode("gbk")),
        ("gb18030.csv", lambda g: csv_text(g).encode("gb18030")),
        ("unicode_text.txt", lambda g: csv_text(g, "\t").encode("utf-16")),
        ("semicolon.csv", lambda g: csv_text(g, ";").encode("utf-8")),
        ("tab.tsv", lambda g: csv_text(g, "\t").encode("utf-8")),
    ]
    for suffix, encode in variants:
        code, first = b.start()
        lines = grid(b.rows(code, first, 3))
        expected, units = landing(2, first, 3)
        b.add(
            f"{code}_{suffix}",
            lambda p, g=lines, e=encode: p.write_bytes(e(g)),
            expected,
            units=units,
        )
    code, first = b.start()
    lines = grid(b.rows(code, first, 3))
    expected, units = landing(2, first, 3)
    b.add(f"{code}_plain.xlsx", lambda p, g=lines: write_xlsx(p, g), expected, units=units)


def damaged_files(b: Builder) -> None:
    """Files that cannot be read at all, each refused whole with its own reason."""
    code, first = b.start()
    text = csv_text(grid(b.rows(code, first, 2)))
    b.add(
        f"{code}_bom_then_gbk.csv",
        lambda p: p.write_bytes(b"\xef\xbb\xbf" + text.encode("gbk")),
        file_code="bad-encoding",
    )
    code, first = b.start()
    data = csv_text(grid(b.rows(code, first, 2)), "\t").encode("utf-16")
    b.add(f"{code}_utf16_odd.txt", lambda p: p.write_bytes(data[:-1]), file_code="bad-encoding")
    code, first = b.start()
    b.add(f"{code}_nul.csv", lambda p: p.write_bytes(b"a,b\x00c\n1,2\n"), file_code="bad-encoding")
    code, _ = b.start()
    b.add(f"{code}_empty.xlsx", lambda p: p.write_bytes(b""), file_code="empty-file")
    code, _ = b.start()
    b.add(f"{code}_empty.csv", lambda p: p.write_bytes(b""), file_code="empty-file")
    code, first = b.start()
    lines = grid(b.rows(code, first, 5))

    def truncated(p: Path, g: Grid = lines) -> None:
        write_xlsx(p, g)
        p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])

    b.add(f"{code}_truncated.xlsx", truncated, file_code="damaged-xlsx")
    code, first = b.start()
    text2 = csv_text(grid(b.rows(code, first, 2)))
    b.add(f"{code}_renamed_csv.xlsx", lambda p: p.write_bytes(text2.encode()), file_code="not-xlsx")
    code, _ = b.start()
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    b.add(f"{code}_old_excel.xlsx", lambda p: p.write_bytes(ole), file_code="old-or-encrypted-xlsx")
    code, _ = b.start()
    b.add(f"{code}_old.xls", lambda p: p.write_bytes(ole), file_code="unsupported-format")
    code, _ = b.start()
    b.add(
        f"{code}_letter.docx",
        lambda p: p.write_bytes(b"PK\x03\x04"),
        file_code="unsupported-format",
    )


def structure(b: Builder) -> None:
    """Header problems, title rows, trailing rows, blank rows, other sheets, English headers."""
    code, _ = b.start()
    b.add(f"{code}_header_only.xlsx", lambda p: write_xlsx(p, [HEADERS]), file_code="no-rows")
    code, _ = b.start()
    b.add(
        f"{code}_header_only.csv",
        lambda p: p.write_bytes(csv_text([HEADERS]).encode("utf-8-sig")),
        file_code="no-rows",
    )
    code, first = b.start()
    short = [h for h in HEADERS if h != "同意公开发布"]
    lines = [short] + [[r.get(h) for h in short] for r in b.rows(code, first, 2)]
    b.add(
        f"{code}_missing_column.xlsx", lambda p: write_xlsx(p, lines), file_code="missing-columns"
    )
    code, _ = b.start()
    b.add(
        f"{code}_not_a_list.xlsx",
        lambda p: write_xlsx(p, [["月份", "销售额"], ["1月", 100]]),
        file_code="no-header",
    )
    code, first = b.start()
    titled = [["2024年度推荐名单"], ["填报单位：示例协会"], *grid(b.rows(code, first, 3))]
    expected, units = landing(4, first, 3)
    b.add(f"{code}_title_rows.xlsx", lambda p: write_xlsx(p, titled), expected, units=units)
    code, first = b.start()
    signature = [None, None, None, "填表人：" + CONTACT]
    trailing = [*grid(b.rows(code, first, 3)), ["合计：3 家"], signature]
    expected, units = landing(2, first, 3)
    expected |= {5: "missing-value", 6: "missing-value"}
    b.add(f"{code}_trailing_rows.xlsx", lambda p: write_xlsx(p, trailing), expected, units=units)
    code, first = b.start()
    rows = b.rows(code, first, 4)
    gapped = [grid(rows)[0], *grid(rows[:2])[1:], [], [], *grid(rows[2:])[1:]]
    units = {
        2: make_uscc(first),
        3: make_uscc(first + 1),
        6: make_uscc(first + 2),
        7: make_uscc(first + 3),
    }
    b.add(
        f"{code}_blank_rows.xlsx",
        lambda p: write_xlsx(p, gapped),
        dict.fromkeys(units, "ok"),
        units=units,
    )
    code, first = b.start()
    lines2 = grid(b.rows(code, first, 2))

    def second_sheet(p: Path, g: Grid = lines2) -> None:
        wb = Workbook()
        notes = wb.active
        assert notes is not None
        notes.title = "说明"
        notes.append(["请在下一张工作表中填写"])
        data = wb.create_sheet("名单")
        for line in g:
            data.append(line)
        wb.save(p)

    expected, units = landing(2, first, 2)
    b.add(f"{code}_second_sheet.xlsx", second_sheet, expected, units=units)
    code, first = b.start()
    english = [c.aliases[0] if c.aliases else c.key for c in RECOMMENDATIONS.columns]
    lines3 = grid(b.rows(code, first, 2), english)
    expected, units = landing(2, first, 2)
    b.add(
        f"{code}_english_headers.csv",
        lambda p: p.write_bytes(csv_text(lines3).encode()),
        expected,
        units=units,
    )
