"""Certificate PDFs: the printed values read back with pypdf (Chinese included), an embedded
TrueType subset, A4 landscape, byte-identical re-renders whatever was rendered before or beside,
the pool equal to one process, and the CID fallback with its loud warning."""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from schemas.certificate_number import make_number
from tasks.common.fonts import (
    SYSTEM_FONT,
    FontChoice,
    UnusableCertificateFont,
    choose_font,
    load_font,
)
from tasks.release.certificates.layout import CertificateData
from tasks.release.certificates.pdf import POOL_MINIMUM, render_certificate, render_many

THEME = "创新引领·责任筑基·绿色前行——打造新质生产力与绿色低碳双引擎"


def make_data(n: int = 1, **changes: Any) -> CertificateData:
    """Return the printed values of unit n's certificate in the 2024 campaign."""
    values: dict[str, Any] = {
        "number": make_number(2024, n),
        "campaign_title": "第十三届上海市企业社会责任报告发布会",
        "theme": THEME,
        "unit_name": f"上海测试{n:04d}科技有限公司",
        "report_title": f"上海测试{n:04d}科技有限公司2023年度社会责任报告",
        "report_year": 2023,
        "commendations": (),
        "organisers": ("上海市工业经济联合会", "上海市经济团体联合会"),
        "issued_on": date(2025, 1, 16),
    }
    values.update(changes)
    return CertificateData(**values)


