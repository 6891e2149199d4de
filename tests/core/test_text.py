"""The one text cleaner (core.text): NUL and control characters refused everywhere."""

import pytest

from core.errors import DomainError
from core.text import clean_text


def test_single_line_text_is_stripped_and_folded():
    assert clean_text("  a \t b\n c ", field="f", limit=10) == "a b c"


def test_multi_line_text_keeps_its_lines():
    assert clean_text(" a\r\nb\rc ", field="f", limit=10, multiline=True) == "a\nb\nc"


@pytest.mark.parametrize("bad", ["a\x00b", "a\x07b", "a\x1bb", "a\x7fb", "a\x85b", 5, b"ab"])
@pytest.mark.parametrize("multiline", [False, True])
def test_nul_control_characters_and_non_text_are_refused(bad, multiline):
    with pytest.raises(DomainError) as refused:
        clean_text(bad, field="f", limit=10, multiline=multiline)
    assert refused.value.code == "bad_text"
    assert set(refused.value.fields) == {"f"}


def test_required_and_the_limit_on_both_sides():
    assert clean_text(None, field="f", limit=3, required=False) == ""
    with pytest.raises(DomainError) as missing:
        clean_text("   ", field="f", limit=3, label="名称")
    assert missing.value.code == "required"
    assert clean_text("abc", field="f", limit=3) == "abc"
    with pytest.raises(DomainError) as long:
        clean_text("abcd", field="f", limit=3)
    assert long.value.code == "too_long"


def test_the_notices_chinese_date_is_the_districts_day_whatever_the_language():
    from datetime import UTC, date, datetime, timedelta

    from django.utils import translation

    from core.text import cn_date, cn_datetime

    late_utc = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)  # 8 December 00:00 in Shanghai
    with translation.override("en"):
        assert cn_date(date(2026, 12, 7)) == "2026年12月7日"
        assert cn_date(late_utc) == "2026年12月8日"
        assert cn_date(late_utc - timedelta(minutes=1)) == "2026年12月7日"
        assert cn_datetime(late_utc) == "2026年12月8日 00:00"
