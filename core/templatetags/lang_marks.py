"""``{{ name|zh }}``: a proper name or quoted text marked ``lang="zh-Hans"`` when it is Chinese.

Names of estates, people and companies stay as written on an English page; the
marking tells browsers and screen readers (and tests/english_check.py) that the
Chinese is meant. Text without a CJK character, or any text on a Chinese page, is
returned as it is.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language

register = template.Library()

CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


@register.filter
def zh(value):
    text = "" if value is None else str(value)
    # A Chinese page is all Chinese: nothing to mark, and its HTML stays as it was.
    if not CHINESE.search(text) or (get_language() or "zh").lower().startswith("zh"):
        return conditional_escape(value if value is not None else "")
    return format_html('<span lang="zh-Hans">{}</span>', value)