def page_text(pdf: bytes) -> str:
    """Return the text of the single page as pypdf extracts it."""
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def font_descriptors(pdf: bytes) -> list[Any]:
    """Return the font descriptor of every font on the page that has one (the standard 14 and
    reportlab's unused initial Helvetica have none)."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    found = []
    for ref in page["/Resources"]["/Font"].values():
        font = ref.get_object()
        if "/FontDescriptor" in font:  # a simple font: a TrueType subset
            found.append(font["/FontDescriptor"].get_object())
        for descendant in font.get("/DescendantFonts", []):  # a composite font
            found.append(descendant.get_object()["/FontDescriptor"].get_object())
    return found


@pytest.fixture(scope="module")
def system_font() -> FontChoice:
    """The WenQuanYi face (installed by `make sysdeps`)."""
    assert SYSTEM_FONT.is_file(), "fonts-wqy-microhei is missing: run `make sysdeps`"
    return choose_font(None)


def test_the_printed_values_read_back_exactly(system_font: FontChoice) -> None:
    data = make_data(7, commendations=("社会责任报告优秀企业", "绿色低碳优秀案例"))
    pdf = render_certificate(data, load_font(system_font))

    lines = page_text(pdf).splitlines()
    assert lines[:4] == [
        "第十三届上海市企业社会责任报告发布会",
        "社会责任报告发布证书",
        "兹证明",
        data.unit_name,
    ]
    assert f"《{data.report_title}》" in lines
    assert "荣获：社会责任报告优秀企业、绿色低碳优秀案例" in lines
    assert "报告年度：2023年度" in lines
    assert f"发布会主题：{THEME}" in lines
    assert f"证书编号：{data.number}" in lines
    assert lines[-3:] == ["上海市工业经济联合会", "上海市经济团体联合会", "2025年1月16日"]


def test_a_unit_without_commendation_gets_no_commendation_line(system_font: FontChoice) -> None:
    data = make_data(8)

    text = page_text(render_certificate(data, load_font(system_font)))

    assert "荣获" not in text
    assert data.unit_name in text


def test_long_names_shrink_and_wrap_without_losing_a_character(system_font: FontChoice) -> None:
    name = "上海" + "超长名称测试" * 12 + "股份有限公司"
    data = make_data(9, unit_name=name, report_title=name + "2023年度环境、社会及治理（ESG）报告")

    text = page_text(render_certificate(data, load_font(system_font)))

    flat = text.replace("\n", "")
    assert name in flat
    assert f"《{data.report_title}》" in flat
    assert all(len(line) < 80 for line in text.splitlines())


def test_the_font_is_an_embedded_truetype_subset_on_an_a4_landscape_page(
    system_font: FontChoice,
) -> None:
    data = make_data(3)
    pdf = render_certificate(data, load_font(system_font))

    descriptors = font_descriptors(pdf)
    assert len(descriptors) == 1
    assert "/FontFile2" in descriptors[0]
    assert str(descriptors[0]["/FontName"]).startswith("/AAAAAA+WenQuanYi")
    embedded = descriptors[0]["/FontFile2"].get_object().get_data()
    assert 1_000 < len(embedded) < 100_000  # a subset, not the 5 MB face
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    assert len(pdf) < 60_000


def test_unchanged_data_renders_to_the_same_bytes_and_metadata(system_font: FontChoice) -> None:
    data = make_data(5)
    first = render_certificate(data, load_font(system_font))
    other = render_certificate(
        make_data(5, unit_name="上海改名0005科技有限公司"), load_font(system_font)
    )
    again = render_certificate(data, load_font(system_font, data.characters() | set("另外")))

    assert first == again
    assert other != first
    reader = PdfReader(io.BytesIO(first))
    assert reader.metadata is not None
    assert reader.metadata["/Subject"] == data.number
    assert reader.metadata["/CreationDate"].startswith("D:20250116000000")
    ids = re.findall(rb"/ID\s*\[<([0-9A-F]{32})><([0-9A-F]{32})>\]", first)
    assert ids == [(data.fingerprint(system_font.fingerprint)[:32].upper().encode(),) * 2]


def test_a_certificate_in_a_batch_gives_the_bytes_it_gives_alone(system_font: FontChoice) -> None:
    data = make_data(11, commendations=("社会责任报告优秀企业",))
    batch = [make_data(10, unit_name="上海另一家测试有限公司"), data, make_data(12)]

    alone = render_certificate(data, load_font(system_font))
    in_batch = list(render_many(batch, system_font, workers=1))[1]

    assert in_batch == alone


def test_rare_characters_read_back_and_do_not_depend_on_the_batch(
    system_font: FontChoice,
) -> None:
    data = make_data(12, unit_name="上海堃喆昇测试有限公司")
    batch = [make_data(13), data]

    in_batch = list(render_many(batch, system_font, workers=1))[1]

    assert not set("堃喆昇") & make_data(13).characters()
    assert in_batch == render_certificate(data, load_font(system_font))
    assert "上海堃喆昇测试有限公司" in page_text(in_batch)


def test_a_pool_renders_the_same_bytes_in_input_order(system_font: FontChoice) -> None:
    items = [make_data(n) for n in range(1, POOL_MINIMUM + 3)]
    items[4] = make_data(5, commendations=("优秀案例",))

    pooled = list(render_many(items, system_font, workers=2))

    assert len(pooled) == len(items)
    for data, pdf in zip(items[:6], pooled[:6], strict=True):
        assert pdf == render_certificate(data, load_font(system_font))
    assert [page_text(p).count(d.number) for d, p in zip(items, pooled, strict=True)] == [1] * len(
        items
    )


def test_without_a_truetype_face_the_cid_font_is_used_with_a_loud_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="tasks.common.fonts"):
        choice = choose_font(None, system_font=tmp_path / "no-such-font.ttc")
    data = make_data(2, commendations=("优秀案例",))

    pdf = render_certificate(data, load_font(choice))

    assert not choice.embedded
    assert "NO CJK TRUETYPE FONT" in caplog.text
    assert [str(d.get("/FontFile2", "none")) for d in font_descriptors(pdf)] == ["none"]
    lines = page_text(pdf).splitlines()
    assert data.unit_name in lines
    assert f"证书编号：{data.number}" in lines
    assert "荣获：优秀案例" in lines
    assert pdf == render_certificate(data, load_font(choice))


def test_a_configured_font_must_be_a_truetype_file(tmp_path: Path) -> None:
    fake = tmp_path / "font.otf"
    fake.write_bytes(b"OTTO")

    with pytest.raises(ValueError, match="does not exist"):
        choose_font(tmp_path / "missing.ttf")
    with pytest.raises(ValueError, match="TrueType"):
        choose_font(fake)
    assert choose_font(SYSTEM_FONT) == FontChoice(SYSTEM_FONT)


def test_a_configured_font_with_postscript_outlines_is_refused(tmp_path: Path) -> None:
    cff = tmp_path / "cff-outlines.ttf"
    cff.write_bytes(b"OTTO" + bytes(60))

    with pytest.raises(UnusableCertificateFont, match="postscript outlines") as refused:
        choose_font(cff)
    assert refused.value.path == cff.resolve()


def test_characters_the_face_lacks_are_listed_and_logged(
    system_font: FontChoice, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="tasks.common.fonts"):
        font = load_font(system_font, "上海\U00020000")

    assert font.missing == frozenset({"\U00020000"})
    assert "lacks 1 characters" in caplog.text


def test_certificate_values_refuse_fields_the_certificate_does_not_print() -> None:
    with pytest.raises(ValueError, match="email"):
        CertificateData(**{**dataclasses.asdict(_Plain()), "email": "x@example.com"})


@dataclasses.dataclass
class _Plain:
    number: str = "SHCSR-2024-00001-7"
    campaign_title: str = "第十三届上海市企业社会责任报告发布会"
    theme: str = THEME
    unit_name: str = "上海测试0001科技有限公司"
    report_title: str = "报告"
    report_year: int = 2023
    issued_on: date = date(2025, 1, 16)


def scanned_qr(pdf: bytes, tmp_path: Path) -> list[str]:
    """Return what zbarimg reads from the page rendered at 150 dpi, as a phone would see it."""
    (tmp_path / "certificate.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", "certificate.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    found = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "page.png"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.splitlines()


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools missing: make sysdeps")
def test_the_qr_code_holds_the_verification_address_with_the_number(
    system_font: FontChoice, tmp_path: Path
) -> None:
    url = "https://csr.example.org/2024/verify.html"
    data = make_data(9, verify_url=url)

    pdf = render_certificate(data, load_font(system_font))

    assert scanned_qr(pdf, tmp_path) == [f"{url}?n={data.number}"]
    assert f"核验方式：扫描右侧二维码，或访问 {url} 输入证书编号" in page_text(pdf).splitlines()


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools missing: make sysdeps")
def test_without_an_address_the_qr_code_holds_the_number(
    system_font: FontChoice, tmp_path: Path
) -> None:
    data = make_data(10)

    pdf = render_certificate(data, load_font(system_font))

    assert scanned_qr(pdf, tmp_path) == [data.number]
    assert "向主办单位核验" in page_text(pdf)
