"""Benchmark: ballots cast per second through the service on PostgreSQL, 8 voters at once.

Builds an area whose owners each hold one voting right and a bound login,
opens an assembly (roll frozen by the service), and lets ``--voters`` workers
(default 8 processes, each with its own database connection, as web workers
would be; ``--mode thread`` for threads of one process) cast every owner's
online ballot through ``voting.services.ballot_cast`` — the full path: the
assembly-row lock, the one-per-right check, the hash chain, the audit event.
Every tenth owner's ballot is submitted twice (a double tap): the second
must be refused, and afterwards the database must hold exactly one ballot per
right, seqs 1..n without a gap, and a board the verifier accepts.

Baseline, same run, same database, same workers: each worker inserts the
same number of rows, one short transaction each, into a plain table — what
PostgreSQL does with no rule at all. The script prints one JSON line::

    {"benchmark": "ballots_pg_8_voters", "ballots": …, "ballots_per_second": …,
     "p50_ms": …, "p99_ms": …, "double_counts": 0, "refused_repeats": …,
     "chain_valid": true, "baseline": {"name": "plain_insert_8_threads",
     "rows_per_second": …}, "ratio": …}

PostgreSQL only (SQLite has no row locks to measure): DATABASE_URL must name
a PostgreSQL database; it is created if missing and migrated here.
``--quick`` casts 400 ballots instead of 4,000.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gz_bench .venv/bin/python bench/ballots_bench.py
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tally_bench  # noqa: E402  (bench/ is not a package)


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` if it does not exist yet."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    params = {
        "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432,
        "user": config["USER"] or "postgres",
        "password": config["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(share * len(ordered))) - 1))
    return ordered[index]


def run_parallel(count: int, work, *, mode: str) -> tuple[float, list]:
    """Run ``work(index)`` in ``count`` threads or processes released together.

    Returns the wall time and each worker's return value. Processes are
    forked after the parent closed its database connections, so each opens
    its own — like gunicorn workers; threads share one interpreter (and its GIL).
    """
    from django.db import connections

    connections.close_all()
    if mode == "thread":
        barrier = threading.Barrier(count + 1)
        results: list = [None] * count
        errors: list[BaseException] = []

        def body(index: int) -> None:
            try:
                barrier.wait()
                results[index] = work(index)
            except BaseException as exc:  # reported after the join
                errors.append(exc)
            finally:
                connections.close_all()

        workers = [threading.Thread(target=body, args=(i,)) for i in range(count)]
        for worker in workers:
            worker.start()
        barrier.wait()
        started = time.perf_counter()
        for worker in workers:
            worker.join()
        seconds = time.perf_counter() - started
        if errors:
            raise errors[0]
        return seconds, results

    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(count + 1)
    queue = context.Queue()

    def child(index: int) -> None:
        try:
            barrier.wait()
            queue.put((index, "ok", work(index)))
        except BaseException as exc:
            queue.put((index, "error", repr(exc)))
        finally:
            connections.close_all()

    workers = [context.Process(target=child, args=(i,)) for i in range(count)]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    collected = [queue.get() for _ in range(count)]
    seconds = time.perf_counter() - started
    for worker in workers:
        worker.join()
    failures = [message for _i, state, message in collected if state == "error"]
    if failures:
        raise RuntimeError(failures[0])
    results = [None] * count
    for index, _state, value in collected:
        results[index] = value
    return seconds, results


def cast_all(assembly, voters: int, mode: str) -> dict:
    from accounts.models import User
    from estates.models import Person

    user_ids = list(
        Person.objects.filter(voting_rights__assembly=assembly)
        .order_by("pk")
        .values_list("user", flat=True)
    )
    slices = [user_ids[i::voters] for i in range(voters)]
    choices = {"m1": "approve", "m2": "reject", "m3": ["c1", "c2"]}

    def work(index: int) -> dict:
        from core.errors import DomainError
        from voting import services

        logins = User.objects.in_bulk(slices[index])
        latencies: list[float] = []
        refused = 0
        for n, user_id in enumerate(slices[index]):
            user = logins[user_id]
            tries = 2 if n % 10 == 0 else 1  # every tenth owner taps twice
            for _ in range(tries):
                started = time.perf_counter()
                try:
                    services.ballot_cast(assembly=assembly, choices=choices, actor=user)
                except DomainError as exc:
                    if exc.code != "already_voted":
                        raise
                    refused += 1
                finally:
                    latencies.append(time.perf_counter() - started)
        return {"latencies": latencies, "refused": refused}

    seconds, results = run_parallel(voters, work, mode=mode)
    return {
        "seconds": seconds,
        "latencies": [x for row in results for x in row["latencies"]],
        "refused": sum(row["refused"] for row in results),
        "repeats": sum((len(part) + 9) // 10 for part in slices),
        "attempts": sum(len(row["latencies"]) for row in results),
    }


def plain_inserts(rows: int, voters: int, mode: str) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_plain_ballot "
            "(id bigserial PRIMARY KEY, right_id bigint NOT NULL, choices jsonb NOT NULL)"
        )
        cursor.execute("TRUNCATE bench_plain_ballot")
    per_thread = rows // voters

    def work(index: int) -> None:
        from django.db import connection, transaction

        with connection.cursor() as cursor:
            for n in range(per_thread):
                with transaction.atomic():
                    cursor.execute(
                        "INSERT INTO bench_plain_ballot (right_id, choices) VALUES (%s, %s)",
                        [index * per_thread + n, '{"m1": "approve"}'],
                    )

    seconds, _results = run_parallel(voters, work, mode=mode)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_plain_ballot")
    return (per_thread * voters) / seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="400 ballots instead of 4,000")
    parser.add_argument("--ballots", type=int, default=None, help="number of owners who vote")
    parser.add_argument("--voters", type=int, default=8, help="parallel voters")
    parser.add_argument(
        "--mode",
        choices=["process", "thread"],
        default="process",
        help="voters as processes (like web workers, default) or threads of one process",
    )
    args = parser.parse_args(argv)
    count = args.ballots or (400 if args.quick else 4000)

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "ballots_bench needs DATABASE_URL=postgres://… (row locks are the point)",
            file=sys.stderr,
        )
        return 2
    ensure_database(url)
    tally_bench.setup_django(default_sqlite=False)
    from django.conf import settings

    # Connections are opened per thread; keep them for the whole run as a web worker would.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = None

    from voting.board_store import board_build
    from voting.models import Assembly, Ballot, VotingRight
    from voting.verifier import verify_board

    area = tally_bench.build_area(count, label="ballots", with_users=True)
    assembly, _freeze = tally_bench.open_assembly(area)

    cast = cast_all(assembly, args.voters, args.mode)
    baseline = plain_inserts(count, args.voters, args.mode)

    stored = Ballot.objects.filter(assembly=assembly)
    ballots = stored.count()
    distinct_rights = stored.values("right").distinct().count()
    seqs = sorted(stored.values_list("seq", flat=True))
    rights = VotingRight.objects.filter(assembly=assembly).count()
    # Close the window and verify the chain the way anyone would.
    from datetime import timedelta

    from django.utils import timezone

    Assembly.objects.filter(pk=assembly.pk).update(
        opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now()
    )
    report = verify_board(board_build(assembly))

    latencies_ms = [x * 1000 for x in cast["latencies"]]
    rate = ballots / cast["seconds"]
    ok = (
        ballots == rights == distinct_rights
        and seqs == list(range(1, ballots + 1))
        and report.valid
        and cast["refused"] == cast["repeats"]  # every second tap refused
    )
    print(
        json.dumps(
            {
                "benchmark": f"ballots_pg_{args.voters}_voters",
                "mode": args.mode,
                "ballots": ballots,
                "attempts": cast["attempts"],
                "seconds": round(cast["seconds"], 3),
                "ballots_per_second": round(rate, 1),
                "p50_ms": round(statistics.median(latencies_ms), 2),
                "p99_ms": round(percentile(latencies_ms, 0.99), 2),
                "double_counts": ballots - distinct_rights,
                "refused_repeats": cast["refused"],
                "gapless_seqs": seqs == list(range(1, ballots + 1)),
                "chain_valid": report.valid,
                "baseline": {
                    "name": f"plain_insert_{args.voters}_{args.mode}es"
                    if args.mode == "process"
                    else f"plain_insert_{args.voters}_threads",
                    "rows_per_second": round(baseline, 1),
                },
                "ratio": round(rate / baseline, 3),
            }
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
