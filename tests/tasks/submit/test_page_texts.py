"""Page texts as the intake stores them: one row per page with text, wrapped Chinese joined."""

from __future__ import annotations

from tasks.submit.page_texts import page_rows, searchable_text


def test_a_line_break_inside_chinese_text_is_joined() -> None:
    assert searchable_text("推进碳达\n峰行动\nISO 14001\n认证") == "推进碳达峰行动\nISO 14001\n认证"


def test_nul_characters_are_dropped() -> None:
    assert searchable_text("\x00碳\x00达\x00峰") == "碳达峰"


def test_pages_without_text_are_skipped_and_numbers_kept() -> None:
    rows = page_rows(7, ["封面", "  \n", "\x00", "第三页"])

    assert [(r.submission_id, r.page, r.text, r.searchable) for r in rows] == [
        (7, 1, "封面", False),
        (7, 4, "第三页", False),
    ]
