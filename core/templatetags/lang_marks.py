"""``{{ name|zh }}``: a proper name or quoted text marked ``lang="zh-Hans"`` when it is Chinese.

Names of estates, people and companies stay as written on an English page; the
marking tells browsers and screen readers (and tests/english_check.py) that the
Chinese is meant. Text without a CJK character is returned as it is.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, format_html

register = template.Library()

CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


@register.filter
def zh(value):
    text = "" if value is None else str(value)
    if not CHINESE.search(text):
        return conditional_escape(value if value is not None else "")
    return format_html('<span lang="zh-Hans">{}</span>', value)
