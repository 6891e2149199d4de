"""Natural order for building names and unit codes: "1栋, 2栋, 10栋", never "10栋, 1栋, 2栋".

Registers name buildings and units with numbers written without leading zeros
("10栋-1单元-101"), so the database's text order puts 10 before 2. Digit runs
compare as numbers here; the rest compares as text (case-folded). The database
cannot sort this way portably (SQLite has no regexp_replace), so long lists are
ordered in Python on (pk, code) pairs and only the page shown is fetched:
``natural_page`` — two queries whatever the number of rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

T = TypeVar("T")
_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """The sort key of ``text``: digit runs as numbers ("2栋" < "10栋").

    ``re.split`` with a capturing group alternates text and digits, always
    starting with text, so two keys compare position by position between
    values of the same type (text with text, number with number). The text
    itself breaks ties (equal numbers written differently, "01" and "1"), kept
    apart so it never meets a number.
    """
    text = text or ""
    parts = _DIGITS.split(text)
    return (
        tuple(int(part) if index % 2 else part.casefold() for index, part in enumerate(parts)),
        text,
    )


def natural_sorted(items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    """``items`` in natural order of ``key(item)``."""
    return sorted(items, key=lambda item: natural_key(key(item)))


def natural_page(
    queryset: QuerySet, *fields: str, number, per_page: int, fetch: QuerySet | None = None
) -> Page:
    """Page ``number`` of ``queryset`` in natural order of ``fields`` (e.g. "area__code", "code").

    One query reads the pks and the fields of every row (a few short columns),
    the rows are ordered in Python, and ``fetch`` (default: ``queryset``; give it
    its select_related/prefetch_related) loads only the rows of the page. The
    page's ``object_list`` holds the model instances, in order.
    """
    rows = queryset.order_by().values_list("pk", *fields)
    ordered = sorted(rows, key=lambda row: tuple(natural_key(str(v)) for v in row[1:]) + (row[0],))
    page = Paginator([row[0] for row in ordered], per_page).get_page(number)
    found = (fetch if fetch is not None else queryset).in_bulk(list(page.object_list))
    page.object_list = [found[pk] for pk in page.object_list if pk in found]
    return page
