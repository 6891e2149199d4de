"""Benchmark: every demo role's main pages, server time and queries per page (issue 16, "Page speed").

Loads the demo district (``gongzhi.demo.seed``, what ``make run`` loads: six areas,
~3,000 units, one login per role) into a fresh database, then logs in as each
demo role with Django's test client and fetches its main pages — home, ballot,
progress, ledgers, lists, dashboards — in-process, so the time is the server's
alone (URL routing, middleware, views, queries, templates; no network, no
browser). For each page: one warm-up request, then ``--repeat`` timed requests
(p50, p95, max in ms) and, in one more request, the number of SQL queries.

Goal (issue 16): every page p95 < 200 ms, and the query count independent of the
number of rows shown. The second is checked here for the pages that list many
rows (buildings, units, sub-ledgers, audit events): each is fetched again
showing fewer rows (a smaller area or building, the last page, a search for one
unit) and the two query counts must be equal (``"rows_independent"``).

Prints one JSON line::

    {"benchmark": "pages", "pages": [{"page": "home", "role": "owner", "url": "/",
      "p50_ms": …, "p95_ms": …, "max_ms": …, "queries": …}, …],
     "max_p95_ms": …, "over_200ms": [...], "rows_independent": true, "seconds": …}

``--table`` prints the Markdown table of docs/performance.md to stderr as well.
Database: a temporary SQLite file (migrated and seeded here), DATABASE_URL, or
``--db FILE`` (an SQLite file, seeded here if it is not yet). ``--quick`` times 3
requests per page instead of 20 (``bench/run.py --quick`` skips this benchmark: seeding
the demo alone takes about a minute). ``--only ROLE`` measures one role's pages.

    .venv/bin/python bench/pages.py [--quick] [--repeat N] [--table] [--db FILE] [--only ROLE]
"""

# One piece because it is one script: the roles and their pages (a table of URLs, most of
# the length) and the loop that times them are read together, as bench/*.py are.

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOAL_MS = 200.0


