"""The API's JSON parser: a body nested too deep is bad input (400), never a 500.

``json.loads`` recurses once per nesting level: a body like ``[[[[…]]]]``
5,000 deep raises ``RecursionError``, which DRF's parser does not catch
(it only turns ``ValueError`` into a 400). No request of this API nests
deeper than a few levels, so anything past ``MAX_DEPTH`` is refused too,
before it reaches a serializer that might recurse over it again.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), walked without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON 嵌套层数过多。")) from None
        if depth(data) > MAX_DEPTH:
            raise ParseError(_("JSON 嵌套层数过多（最多 %(max)s 层）。") % {"max": MAX_DEPTH})
        return data
