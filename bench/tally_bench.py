"""Benchmark: the live tally of a 20,000-right scope (issue 6, "Benchmark in bench/").

Builds a management area of 20,000 units, each with its own owner (so 20,000
voting rights), freezes its roll through ``voting.services.assembly_open``,
and stores ballots for 75 % of the rights (three motions: ordinary, special,
an election of 3 seats among 5 candidates), chained exactly as the service
chains them. Then it times, on the same ballots in the same run:

- **tally**: ``voting.selectors.assembly_progress`` — the live progress page:
  ballots that answered alike weighed together, then every motion counted
  with ``voting.counting`` (the code that decides results);
- **per ballot** (reported beside it): the same count weighing each ballot
  on its own, as the public verifier recounts a board;
- **baseline**: a bare SQL ``SUM(heads), SUM(area) … GROUP BY choice`` per
  motion (per candidate for the election), i.e. the database doing only the sums.

All three must agree to the cent and the head (checked; exit 1 if not), and
the script prints one JSON line::

    {"benchmark": "tally_20000", "rights": 20000, "ballots": 15000, "seconds": …,
     "baseline": {"name": "sql_sum_group_by", "seconds": …}, "ratio": …, "agree": true}

Each figure is the best of ``--repeat`` runs (default 5). Database: a
temporary SQLite file (migrated here) or the one in DATABASE_URL.
``--quick`` uses 2,000 rights (for CI).

    .venv/bin/python bench/tally_bench.py [--quick] [--rights N]
"""

# One piece because a benchmark is one script read top to bottom: it builds the scope,
# stores the ballots and times the three counts on them in the same run.

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CANDIDATES = ["c1", "c2", "c3", "c4", "c5"]
SEATS = 3


