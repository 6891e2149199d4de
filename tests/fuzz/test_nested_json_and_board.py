"""No 500 for bad input: a JSON body nested 5,000 deep, and a tampered ballot board.

1. Every API endpoint, as an anonymous caller and as a committee member, with a
   5,000-deep ``[[[…]]]`` body by POST, PUT and PATCH: never a 500, and a 400
   wherever the body is read (``core.parsers``; before, ``RecursionError``).
2. A closed assembly whose stored ballots are changed in the raw database — any
   field of any ballot, with its chain re-hashed or not — answers the board
   and result URLs with 200 (nothing changed) or 409 "公示板校验失败", never a 500.
"""

from __future__ import annotations

import json
import re

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import assume, given
from hypothesis import strategies as st

from core.parsers import MAX_DEPTH, depth
from tests.fuzz.strategies import SETTINGS, each_example_undone
from tests.tamper import tamper
from tests.voting.conftest import close
from voting import boardformat
from voting.models import Ballot

pytestmark = pytest.mark.django_db

DEEP = "[" * 5000 + "]" * 5000
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def api_paths(number: int = 1) -> list[str]:
    """Every URL pattern under /api/v1/, its parameters filled with ``number`` (or "x")."""
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern):
                found.append(prefix + route)

    walk(get_resolver().url_patterns, "")
    paths = []
    for route in found:
        if not route.startswith("api/v1/") or "(?P" in route or route.startswith("^"):
            continue
        filled = CONVERTER.sub(lambda m: str(number) if m.group(1) in (None, "int") else "x", route)
        paths.append("/" + filled.lstrip("^").rstrip("$"))
    return sorted(set(paths))


def test_the_depth_is_measured_without_recursion():
    assert depth(1) == 0
    assert depth([]) == 1
    assert depth({"a": [1, {"b": []}]}) == 4
    nested: list = []
    for _ in range(100_000):
        nested = [nested]
    assert depth(nested) > MAX_DEPTH


@pytest.mark.parametrize("who", ["anonymous", "committee"])
def test_a_5000_deep_json_body_is_a_400_on_every_api_endpoint_never_a_500(world, who):
    client = Client(raise_request_exception=False)
    if who == "committee":
        client.force_login(world.personas.committee)
    # Ids are the open assembly's, so its endpoints get past their lookups.
    paths = api_paths(world.assembly.pk)
    assert len(paths) > 20
    read = 0
    for path in paths:
        for method in ("post", "put", "patch"):
            response = getattr(client, method)(path, DEEP, content_type="application/json")
            assert response.status_code != 500, (method, path)
            if response.status_code == 400 and "嵌套" in response.content.decode():
                read += 1
    # The body is refused wherever it is read (other 400s are refusals made before).
    if who == "committee":
        assert read >= 1


def test_a_body_just_at_the_depth_limit_is_parsed(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.user("丙"))
    url = f"/api/v1/assemblies/{world.assembly.pk}/cast/"
    body: object = "approve"
    for _ in range(MAX_DEPTH - 2):
        body = [body]
    # {"choices": {"m1": [[…]]}}: MAX_DEPTH levels, then one more.
    at = client.post(url, {"choices": {"m1": body}}, content_type="application/json")
    over = client.post(url, {"choices": {"m1": [body]}}, content_type="application/json")

    assert at.status_code == 400 and "嵌套" not in at.content.decode()  # a bad choice, read
    assert over.status_code == 400 and "嵌套" in over.content.decode()


FIELDS = {
    "choices": st.sampled_from(
        [{"m1": "approve"}, {"m1": "reject"}, {"m1": "abstain"}, {}, {"m1": "bogus"}, {"x": 1}]
    ).map(json.dumps),
    "heads": st.integers(min_value=0, max_value=3),
    "area": st.sampled_from(["0.00", "89.50", "89.51", "100.00", "9999.99"]),
    "tracker": st.sampled_from(["0" * 16, "f" * 16, "abc"]),
    "channel": st.sampled_from(["online", "paper", "proxy"]),
    "seq": st.integers(min_value=1, max_value=4),
}


@SETTINGS
@given(data=st.data())
def test_a_tampered_board_answers_the_clear_error_never_a_500(world, data):
    assembly = world.assembly
    with each_example_undone():
        close(assembly)
        ballots = list(Ballot.objects.filter(assembly=assembly).order_by("seq"))
        target = data.draw(st.sampled_from(ballots), label="ballot")
        field = data.draw(st.sampled_from(sorted(FIELDS)), label="field")
        value = data.draw(FIELDS[field], label="value")
        try:
            tamper(f"UPDATE voting_ballot SET {field} = %s WHERE id = %s", [value, target.pk])  # noqa: S608
        except IntegrityError:
            assume(False)  # the database's own constraints refused it: nothing to show
        if data.draw(st.booleans(), label="rechain"):
            # Re-hash the chain and move the head, as a careful adversary would.
            rows = list(Ballot.objects.filter(assembly=assembly).order_by("seq"))
            try:
                entries = [
                    {k: v for k, v in b.board_entry().items() if k not in ("prev", "hash", "seq")}
                    for b in rows
                ]
                chained = boardformat.chain_ballots(entries)
            except (ValueError, TypeError, ArithmeticError):
                chained = None
            if chained is not None:
                for ballot, linked in zip(rows, chained, strict=True):
                    tamper(
                        "UPDATE voting_ballot SET prev = %s, hash = %s WHERE id = %s",
                        [linked["prev"], linked["hash"], ballot.pk],
                    )
                assembly.chain_head = boardformat.chain_head(chained)
                type(assembly).objects.filter(pk=assembly.pk).update(chain_head=assembly.chain_head)
        client = Client(raise_request_exception=False)
        for url in (
            f"/voting/{assembly.pk}/board.json",
            f"/api/v1/assemblies/{assembly.pk}/board/",
            f"/api/v1/assemblies/{assembly.pk}/result/",
            f"/voting/{assembly.pk}/tracker/?t={target.tracker}",
        ):
            response = client.get(url)
            assert response.status_code in (200, 409), (url, response.status_code)
            if response.status_code == 409:
                assert "公示板校验失败" in response.content.decode()