def setup(db: str | None) -> tempfile.TemporaryDirectory | None:
    """Django on a fresh (or the given) database; the demo district loaded if not already."""
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    # A request as production serves it: no query log kept, no debug pages.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("GONGZHI_SMS_BACKEND", "accounts.sms.LocmemSender")
    work = tempfile.TemporaryDirectory(prefix="gongzhi-pages-")
    directory = Path(work.name)
    if db:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(db).resolve()}"
    elif not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ.setdefault("GONGZHI_SIGNING_DIR", str(directory / "signing"))
    os.environ.setdefault("MEDIA_ROOT", str(directory / "media"))
    import logging

    import django

    django.setup()
    for name in ("celery", "gongzhi.sms", "weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from accounts.models import User

    if not User.objects.filter(username="committee_demo").exists():
        from gongzhi import demo

        demo.seed(out=lambda *a, **k: None)
    return work


# --- who fetches what ---------------------------------------------------------------


@dataclass
class Page:
    name: str
    url: Callable[[], str | None]  # None: nothing of this kind in the demo data (skipped)
    # The same page showing fewer rows (another area, a last page, a narrower search):
    # it must take as many queries as the page itself.
    fewer: Callable[[], str | None] | None = None


@dataclass
class Role:
    key: str
    login: Callable[[], object]
    otp: bool = False
    pages: list[Page] = field(default_factory=list)


def _first(queryset):
    return queryset.order_by("pk").first()


def build_roles() -> tuple[list[Role], dict]:
    """Each demo login and its main pages, with the demo objects their URLs need."""
    from django.db.models import Count
    from django.urls import reverse

    from accounts.models import User
    from accounts.permissions import areas_for
    from emergency.models import EmergencyApplication
    from estates.models import Building, ManagementArea, Ownership
    from funds.models import FundApplication
    from voting.models import Assembly

    by_size = list(ManagementArea.objects.annotate(n=Count("buildings")).order_by("-n", "code"))
    big, small = by_size[0], by_size[-1]
    owner = User.objects.get(phone="13900000001")
    owned = _first(Ownership.objects.filter(person__user=owner, until__isnull=True))
    owner_unit = owned.unit if owned else None
    owner_area = owner_unit.area if owner_unit else big
    assembly = _first(Assembly.objects.filter(area=owner_area).exclude(status="draft"))
    committee = User.objects.get(username="committee_demo")
    committee_area = areas_for(committee, "fund.view_area").order_by("code").first() or big
    committee_assembly = _first(Assembly.objects.filter(area=committee_area))
    application = _first(FundApplication.objects.all())
    emergency = _first(EmergencyApplication.objects.all())
    buildings = list(
        Building.objects.filter(area=committee_area).annotate(n=Count("units")).order_by("-n", "pk")
    )
    building, small_building = (buildings[0], buildings[-1]) if buildings else (None, None)
    funded = committee_area  # the demo funds the committee's area
    last_page = (funded.units.count() - 1) // 50 + 1
    one_unit = funded.units.order_by("pk").first()

    def url(name, *args):
        return lambda: reverse(name, args=args)

    def maybe(obj, name, *extra):
        return lambda: reverse(name, args=(obj.pk, *extra)) if obj is not None else None

    def area_url(name, area):
        return lambda: reverse(name, args=(area.code,))

    staff = lambda username: lambda: User.objects.get(username=username)  # noqa: E731
    progress = maybe(assembly, "voting:progress")
    roles = [
        Role(
            "owner",
            lambda: owner,
            pages=[
                Page("home", url("home")),
                Page("voting:mine", url("voting:mine")),
                Page("voting:ballot", maybe(assembly, "voting:ballot")),
                Page("voting:progress_list", url("voting:progress_list")),
                Page("voting:progress", progress),
                Page("estates:my_units", url("estates:my_units")),
                Page("funds:mine", url("funds:mine")),
                Page("funds:unit_ledger", maybe(owner_unit, "funds:unit_ledger")),
                Page("funds:application_mine", url("funds:application_mine")),
                Page("revenue:ledger", area_url("revenue:ledger", owner_area)),
            ],
        ),
        Role(
            "committee",
            staff("committee_demo"),
            pages=[
                Page("home", url("home")),
                Page("estates:index", url("estates:index")),
                Page("estates:area", area_url("estates:area", committee_area)),
                Page(
                    "estates:building",
                    maybe(building, "estates:building"),
                    fewer=maybe(small_building, "estates:building"),
                ),
                Page("voting:manage_list", url("voting:manage_list")),
                Page("voting:manage_detail", maybe(committee_assembly, "voting:manage_detail")),
                Page("voting:manage_ballots", maybe(committee_assembly, "voting:manage_ballots")),
                Page("voting:progress", maybe(committee_assembly, "voting:progress")),
                Page("funds:areas", url("funds:areas")),
                Page(
                    "funds:area_ledger",
                    area_url("funds:area_ledger", funded),
                    fewer=lambda: (
                        reverse("funds:area_ledger", args=(funded.code,)) + f"?page={last_page}"
                    ),
                ),
                Page("funds:application_list", url("funds:application_list")),
                Page("funds:application_detail", maybe(application, "funds:application_detail")),
                Page("funds_reconciliation:index", url("funds_reconciliation:index")),
                Page("emergency:index", url("emergency:index")),
                Page("revenue:ledger", area_url("revenue:ledger", committee_area)),
            ],
        ),
        Role(
            "property",
            staff("property_demo"),
            pages=[
                Page("home", url("home")),
                Page("estates:index", url("estates:index")),
                Page("emergency:index", url("emergency:index")),
                Page("emergency:detail", maybe(emergency, "emergency:detail")),
                Page("funds:application_list", url("funds:application_list")),
                Page("voting:progress_list", url("voting:progress_list")),
                Page("revenue:index", url("revenue:index")),
            ],
        ),
        Role(
            "street",
            staff("street_demo"),
            pages=[
                Page("home", url("home")),
                Page("estates:index", url("estates:index")),
                Page("estates:dashboard", url("estates:dashboard")),
                Page("estates:annex1", url("estates:annex1")),
                Page("voting:manage_list", url("voting:manage_list")),
                Page("voting:progress_list", url("voting:progress_list")),
                Page("funds:areas", url("funds:areas")),
                Page("emergency:dashboard", url("emergency:dashboard")),
                Page("emergency:problems", url("emergency:problems")),
            ],
        ),
        Role(
            "community",
            staff("community_demo"),
            pages=[
                Page("home", url("home")),
                Page("estates:index", url("estates:index")),
                Page("voting:manage_list", url("voting:manage_list")),
                Page("funds:areas", url("funds:areas")),
                Page("emergency:index", url("emergency:index")),
            ],
        ),
        Role(
            "reviewer",
            staff("reviewer_demo"),
            pages=[
                Page("home", url("home")),
                Page("estates:index", url("estates:index")),
                Page(
                    "estates:area",
                    area_url("estates:area", big),
                    fewer=area_url("estates:area", small),
                ),
                Page("estates:dashboard", url("estates:dashboard")),
                Page(
                    "audit:events",
                    url("audit:events"),
                    fewer=lambda: reverse("audit:events") + "?action=register.",
                ),
                Page("voting:progress_list", url("voting:progress_list")),
                Page("funds:areas", url("funds:areas")),
                Page("funds:area_ledger", area_url("funds:area_ledger", funded)),
                Page("funds:review_queue", url("funds:review_queue")),
                Page("funds:payment_queue", url("funds:payment_queue")),
                Page("emergency:index", url("emergency:index")),
                Page("emergency:recovery_claims", url("emergency:recovery_claims")),
            ],
        ),
        Role(
            "approver",
            staff("approver_demo"),
            otp=True,
            pages=[
                Page("home", url("home")),
                Page("funds:approval_queue", url("funds:approval_queue")),
                Page("funds:filing_queue", url("funds:filing_queue")),
                Page("emergency:index", url("emergency:index")),
                Page("estates:issue_area_register", url("estates:issue_area_register")),
            ],
        ),
        Role(
            "admin",
            staff("admin_demo"),
            otp=True,
            pages=[
                Page("home", url("home")),
                Page("audit:events", url("audit:events")),
                Page("estates:import", url("estates:import")),
                Page("estates:calendar", url("estates:calendar")),
                Page("emergency:whitelist", url("emergency:whitelist")),
                Page("voting:manage_list", url("voting:manage_list")),
            ],
        ),
        Role(
            "public",
            lambda: None,
            pages=[
                Page("home", url("home")),
                Page("publications:list", url("publications:list")),
                Page("emergency:whitelist", url("emergency:whitelist")),
            ],
        ),
    ]
    return roles, {"one_unit": one_unit}


# --- measuring ------------------------------------------------------------------------


def _client(role: Role):
    from django.test import Client

    client = Client()
    user = role.login()
    if user is None:
        return client
    client.force_login(user)
    if role.otp:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _queries(client, url: str) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        status = client.get(url).status_code
    return status, len(captured)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0 < q < 100) by linear interpolation between closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def measure(role: Role, page: Page, client, repeat: int) -> dict | None:
    url = page.url()
    if url is None:
        return None
    status, queries = _queries(client, url)  # also the warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "page": page.name,
        "role": role.key,
        "url": url,
        "status": status,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "max_ms": round(max(times), 1),
        "queries": queries,
    }


