"""Run callables at once, each in its own thread with its own database connection (PostgreSQL).

Django opens one connection per thread, so the callables are parallel transactions
racing for the same rows: what the concurrency tests need to see row locks and
unique indexes at work.
"""

from __future__ import annotations

import threading

from django.db import connections

from core.errors import DomainError


def in_threads(works: list) -> list:
    """Run each callable in its own thread, released together; results or error codes.

    A ``DomainError`` becomes its code; any other exception is returned as is, for the
    test's assertions to report.
    """
    barrier = threading.Barrier(len(works))
    results: list = [None] * len(works)

    def run(index, work):
        try:
            barrier.wait()
            results[index] = work()
        except DomainError as exc:
            results[index] = exc.code
        except BaseException as exc:  # reported by the assertions
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
