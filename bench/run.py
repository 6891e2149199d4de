"""Run every benchmark in bench/ and print their JSON lines (one per benchmark).

    .venv/bin/python bench/run.py            # full sizes
    .venv/bin/python bench/run.py --quick    # small sizes: checks they still work, not their speed

Each benchmark measures its own baseline in the same run and prints the ratio.
``ballots_bench`` needs PostgreSQL: it runs when DATABASE_URL names one and is
reported as skipped otherwise. With PostgreSQL each benchmark gets a database of
its own, made afresh for the run (``<name>_<benchmark>``), so a benchmark never
meets another's rows; without it each makes its own temporary SQLite file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    "import_bench.py",
    "tally_bench.py",
    "ballots_bench.py",
    "pdf_bench.py",
    "interest_post_bench.py",
    "apportion_bench.py",
    "pages.py",
]
# Loading the demo district alone takes about a minute (more on a busy machine): too slow for
# the CI's quick run, so the page benchmark runs in full runs only (docs/performance.md).
FULL_ONLY = {"pages.py"}
QUICK_FLAG = {
    "import_bench.py",
    "tally_bench.py",
    "ballots_bench.py",
    "interest_post_bench.py",
    "apportion_bench.py",
}


def fresh_database(url: str, bench: str) -> str:
    """A newly created PostgreSQL database for ``bench`` beside the one ``url`` names."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'gongzhi'}_{bench}"[:63]
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}"))


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    failed = 0
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith("postgres")
    for name in BENCHES:
        if quick and name in FULL_ONLY:
            print(
                json.dumps({"benchmark": name[:-3], "skipped": "full runs only (seeds the demo)"})
            )
            continue
        if name == "ballots_bench.py" and not postgres:
            print(
                json.dumps({"benchmark": name[:-3], "skipped": "needs DATABASE_URL=postgres://…"})
            )
            continue
        args = [sys.executable, str(HERE / name)]
        if quick and name in QUICK_FLAG:
            args.append("--quick")
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        if postgres:
            env["DATABASE_URL"] = fresh_database(url, name[:-3])
        result = subprocess.run(
            args, capture_output=True, text=True, cwd=HERE.parent, check=False, env=env
        )
        lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
        if result.returncode != 0 or not lines:
            failed += 1
            print(json.dumps({"benchmark": name[:-3], "error": result.stderr.strip()[-500:]}))
            continue
        for line in lines:
            print(line, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