def rows_check(role: Role, page: Page, client) -> dict:
    """The page and the same page showing fewer rows: the same number of queries."""
    urls = (page.url(), page.fewer())
    (_, many), (_, few) = (_queries(client, u) for u in urls)
    return {
        "page": page.name,
        "role": role.key,
        "urls": urls,
        "queries": [many, few],
        "equal": many == few,
    }


def table(results: list[dict]) -> str:
    lines = [
        "| 页面 | 角色 | p50 (ms) | p95 (ms) | 查询数 |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| `{r['page']}` | {r['role']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['queries']} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 timed requests per page")
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--table", action="store_true", help="Markdown table on stderr")
    parser.add_argument("--db", help="an SQLite file (seeded here if it is not yet)")
    parser.add_argument("--only", help="only this role (e.g. committee)")
    args = parser.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 20)

    started = time.monotonic()
    work = setup(args.db)
    seeded = time.monotonic() - started
    roles, _objects = build_roles()
    results, checks, broken = [], [], []
    for role in roles:
        if args.only and role.key != args.only:
            continue
        client = _client(role)
        for page in role.pages:
            row = measure(role, page, client, repeat)
            if row is None:
                continue
            results.append(row)
            if row["status"] != 200:
                broken.append(f"{role.key} {page.name} {row['url']} → {row['status']}")
            if page.fewer is not None:
                checks.append(rows_check(role, page, client))
    over = [f"{r['role']} {r['page']}" for r in results if r["p95_ms"] >= GOAL_MS]
    print(
        json.dumps(
            {
                "benchmark": "pages",
                "repeat": repeat,
                "pages": results,
                "max_p95_ms": max((r["p95_ms"] for r in results), default=0.0),
                "over_200ms": over,
                "rows_checks": checks,
                "rows_independent": all(c["equal"] for c in checks),
                "not_200": broken,
                "setup_seconds": round(seeded, 1),
                "seconds": round(time.monotonic() - started, 1),
            },
            ensure_ascii=False,
        ),
        flush=True,
    )
    if args.table:
        print(table(results), file=sys.stderr)
    if work is not None:
        work.cleanup()
    # A page that does not answer 200 is a broken benchmark, not a slow page.
    return 1 if broken or not all(c["equal"] for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
