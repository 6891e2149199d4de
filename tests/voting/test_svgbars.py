"""voting.svgbars: bars drawn to exact fractions, escaped names, refusals of bad figures.

Pure tests: no database, no Django.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voting.svgbars import Markup, bar, percent_text

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def fill_width(root: ET.Element) -> int:
    rect = root.find(f"{SVG}rect[@class='bar-value']")
    return 0 if rect is None else int(rect.get("width"))


def view_width(root: ET.Element) -> int:
    return int(root.get("viewBox").split()[2])


def line_x(root: ET.Element) -> int | None:
    line = root.find(f"{SVG}line")
    if line is None:
        return None
    assert line.get("x1") == line.get("x2")
    return int(line.get("x1"))


def test_four_of_six_heads_against_the_two_thirds_line_is_drawn_in_heads():
    root = parse(bar(value=4, total=6, line=4, reached=True, label="参与表决人数"))
    assert root.get("viewBox") == "0 0 6 24"
    assert fill_width(root) == 4
    assert line_x(root) == 4
    assert root.get("data-state") == "reached"
    assert root.get("preserveAspectRatio") == "none"
    assert root.find(f"{SVG}line").get("vector-effect") == "non-scaling-stroke"


def test_an_area_bar_is_drawn_in_hundredths_of_a_square_metre():
    # 419.75 of 594.75 m² against the 2/3 line 396.50 m².
    root = parse(bar(value=41975, total=59475, line=39650, reached=True, label="面积"))
    assert view_width(root) == 59475
    assert fill_width(root) == 41975
    assert line_x(root) == 39650


def test_a_bar_short_of_its_line_says_so():
    root = parse(bar(value=3, total=6, line=4, reached=False, label="x"))
    assert root.get("data-state") == "short"
    assert (fill_width(root), line_x(root)) == (3, 4)


def test_a_plain_share_has_no_line():
    root = parse(bar(value=2, total=6, label="已投票"))
    assert line_x(root) is None
    assert root.get("data-state") == "none"


def test_an_empty_whole_draws_only_the_track():
    root = parse(bar(value=0, total=0, line=1, reached=False, label="同意人数"))
    assert view_width(root) == 1
    assert fill_width(root) == 0
    assert line_x(root) is None


def test_nothing_filled_draws_no_value_rectangle():
    root = parse(bar(value=0, total=6, line=4, reached=False, label="x"))
    assert fill_width(root) == 0
    assert line_x(root) == 4


def test_the_name_is_escaped_in_title_and_aria_label():
    markup = bar(value=1, total=2, label='<script>alert("x")</script>\n &  议题\x00')
    assert "<script>" not in markup
    root = parse(markup)
    assert root.get("aria-label") == '<script>alert("x")</script> & 议题'
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script> & 议题'
    assert root.get("role") == "img"


def test_the_markup_says_it_is_safe_to_templates():
    markup = bar(value=1, total=2, label="x")
    assert isinstance(markup, Markup)
    assert markup.__html__() == str(markup)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"value": 7, "total": 6},
        {"value": -1, "total": 6},
        {"value": 1, "total": 6, "line": 7},
        {"value": 1, "total": 0},
        {"value": 1.0, "total": 6},
        {"value": True, "total": 6},
        {"value": 1, "total": 6, "height": 0},
    ],
)
def test_impossible_figures_are_refused(kwargs):
    with pytest.raises((ValueError, TypeError)):
        bar(label="x", **kwargs)


@pytest.mark.parametrize(
    ("bps", "text"), [(0, "0.00%"), (6666, "66.66%"), (10000, "100.00%"), (5, "0.05%")]
)
def test_basis_points_are_written_as_a_percentage_with_two_decimals(bps, text):
    assert percent_text(bps) == text


def test_a_float_percentage_is_refused():
    with pytest.raises(TypeError):
        percent_text(66.66)


@given(
    total=st.integers(min_value=1, max_value=10**10),
    data=st.data(),
    label=st.text(max_size=40),
)
def test_any_bar_is_well_formed_and_shows_the_exact_fraction(total, data, label):
    value = data.draw(st.integers(min_value=0, max_value=total))
    line = data.draw(st.integers(min_value=0, max_value=total))
    root = parse(bar(value=value, total=total, line=line, reached=value >= line, label=label))
    assert Fraction(fill_width(root), view_width(root)) == Fraction(value, total)
    assert Fraction(line_x(root), view_width(root)) == Fraction(line, total)
    # What a screen reader hears is the label on one line, minus characters XML cannot carry.
    expected = " ".join(
        re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]", "", label).split()
    )
    assert root.get("aria-label") == expected
    assert (root.find(f"{SVG}title").text or "") == expected
