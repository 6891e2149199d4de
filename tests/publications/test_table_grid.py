"""The text grid of the table notice: monospace lines padded to fixed columns (rendering.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publications.rendering import (
    GRID_CELL_PT,
    GRID_CELLS,
    GRID_KEY,
    TABLE_TEMPLATE,
    render_pdf,
    table_context,
    table_grid,
)

from .conftest import pdftext, run

APPORTIONMENT_COLUMNS = [
    {"label": "序号", "align": "center", "width": "8%"},
    {"label": "房屋编号", "align": "", "width": "14%"},
    {"label": "业主", "align": "", "width": "10%"},
    {"label": "面积（㎡）", "align": "num", "width": "12%"},
    {"label": "分摊金额（元）", "align": "num", "width": "18%"},
    {"label": "分摊前余额（元）", "align": "num", "width": "19%"},
    {"label": "分摊后余额（元）", "align": "num", "width": "19%"},
]
PUB = {
    "serial": "YQ-2026-000009",
    "title": "测试",
    "header": "页眉",
    "verify_url": "https://gongzhi.example.gov.cn/verify/YQ-2026-000009/",
    "qr": "",
    "bureau": "埇桥区住房和城乡建设局",
    "issued_date": "2026年1月1日",
}


def apportionment_rows(count: int) -> list[list[str]]:
    return [
        [
            str(n),
            f"1-1-{n:04d}",
            "王" + "*" * (1 + n % 2),
            f"{60 + n % 97}.{n % 100:02d}",
            f"{n * 37 % 1000:,}.{n % 100:02d}",
            f"{n * 7919:,}.{n % 100:02d}",
            f"{n * 7919 - n * 37 % 1000:,}.50",
        ]
        for n in range(1, count + 1)
    ]


def cells_before(line: str, text: str) -> int:
    """Grid cells (Latin 1, Chinese 2) before ``text`` in ``line``."""
    head = line[: line.index(text)]
    return sum(1 if ord(char) < 0x80 else 2 for char in head)


def render(tmp_path: Path, **table) -> tuple[Path, object]:
    rendered = render_pdf(template=TABLE_TEMPLATE, context=table_context(**table, pub=PUB))
    path = tmp_path / "notice.pdf"
    path.write_bytes(rendered.data)
    return path, rendered


# --------------------------------------------------------------------------- the grid itself


def test_percent_widths_share_the_109_cells_of_the_text_block_by_largest_remainder():
    grid = table_grid(columns=APPORTIONMENT_COLUMNS, rows=apportionment_rows(1))

    assert GRID_CELLS == 109
    # 8.72, 15.26, 10.9, 13.08, 19.62, 20.71, 20.71 cells, rounded to sum to 109.
    assert grid["columns"] == [f"{n * GRID_CELL_PT:g}pt" for n in (9, 15, 11, 13, 19, 21, 21)]
    assert grid["width"] == "490.5pt"


def test_numbers_end_on_the_same_cell_whatever_their_length():
    grid = table_grid(
        columns=[{"label": "户", "align": ""}, {"label": "金额（元）", "align": "num"}],
        rows=[["甲", "1.00"], ["乙", "1,234,567.89"]],
    )

    first, second = grid["tail"]
    assert first.index("1.00") + 4 == second.index("1,234,567.89") + 12


def test_a_chinese_character_takes_two_cells_and_a_latin_one():
    grid = table_grid(
        columns=[{"label": "业主", "align": "", "width": "50%"}, {"label": "号", "align": ""}],
        rows=[["张三丰", "A1"], ["Li", "B2"]],
    )

    first, second = grid["tail"]
    # 55 cells for the first column (54.5 rounded up), one of padding.
    assert cells_before(first, "A1") == cells_before(second, "B2") == 56


def test_a_long_cell_wraps_inside_its_column_and_no_line_starts_with_a_comma():
    grid = table_grid(
        columns=[
            {"label": "序号", "align": "center", "width": "90%"},
            {"label": "说明", "align": "", "width": "10%"},
        ],
        rows=[["1", "屋面防水，含材料费、人工费和垃圾清运费"]],
    )

    # 98 + 11 cells; the second column has 9 for text: four Chinese characters.
    lines = grid["tail"][0].split("\n")
    assert [line[99:] for line in lines] == [
        "屋面防",
        "水，含材",
        "料费、人",
        "工费和垃",
        "圾清运费",
    ]
    assert lines[0][:99].strip() == "1"


def test_white_space_in_a_cell_collapses_as_it_would_in_an_html_table():
    grid = table_grid(columns=[{"label": "说明", "align": ""}], rows=[["  甲\n\t乙  丙 "]])

    assert grid["tail"][0] == " 甲 乙 丙"


def test_a_cell_with_a_character_of_unknown_width_makes_an_ordinary_table():
    # "°" is narrow in Noto CJK although East Asian width "ambiguous", "é" is a
    # proportional letter: their place on the grid is not known beforehand.
    for text in ("36.5°", "José"):
        context = table_context(columns=[{"label": "说明", "align": ""}], rows=[[text]])

        assert context[GRID_KEY] is None, text


def test_ambiguous_width_punctuation_takes_two_cells_like_a_chinese_character():
    grid = table_grid(
        columns=[{"label": "业主", "align": "", "width": "50%"}, {"label": "号", "align": ""}],
        rows=[["买买提·艾力", "A1"], ["张三丰王五", "B2"]],
    )

    first, second = grid["tail"]
    assert cells_before(first, "A1") == cells_before(second, "B2")


def test_the_last_rows_and_the_totals_are_rows_of_their_own():
    grid = table_grid(
        columns=APPORTIONMENT_COLUMNS, rows=apportionment_rows(10), totals=[""] * 6 + ["9.00"]
    )

    assert len(grid["rows"]) == 7
    assert len(grid["tail"]) == 3
    assert grid["totals"].endswith("9.00")


# --------------------------------------------------------------------------- rendered


def test_the_numbers_of_a_rendered_grid_line_up_to_a_hundredth_of_a_point(tmp_path):
    path, rendered = render(tmp_path, columns=APPORTIONMENT_COLUMNS, rows=apportionment_rows(80))

    assert rendered.grid
    assert rendered.pages >= 2
    words = run("pdftotext", "-bbox", str(path), "-").stdout
    right_edges = {}
    for page, text in enumerate(words.split("<page ")):
        for match in re.finditer(
            r'yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([\d,]+\.50)<', text
        ):
            # The last match on a line is its rightmost word: the last column.
            right_edges[page, match[1]] = float(match[2])
    assert len(right_edges) == 80
    assert max(right_edges.values()) - min(right_edges.values()) < 0.01


def test_a_character_the_font_sets_off_the_grid_is_rendered_as_an_ordinary_table(tmp_path):
    # Hangul is "wide" to Unicode but 0.92 em in Noto Sans Mono CJK: measured
    # after layout, the row is off its columns, so the table is set normally.
    rows = [["1", "김민준", "100.50"], ["2", "李四", "99.00"]]
    columns = [
        {"label": "序号", "align": "center"},
        {"label": "业主", "align": ""},
        {"label": "面积（㎡）", "align": "num"},
    ]
    assert table_grid(columns=columns, rows=rows) is not None

    path, rendered = render(tmp_path, columns=columns, rows=rows)

    assert not rendered.grid
    assert "김민준" in pdftext(path, 1)


def test_a_rendered_grid_keeps_the_last_row_with_the_notes_and_the_seal(tmp_path):
    # Row counts across a page: somewhere among them the notes and the seal
    # block do not fit under the table and must take rows with them.
    for count in range(24, 62, 3):
        path, rendered = render(
            tmp_path,
            columns=[{"label": "序号", "align": ""}, {"label": "内容", "align": ""}],
            rows=[[str(i), f"第{i}行"] for i in range(count)],
            notes=["公示期七日。"],
        )
        assert rendered.grid
        seal_page = re.sub(r"\s+", "", pdftext(path, rendered.seal_page + 1))
        assert "公示期七日" in seal_page, count
        assert f"第{count - 1}行" in seal_page, count
        assert rendered.seal_page == rendered.pages - 1, count


def test_a_name_with_a_middle_dot_stays_on_the_grid_when_rendered(tmp_path):
    # Uyghur and other names are written with "·" (U+00B7); Noto CJK sets it
    # full width in Chinese text, so the grid holds and is not re-rendered.
    path, rendered = render(
        tmp_path,
        columns=[{"label": "业主", "align": ""}, {"label": "面积（㎡）", "align": "num"}],
        rows=[["买买提·艾力", "100.50"], ["“张三”—①", "9.00"]],
    )

    assert rendered.grid
    assert "买买提·艾力" in pdftext(path, 1)


def test_an_empty_table_shows_its_header_row(tmp_path):
    path, rendered = render(tmp_path, columns=APPORTIONMENT_COLUMNS, rows=[])

    assert rendered.grid
    assert "分摊后余额（元）" in re.sub(r"\s+", "", pdftext(path, 1))


@pytest.mark.parametrize("width", ["30mm", "3cm", "85.04pt", "113.39px", "1.181in"])
def test_a_column_width_given_as_a_length_is_its_share_of_the_text_block(width):
    grid = table_grid(
        columns=[{"label": "甲", "align": "", "width": width}, {"label": "乙", "align": ""}],
        rows=[["1", "2"]],
    )

    # 30 mm of the 174 mm text block: 18.79 of 109 cells.
    assert grid["columns"][0] == f"{19 * GRID_CELL_PT:g}pt"
