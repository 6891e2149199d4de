"""The English-page check: no Chinese on an English page except where it is marked.

``english_problems(html)`` lists every piece of visible text (and every
``title``/``alt``/``aria-label``/``placeholder``/button ``value``) that holds a
CJK character or full-width punctuation outside an element marked
``lang="zh-Hans"`` (proper names of estates and people, quoted legal texts,
bureau-written data without a translation). The marking must stay narrow: an
element marked Chinese may not be the page's ``html``/``body``/``main``, a
block that holds other blocks, nor hold more than ``MARKED_LIMIT`` characters.
``<script>``/``<style>`` are skipped, and ``<title>`` (it cannot hold a marked
name; the page's ``h1`` says the same and is checked). HTML is read with ``html.parser``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# CJK ideographs (with extension A and the compatibility block), the CJK symbols and
# punctuation block (。、《》【】「」 and the ideographic space) and the full-width forms
# (，：；！？（）％). Curly quotes “ ” are English punctuation too and pass.
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "source", "track", "wbr",
}  # fmt: skip
# <title> holds no markup, so a proper name in it cannot be marked; the h1 repeats it.
SKIPPED = {"script", "style", "template", "title"}
# Elements that may not carry the Chinese marking, or sit inside a marked element.
WIDE = {
    "html", "body", "main", "header", "footer", "nav", "section", "article", "aside",
    "form", "table", "thead", "tbody", "tr", "ul", "ol", "dl", "div", "details",
    "fieldset", "h1", "h2", "h3", "h4", "p", "li", "dd", "dt", "td", "th",
}  # fmt: skip
# A marked element may itself be a cell or a line (<dd lang="zh-Hans">: a quoted text),
# but nothing wider than these, and never with a block inside.
MARKABLE_BLOCKS = {"dd", "td", "li", "p", "blockquote", "h3", "dt", "th"}
ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
MARKED_LIMIT = 400


def _is_chinese_lang(value: str | None) -> bool:
    return bool(value) and value.lower().startswith("zh")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[dict] = []
        self.problems: list[str] = []
        self.skipping = 0

    def _marked(self) -> bool:
        # The nearest element with a lang decides (an English span inside a Chinese one).
        for element in reversed(self.stack):
            if element["lang"] is not None:
                return _is_chinese_lang(element["lang"])
        return False

    def _where(self) -> str:
        return " > ".join(e["tag"] for e in self.stack[-4:])

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in SKIPPED:
            self.skipping += 1
        if self.skipping:
            if tag in SKIPPED:
                self.stack.append({"tag": tag, "lang": None, "text": 0})
            return
        lang = attributes.get("lang")
        if _is_chinese_lang(lang) and tag in WIDE - MARKABLE_BLOCKS:
            self.problems.append(f"<{tag} lang={lang}> marks too much as Chinese")
        if tag in WIDE and any(
            _is_chinese_lang(e["lang"]) for e in self.stack if e["tag"] not in ("html",)
        ):
            self.problems.append(f"<{tag}> inside an element marked Chinese ({self._where()})")
        element = {"tag": tag, "lang": lang, "text": 0}
        marked_before = self._marked()
        if tag not in VOID:
            self.stack.append(element)
        values = [attributes.get(name) for name in ATTRIBUTES]
        if tag in ("input", "button") and attributes.get("type") in ("submit", "button", "reset"):
            values.append(attributes.get("value"))
        for value in values:
            if value and CHINESE.search(value) and not (marked_before or _is_chinese_lang(lang)):
                self.problems.append(f"Chinese in an attribute of <{tag}>: {value!r}")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1]["tag"] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        # Pop to the matching element (tolerates an implicitly closed <p>/<li>).
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index]["tag"] == tag:
                for element in self.stack[index:]:
                    self._closed(element)
                del self.stack[index:]
                break

    def _closed(self, element: dict) -> None:
        if element["tag"] in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        if _is_chinese_lang(element["lang"]) and element["text"] > MARKED_LIMIT:
            self.problems.append(
                f"<{element['tag']} lang={element['lang']}> marks {element['text']} characters"
            )

    def handle_data(self, data):
        if self.skipping or not data.strip():
            return
        for element in self.stack:
            if _is_chinese_lang(element["lang"]):
                element["text"] += len(data.strip())
        if CHINESE.search(data) and not self._marked():
            self.problems.append(f"Chinese in English text ({self._where()}): {data.strip()!r}")


def english_problems(html: str) -> list[str]:
    """What on this English page is Chinese without being marked so (empty when none)."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return checker.problems
