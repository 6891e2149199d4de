"""Serial allocation under concurrency (PostgreSQL: real row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from publications import selectors
from publications.models import Kind, Publication
from publications.services import publication_issue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_issuers_get_distinct_gapless_serials_and_one_chain(district):
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def work(n: int):
        try:
            start.wait()
            publication_issue(
                kind=Kind.OTHER,
                area=district.a1,
                period="2026",
                template="publications/pdf/table.html",
                context={"columns": [{"label": "序号", "align": ""}], "rows": [[str(n)]]},
                actor=None,
                title=f"并发公告{n}",
            )
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(int(p.serial.rsplit("-", 1)[1]) for p in Publication.objects.all())
    assert numbers == [1, 2, 3, 4]
    assert selectors.log_verify() == (4, None, "")
