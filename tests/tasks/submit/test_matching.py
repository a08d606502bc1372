"""Matching report PDFs to units: manifest first, else one USCC in the name; never a guess."""

from __future__ import annotations

from factories import make_uscc

from schemas.rows import ManifestRow
from tasks.submit.matching import match_reports, usccs_in_name


def test_usccs_in_name_finds_valid_codes_only_and_folds_width_and_case() -> None:
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in make_uscc(2))
    name = f"{make_uscc(1).lower()}-报告-{make_uscc(1)}-{fullwidth}-91310115XXXXXXXXX1.pdf"

    assert usccs_in_name(name) == [make_uscc(1), make_uscc(2)]


def test_match_reports_prefers_the_manifest_and_reports_what_it_cannot_match() -> None:
    manifest = [
        (ManifestRow(file="annual.pdf", uscc=make_uscc(3)), "manifest.xlsx", 2),
        (ManifestRow(file="x.pdf", uscc=make_uscc(4)), "manifest.xlsx", 3),
        (ManifestRow(file="x.pdf", uscc=make_uscc(5)), "manifest.xlsx", 4),
    ]
    names = [
        "annual.pdf",
        f"{make_uscc(1)}社会责任报告.pdf",
        f"{make_uscc(1)}_{make_uscc(2)}.pdf",
        "报告终稿.pdf",
        "x.pdf",
    ]

    matches = match_reports(names, manifest)

    assert matches.by_file == {
        "annual.pdf": make_uscc(3),
        f"{make_uscc(1)}社会责任报告.pdf": make_uscc(1),
        "x.pdf": make_uscc(4),
    }
    assert [(r.file, r.row, r.code) for r in matches.rejections] == [
        ("manifest.xlsx", 4, "manifest-conflict"),
        (f"{make_uscc(1)}_{make_uscc(2)}.pdf", None, "pdf-unmatched"),
        ("报告终稿.pdf", None, "pdf-unmatched"),
    ]
