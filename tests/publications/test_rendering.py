"""The PDF itself: PDF/A-3b, embedded subset CJK fonts, layout, refusals (DESIGN.md)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from core.errors import DomainError
from publications.rendering import render_pdf

from .conftest import PUBLIC_BASE_URL, nothing_stored, pdffonts, pdftext, run, stored_bytes

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, publication) -> Path:
    path = tmp_path / f"{publication.serial}.pdf"
    path.write_bytes(stored_bytes(publication))
    return path


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def xmp(data: bytes) -> str:
    reader = PdfFileReader(io.BytesIO(data))
    return reader.root["/Metadata"].get_object().data.decode()


def test_the_signed_pdf_still_declares_pdf_a_3b_in_its_xmp_metadata(issue):
    data = stored_bytes(issue())

    metadata = xmp(data)

    assert re.search(r'pdfaid:part="3"|<pdfaid:part>3</pdfaid:part>', metadata)
    assert re.search(r'pdfaid:conformance="B"|<pdfaid:conformance>B</pdfaid:conformance>', metadata)
    assert data.startswith(b"%PDF-1.7")


def test_the_pdf_has_the_srgb_output_intent_pdf_a_needs(issue):
    reader = PdfFileReader(io.BytesIO(stored_bytes(issue())))

    intents = reader.root["/OutputIntents"]

    assert len(intents) == 1
    assert intents[0]["/S"] == "/GTS_PDFA1"


def test_every_font_is_an_embedded_subset_of_noto_cjk(issue, tmp_path):
    fonts = pdffonts(write(tmp_path, issue()))

    assert len(fonts) >= 2  # regular and bold at least
    for font in fonts:
        assert font["emb"] == "yes", font
        assert font["sub"] == "yes", font
        assert "CJK" in font["name"], font
        assert re.match(r"^[A-Z]{6}\+", font["name"]), font


def test_page_one_rasterised_is_not_blank(issue, tmp_path):
    path = write(tmp_path, issue())

    result = run(
        "pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "p")
    )

    assert result.returncode == 0
    image = Image.open(tmp_path / "p-1.png")
    dark = sum(image.convert("L").histogram()[:128])
    assert dark > 2000  # text, rules, table, QR code
    rgb = image.convert("RGB").tobytes()
    red = sum(
        1 for i in range(0, len(rgb), 3) if rgb[i] > 150 and rgb[i + 1] < 90 and rgb[i + 2] < 90
    )
    assert red > 300  # the seal and the red masthead


def test_the_header_row_of_a_long_table_repeats_on_every_page(issue, tmp_path):
    publication = issue(rows=120)
    path = write(tmp_path, publication)

    table_pages = [
        squeeze(pdftext(path, page))
        for page in range(1, publication.pages + 1)
        if re.search(r"\d+栋\d+室", pdftext(path, page))
    ]
    assert len(table_pages) >= 3
    for text in table_pages:
        assert "序号房屋面积（㎡）" in text


def test_every_page_numbers_itself_and_names_the_serial_date_district_and_area(
    issue, tmp_path, district, settings
):
    publication = issue(rows=120)
    path = write(tmp_path, publication)
    pages = publication.pages

    for page in range(1, pages + 1):
        text = squeeze(pdftext(path, page))
        # pdftotext drops the spaces around CJK text; the template has "第 x 页 共 y 页".
        assert f"第{page}页共{pages}页" in text
        assert publication.serial in text
        assert "发布日期" in text
        assert settings.GONGZHI_DISTRICT_NAME in text
        assert "甲街道甲一社区·甲一小区" in text


def test_the_notice_names_its_verify_page_and_carries_its_qr_code(issue, tmp_path):
    publication = issue()

    text = pdftext(write(tmp_path, publication), 1)

    assert f"{PUBLIC_BASE_URL}/verify/{publication.serial}/" in squeeze(text)


def test_the_qr_code_encodes_the_verify_url():
    import segno

    from publications.services import _qr_data_uri

    url = f"{PUBLIC_BASE_URL}/verify/YQ-2026-000001/"

    assert _qr_data_uri(url) == segno.make(url, error="m", micro=False).svg_data_uri(
        scale=4, border=2
    )


@pytest.mark.parametrize(
    "char",
    [
        "\U0003134a",  # 𱍊, CJK Extension G: not in Noto CJK
        "\U00030000",  # 𰀀, the first Extension G character: not in Noto CJK
        "\U00020000",  # 𠀀, the first Extension B character: not in Noto CJK
        "\U0002fffd",  # unassigned
    ],
)
def test_a_character_the_fonts_lack_is_refused_and_nothing_is_stored(issue, settings, char):
    with pytest.raises(DomainError) as refused:
        issue(extra_row=["99", f"张{char}", "1.00"])

    assert refused.value.code == "missing_glyph"
    assert f"U+{ord(char):04X}" in refused.value.message
    assert "公示未发布" in refused.value.message
    assert nothing_stored(settings.MEDIA_ROOT)


def test_biang_is_in_noto_cjk_so_it_is_published(issue):
    # 𰻞 (U+30EDE, Extension G) is often cited as missing; Noto CJK 2.x has it.
    publication = issue(extra_row=["99", "𰻞𰻞面馆", "1.00"])

    assert publication.serial.endswith("-000001")


def test_no_chinese_font_installed_refuses_and_stores_nothing(
    issue, settings, tmp_path, monkeypatch
):
    # A fontconfig with no font directories: fc-list :lang=zh finds nothing.
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>"
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))

    with pytest.raises(DomainError) as refused:
        issue()

    assert refused.value.code == "no_cjk_font"
    assert "fc-list :lang=zh" in refused.value.message
    assert nothing_stored(settings.MEDIA_ROOT)


def test_the_seal_box_is_the_templates_42_mm_square():
    from publications.services import verify_url

    rendered = render_pdf(
        template="publications/pdf/table.html",
        context={
            "columns": [{"label": "甲", "align": ""}],
            "rows": [["一"]],
            "pub": {
                "serial": "YQ-2026-000009",
                "title": "测试",
                "header": "页眉",
                "verify_url": verify_url("YQ-2026-000009"),
                "qr": "",
            },
        },
    )

    x1, y1, x2, y2 = rendered.seal_box
    side = 42 / 25.4 * 72
    assert round(x2 - x1, 1) == round(side, 1)
    assert round(y2 - y1, 1) == round(side, 1)
    # Right-aligned within the A4 text block (18 mm margins, seal 8 mm from the right).
    assert round(x2, 1) == round((210 - 18 - 8) / 25.4 * 72, 1)
    assert rendered.seal_page == 0
    assert rendered.pages == 1


def test_the_info_producer_matches_the_xmp_producer(issue):
    data = stored_bytes(issue())
    reader = PdfFileReader(io.BytesIO(data))

    producer = str(reader.trailer["/Info"]["/Producer"])

    assert f'pdf:Producer="{producer}"' in xmp(data) or f"<pdf:Producer>{producer}<" in xmp(data)
    assert str(reader.trailer["/Info"]["/Title"]) == "测试公告"


def test_the_seal_never_stands_alone_on_the_last_page(tmp_path):
    from publications.rendering import TABLE_TEMPLATE, table_context
    from publications.services import verify_url

    pub = {
        "serial": "YQ-2026-000009",
        "title": "测试",
        "header": "页眉",
        "verify_url": verify_url("YQ-2026-000009"),
        "qr": "",
        "bureau": "埇桥区住房和城乡建设局",
        "issued_date": "2026年1月1日",
    }
    # Row counts across a whole page's worth of rows: somewhere among them the
    # signature block would fall onto a page of its own.
    for rows in range(24, 62, 3):
        rendered = render_pdf(
            template=TABLE_TEMPLATE,
            context=table_context(
                columns=[{"label": "序号", "align": ""}, {"label": "内容", "align": ""}],
                rows=[[str(i), f"第{i}行"] for i in range(rows)],
                notes=["公示期七日。"],
                pub=pub,
            ),
        )
        path = tmp_path / f"{rows}.pdf"
        path.write_bytes(rendered.data)
        seal_page = squeeze(pdftext(path, rendered.seal_page + 1))
        assert "公示期七日" in seal_page, f"{rows} rows: the seal's page has no text of the notice"
        assert rendered.seal_page == rendered.pages - 1, f"{rows} rows: a page after the seal"
