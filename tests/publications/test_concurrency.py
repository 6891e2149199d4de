"""Serial allocation under concurrency (PostgreSQL: real row locks)."""

from __future__ import annotations

from functools import partial

import pytest

from publications import selectors
from publications.models import Kind, Publication
from publications.services import publication_issue
from tests.parallel import in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_issuers_get_distinct_gapless_serials_and_one_chain(district):
    def issue(n: int) -> Publication:
        return publication_issue(
            kind=Kind.OTHER,
            area=district.a1,
            period="2026",
            template="publications/pdf/table.html",
            context={"columns": [{"label": "序号", "align": ""}], "rows": [[str(n)]]},
            actor=None,
            title=f"并发公告{n}",
        )

    results = in_threads([partial(issue, n) for n in range(4)])

    assert all(isinstance(result, Publication) for result in results), results
    numbers = sorted(int(p.serial.rsplit("-", 1)[1]) for p in Publication.objects.all())
    assert numbers == [1, 2, 3, 4]
    assert selectors.log_verify() == (4, None, "")