def setup_django(default_sqlite: bool = True) -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    if not os.environ.get("DATABASE_URL") and default_sqlite:
        directory = tempfile.mkdtemp(prefix="gongzhi-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    # Text messages of the opening go nowhere: this measures counting.
    os.environ.setdefault("GONGZHI_SMS_BACKEND", "accounts.sms.LocmemSender")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def ric(n: int) -> str:
    """The n-th synthetic 埇桥区 resident ID number with its GB 11643 check digit."""
    from stdnum.cn import ric as stdnum_ric

    birth = date(1950, 1, 1) + timedelta(days=n // 900)
    body = f"341302{birth:%Y%m%d}{n % 900 + 100:03d}"
    return body + stdnum_ric.calc_check_digit(body + "0")


def build_area(rights: int, *, label: str, with_users: bool = False, seed: int = 6):
    """An area of ``rights`` units, one owner each (optionally each bound to a login)."""
    from django.db import transaction

    from accounts.models import User
    from estates.crypto import encrypt_id, id_hmac
    from estates.models import Building, Community, ManagementArea, Ownership, Person, Street, Unit

    rng = random.Random(seed)
    suffix = f"{label}-{time.time_ns()}"
    offset = time.time_ns() % 10_000_000 * 100_000  # fresh ID numbers on a reused database
    with transaction.atomic():
        street, _ = Street.objects.get_or_create(code="BENCH", defaults={"name": "基准测试街道"})
        community, _ = Community.objects.get_or_create(
            code="BENCH", defaults={"street": street, "name": "基准测试社区"}
        )
        area = ManagementArea.objects.create(
            community=community, code=suffix[:32], name=f"基准测试 {suffix}"[:200]
        )
        buildings = {}
        units, persons = [], []
        for index in range(rights):
            building_no, rest = divmod(index, 200)
            stair, rest = divmod(rest, 100)
            floor, room = divmod(rest, 4)
            name = f"{building_no + 1}栋"
            if name not in buildings:
                buildings[name] = Building.objects.create(area=area, name=name)
            value = Decimal(rng.randrange(6000, 15000)) / 100
            units.append(
                Unit(
                    area=area,
                    building=buildings[name],
                    code=f"{name}-{stair + 1}单元-{floor + 1}{room + 1:02d}",
                    stair=f"{stair + 1}单元",
                    floor=floor + 1,
                    number=f"{floor + 1}{room + 1:02d}",
                    use="住宅",
                    registered_area=value,
                    area_basis="registered",
                    floor_area=value,
                )
            )
            number = ric(index)
            persons.append(
                Person(
                    name=f"业主{index}",
                    id_encrypted=encrypt_id(number),
                    # Unique per run even when ID numbers repeat across runs on one database.
                    id_hmac=id_hmac(f"{suffix}:{number}"),
                    id_prefix=number[:4],
                    id_last4=number[-4:],
                    phone=f"15{(offset + index) % 10**9:09d}",
                )
            )
        Unit.objects.bulk_create(units, batch_size=1000)
        if with_users:
            users = [
                User(phone=f"16{(offset + i) % 10**9:09d}", display_name=f"业主{i}")
                for i in range(rights)
            ]
            for user in users:
                user.set_unusable_password()
            User.objects.bulk_create(users, batch_size=1000)
            for person, user in zip(persons, users, strict=True):
                person.user = user
        Person.objects.bulk_create(persons, batch_size=1000)
        Ownership.objects.bulk_create(
            [
                Ownership(unit=unit, person=person, since=date(2020, 1, 1))
                for unit, person in zip(units, persons, strict=True)
            ],
            batch_size=1000,
        )
    _analyze()
    return area


def _analyze() -> None:
    """Refresh the planner's statistics after the bulk load, as autovacuum would shortly.

    Without it PostgreSQL plans the next queries for the few rows it saw before the
    load (a nested loop over 300,000 ownerships instead of a hash join)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def open_assembly(area, *, motions: int = 3):
    """An assembly of ``area`` opened through the service (roll frozen); returns it.

    The notice step (a signed PDF) is replaced by recording a notice date a
    month ago: it is not what is measured here.
    """
    from django.db import transaction
    from django.utils import timezone

    from voting import counting
    from voting.models import Assembly, Candidate, Motion
    from voting.services.common import assembly_lock
    from voting.services.opening import open_locked

    now = timezone.now()
    assembly = Assembly.objects.create(
        area=area,
        title="基准测试业主大会会议",
        convener="基准测试业主委员会",
        status=Assembly.Status.NOTICED,
        notice_published_at=now - timedelta(days=30),
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=1),
    )
    specs = [
        (4, counting.ORDINARY, None),
        (6, counting.SPECIAL, None),
        (3, counting.ELECTION, SEATS),
    ]
    for position, (item, kind, seats) in enumerate(specs[:motions], start=1):
        motion = Motion.objects.create(
            assembly=assembly,
            position=position,
            code=f"m{position}",
            title=f"议题{position}",
            item=item,
            kind=kind,
            seats=seats,
        )
        if kind == counting.ELECTION:
            Candidate.objects.bulk_create(
                Candidate(motion=motion, position=n, code=code, name=f"候选人{n}")
                for n, code in enumerate(CANDIDATES, start=1)
            )
    # The service's own opening, without the text messages it queues after commit
    # (in eager mode they would be sent inside this call and timed with it).
    started = time.perf_counter()
    with transaction.atomic():
        assembly = open_locked(assembly_lock(assembly), actor=None, now=timezone.now())
    return assembly, time.perf_counter() - started


def random_choices(rng: random.Random) -> dict:
    answers = ["approve"] * 6 + ["reject"] * 2 + ["abstain", "invalid"]
    choices = {"m1": rng.choice(answers), "m2": rng.choice(answers)}
    draw = rng.random()
    if draw < 0.1:
        choices["m3"] = "abstain"
    elif draw < 0.95:
        choices["m3"] = sorted(rng.sample(CANDIDATES, rng.randint(0, SEATS)))
    # else: the sheet left the election blank (did not take part in it).
    return choices


def store_ballots(assembly, share: float, seed: int = 7) -> int:
    """Ballots for ``share`` of the rights, chained as ``voting.services.ballots`` chains them."""
    import secrets

    from django.db import transaction

    from accounts.models import User
    from voting import boardformat, counting
    from voting.models import Assembly, Ballot, VotingRight

    rng = random.Random(seed)
    rights = list(VotingRight.objects.filter(assembly=assembly).order_by("position"))
    chosen = sorted(rng.sample(rights, int(len(rights) * share)), key=lambda r: r.position)
    # Who entered them is not on the board and not counted; one login stands for all.
    owner, _created = User.objects.get_or_create(
        username="bench-ballots", defaults={"display_name": "基准测试"}
    )
    prev = boardformat.GENESIS
    rows = []
    now = assembly.opens_at
    for seq, right in enumerate(chosen, start=1):
        entry = {
            "seq": seq,
            "tracker": secrets.token_hex(8),
            "heads": right.heads,
            "area": counting.cents_to_area(counting.area_to_cents(right.area)),
            "channel": "online",
            "choices": random_choices(rng),
            "prev": prev,
        }
        prev = boardformat.ballot_hash(entry)
        rows.append(
            Ballot(
                assembly=assembly,
                right=right,
                seq=seq,
                tracker=entry["tracker"],
                heads=right.heads,
                area=right.area,
                channel="online",
                choices=entry["choices"],
                prev=entry["prev"],
                hash=prev,
                cast_at=now,
                entered_by=owner,
            )
        )
    with transaction.atomic():
        Ballot.objects.bulk_create(rows, batch_size=1000)
        Assembly.objects.filter(pk=assembly.pk).update(ballots_cast=len(rows), chain_head=prev)
    return len(rows)


# --------------------------------------------------------------------------- the two tallies


def tally(assembly) -> dict:
    """What the progress page computes: every motion counted by voting.counting."""
    from voting.selectors import assembly_progress

    progress = assembly_progress(assembly)
    return {row["motion"].code: row["count"] for row in progress["motions"]}


def tally_per_ballot(assembly) -> dict:
    """Every ballot read and weighed one by one, as the public verifier recounts a board."""
    from voting import counting
    from voting.models import Ballot, RollSnapshot

    totals = RollSnapshot.objects.get(assembly=assembly).totals()
    ballots = list(Ballot.objects.filter(assembly=assembly).values("heads", "area", "choices"))
    result = {}
    for motion in assembly.motions.prefetch_related("candidates").order_by("position"):
        board_motion = {
            "id": motion.code,
            "kind": motion.kind,
            "seats": motion.seats,
            "options": motion.options(),
        }
        result[motion.code] = counting.count_motion(board_motion, ballots, totals)
    return result


def sql_sums(assembly) -> dict:
    """The bare baseline: SUM … GROUP BY in the database, per motion and per candidate."""
    from django.db import connection

    vendor = connection.vendor
    table = "voting_ballot"
    sums: dict = {}
    with connection.cursor() as cursor:
        for code in ("m1", "m2"):
            if vendor == "postgresql":
                sql = (
                    f"SELECT choices->>%s AS c, SUM(heads), SUM(area) FROM {table} "
                    "WHERE assembly_id = %s AND choices ? %s GROUP BY c"
                )
                params = [code, assembly.pk, code]
            else:
                sql = (
                    f"SELECT json_extract(choices, '$.' || %s) AS c, SUM(heads), "
                    f"SUM(CAST(ROUND(area * 100) AS INTEGER)) FROM {table} "
                    "WHERE assembly_id = %s AND json_type(choices, '$.' || %s) IS NOT NULL "
                    "GROUP BY c"
                )
                params = [code, assembly.pk, code]
            cursor.execute(sql, params)
            sums[code] = {
                row[0]: (int(row[1]), _cents(row[2], vendor)) for row in cursor.fetchall()
            }
        if vendor == "postgresql":
            sql = (
                f"SELECT e.value, SUM(b.heads), SUM(b.area) FROM {table} b, "
                "jsonb_array_elements_text(b.choices->'m3') e "
                "WHERE b.assembly_id = %s AND jsonb_typeof(b.choices->'m3') = 'array' "
                "GROUP BY e.value"
            )
        else:
            sql = (
                f"SELECT e.value, SUM(b.heads), SUM(CAST(ROUND(b.area * 100) AS INTEGER)) "
                f"FROM {table} b, json_each(b.choices, '$.m3') e "
                "WHERE b.assembly_id = %s AND json_type(b.choices, '$.m3') = 'array' "
                "GROUP BY e.value"
            )
        cursor.execute(sql, [assembly.pk])
        sums["m3"] = {row[0]: (int(row[1]), _cents(row[2], vendor)) for row in cursor.fetchall()}
    return sums


def _cents(value, vendor: str) -> int:
    if vendor == "postgresql":
        return int(Decimal(value) * 100)
    return int(value)


def agree(counted: dict, sums: dict) -> bool:
    """The counting core and the SQL sums give the same heads and area everywhere they overlap."""
    from voting.counting import area_to_cents

    for code in ("m1", "m2"):
        for choice in ("approve", "reject", "abstain", "invalid"):
            heads, cents = sums[code].get(choice, (0, 0))
            entry = counted[code][choice]
            if (entry["heads"], area_to_cents(entry["area"])) != (heads, cents):
                return False
    # Election: SQL sums every listed candidate; the core drops over-long (spoiled) lists,
    # which the generator never makes — so per-candidate approvals must match.
    for candidate in CANDIDATES:
        heads, cents = sums["m3"].get(candidate, (0, 0))
        entry = counted["m3"]["candidates"][candidate]
        if (entry["heads"], area_to_cents(entry["area"])) != (heads, cents):
            return False
    return True


def best_of(repeat: int, work) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        value = work()
        best = min(best, time.perf_counter() - started)
    return best, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 rights instead of 20,000")
    parser.add_argument("--rights", type=int, default=None, help="number of voting rights")
    parser.add_argument("--share", type=float, default=0.75, help="share of rights that vote")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs (best is kept)")
    args = parser.parse_args(argv)
    count = args.rights or (2000 if args.quick else 20000)

    setup_django()
    from django.db import connection

    area = build_area(count, label="tally")
    assembly, freeze_seconds = open_assembly(area)
    ballots = store_ballots(assembly, args.share)

    seconds, counted = best_of(args.repeat, lambda: tally(assembly))
    per_ballot, recounted = best_of(args.repeat, lambda: tally_per_ballot(assembly))
    baseline, sums = best_of(args.repeat, lambda: sql_sums(assembly))
    ok = agree(counted, sums) and counted == recounted
    print(
        json.dumps(
            {
                "benchmark": f"tally_{count}",
                "database": connection.vendor,
                "rights": count,
                "ballots": ballots,
                "motions": 3,
                "seconds": round(seconds, 4),
                "baseline": {"name": "sql_sum_group_by", "seconds": round(baseline, 4)},
                "ratio": round(seconds / baseline, 2),
                "agree": ok,
                "per_ballot_seconds": round(per_ballot, 4),
                "roll_freeze_seconds": round(freeze_seconds, 3),
            }
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
