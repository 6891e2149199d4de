"""Schemathesis against our own OpenAPI (issue #9 item 1; DESIGN.md "Testing").

Every operation in ``/api/schema/`` is called with generated input as each
kind of caller: anonymous, an owner (browser session: owners have no token),
an outsider, staff with a DRF token, and the bureau's approver and admin in a
session that has passed TOTP. A token never carries TOTP (docs/api.md: the
``otp`` actions need a verified browser session), so an approver calling
with a token is a caller of its own: it may read, and every ``otp`` action
must answer 403, never 500.

The operations come from the schema itself, so an endpoint that a later
issue adds is fuzzed here without touching this file. Checks on every
answer: no 5xx; a status code the schema declares; a declared answer's
content type and body match the schema (gongzhi/openapi.py documents the
shared 400/403/404 answers).

- ``test_every_caller_gets_answers_the_schema_declares``: every caller,
  ``EXAMPLES`` generated requests per operation (valid and invalid data);
- ``test_boundary_and_malformed_input_is_refused_not_failed``: schemathesis's
  coverage phase (each field's boundaries, missing and wrong-typed values,
  unexpected methods) for the callers who get past the permission check and
  so reach the serializers and services;
- ``test_real_objects_answer_as_the_schema_says``: every read whose path names
  an object is called with a real one (the generated ids seldom exist), and
  valid writes succeed with bodies that match the schema.

The world behind the API is the voting tests' small register of area a1
(tests/voting/conftest.py) with an open assembly one owner has voted in, a
draft, and revenue entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

import gongzhi.urls
from audit.models import AuditEvent
from revenue import services as revenue_services
from tests.conftest import pass_totp
from tests.voting.conftest import (
    ELECTION,
    ORDINARY,
    SPECIAL,
    build_register,
    close,
    make_assembly,
    open_assembly,
)
from voting import services as voting_services

pytestmark = pytest.mark.django_db

# Bounded so the file runs in CI in a couple of minutes (issue #9: "a bounded number
# of examples"); derandomized so that a failure reproduces on every run.
EXAMPLES = 15

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]

HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# --------------------------------------------------------------------------- the schema

ERRORS_HOOK = "core.openapi.document_errors"


def _load(config: dict):
    # Loaded at import (module docstring), before any database is allowed: the throttle's
    # counters live in the cache table, so it stands aside for this one request.
    from rest_framework.throttling import SimpleRateThrottle

    rates = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {"anon": None, "user": None}
    try:
        return schemathesis.openapi.from_wsgi(
            "/api/schema/", get_wsgi_application(), config=schemathesis.Config.from_dict(config)
        )
    finally:
        SimpleRateThrottle.THROTTLE_RATES = rates


generated = _load({"phases": {"coverage": {"enabled": False}}})
boundaries = _load({"phases": {"fuzzing": {"enabled": False}, "examples": {"enabled": False}}})


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # As Django's test Client does: a request through the bare WSGI app starts and ends
    # with close_old_connections, which would close the test's own connection (on
    # PostgreSQL the test transaction is lost and every later query fails).
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch):
    # Generated calls come faster than any person's; should the API be throttled
    # (DEFAULT_THROTTLE_CLASSES), the limit is tested in tests/security, not here.
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None}, raising=False
    )


# --------------------------------------------------------------------------- callers


@dataclass
class Caller:
    """How one role reaches the API: the headers and cookies sent with each call."""

    name: str
    user: object = None
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


# caller → (who: a persona of tests/conftest.py or "register:<owner>", how it authenticates)
CALLERS = {
    "anonymous": (None, None),
    "owner": ("register:甲", "session"),
    "outsider": ("outsider", "session"),
    "committee": ("committee", "token"),
    "property_staff": ("property_staff", "token"),
    "street_officer": ("street_officer", "token"),
    "community_officer": ("community_officer", "token"),
    "reviewer": ("reviewer", "token"),
    "approver": ("approver", "session+totp"),
    "admin": ("admin", "session+totp"),
    "approver_token": ("approver", "token"),
}
# Those who pass the permission checks of some write or scoped read today.
ACTING = ["owner", "committee", "street_officer", "admin"]


def make_caller(name: str, personas, world) -> Caller:
    who, how = CALLERS[name]
    if who is None:
        return Caller(name)
    if who.startswith("register:"):
        user = world["register"].user(who.split(":", 1)[1])
    else:
        user = getattr(personas, who)
    if how == "token":
        token, _created = Token.objects.get_or_create(user=user)
        return Caller(name, user, headers={"Authorization": f"Token {token.key}"})
    client = Client()
    client.force_login(user)
    if how == "session+totp":
        pass_totp(client, user)
    # SessionAuthentication checks CSRF on writes: send the cookie and header a page would.
    secret = _get_new_csrf_string()
    return Caller(
        name,
        user,
        headers={"X-CSRFToken": secret},
        cookies={"sessionid": client.cookies["sessionid"].value, "csrftoken": secret},
    )


@pytest.fixture
def world(personas, district):
    """The register of a1; an open assembly 乙 has voted in, a closed one, a draft; revenue."""
    register = build_register(
        district.a1,
        [("甲", ["89.50"]), ("乙", ["100.00"]), ("丙", ["120.25"]), ("戊+己", ["110.00"])],
        developer=1,
    )
    opened = open_assembly(
        make_assembly(district.a1, personas.committee, motions=(ORDINARY, SPECIAL, ELECTION)),
        personas.committee,
    )
    voting_services.ballot_cast(
        assembly=opened,
        choices={"m1": "approve", "m2": "reject", "m3": ["c1"]},
        actor=register.user("乙"),
    )
    closed = open_assembly(
        make_assembly(district.a1, personas.committee, title="已结束的会议"), personas.committee
    )
    voting_services.ballot_cast(
        assembly=closed, choices={"m1": "approve"}, actor=register.user("丙")
    )
    close(closed)
    draft = make_assembly(district.a1, personas.committee, title="草稿会议")
    for amount, category, direction in (
        (120000, "parking", "income"),
        (3000, "management", "cost"),
    ):
        revenue_services.revenue_entry_record(
            area=district.a1,
            direction=direction,
            category=category,
            amount_fen=amount,
            occurred_on=date(2025, 2, 10),
            counterparty="甲停车管理有限公司",
            memo="",
            actor=personas.committee,
        )
    return {
        "register": register,
        "open": opened,
        "closed": closed,
        "draft": draft,
        "unit": register.owners["甲"].units[0],
        "area": district.a1,
        "street": district.street_a,
    }


@pytest.fixture
def callers(personas, world) -> list[Caller]:
    return [make_caller(name, personas, world) for name in CALLERS]


def call_as_each(case, callers: list[Caller]) -> None:
    """Send the one generated request as every caller in turn, naming the one that failed."""
    for caller in callers:
        try:
            case.call_and_validate(headers=caller.headers, cookies=caller.cookies, checks=CHECKS)
        except Exception as exc:
            exc.add_note(f"as the {caller.name} ({CALLERS[caller.name][1] or 'no login'})")
            raise


# --------------------------------------------------------------------------- generated input


@generated.parametrize()
@HYPOTHESIS
def test_every_caller_gets_answers_the_schema_declares(case, callers):
    call_as_each(case, callers)


@boundaries.parametrize()
@HYPOTHESIS
def test_boundary_and_malformed_input_is_refused_not_failed(case, callers):
    call_as_each(case, [caller for caller in callers if caller.name in ACTING])


# --------------------------------------------------------------------------- real objects


def real_path_parameters(path: str, world) -> list[dict]:
    """Sets of real values for the path's parameters; none when this file knows no object.

    Keyed by the collection a parameter follows (``/assemblies/{id}/`` → the open
    and the closed assembly); an operation added later with an unknown collection
    is still fuzzed above.
    """
    last = AuditEvent.objects.order_by("-seq").first()
    objects = {
        ("areas", "code"): [world["area"].code],
        ("streets", "code"): [world["street"].code],
        ("assemblies", "id"): [world["open"].pk, world["closed"].pk],
        ("units", "id"): [world["unit"].pk],
        ("events", "seq"): [last.seq] if last else [],
    }
    found = re.findall(r"([\w-]+)/\{(\w+)\}", path)
    if not found or any((collection, name) not in objects for collection, name in found):
        return []
    sets = [{}]
    for collection, name in found:
        sets = [{**values, name: value} for values in sets for value in objects[collection, name]]
    return sets


def test_real_objects_answer_as_the_schema_says(world, callers):
    answered = {}
    for result in generated.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue
        for values in real_path_parameters(operation.path, world):
            for caller in callers:
                response = operation.Case(path_parameters=values).call_and_validate(
                    headers=caller.headers, cookies=caller.cookies, checks=CHECKS
                )
                answered.setdefault(operation.path, set()).add(response.status_code)

    # Each read found its object for someone; otherwise the ids above missed.
    assert {path: 200 in codes for path, codes in answered.items()} == dict.fromkeys(answered, True)
    assert {"/api/v1/assemblies/{id}/", "/api/v1/assemblies/{id}/board/"} <= set(answered)


def _call(operation_label: str, caller: Caller, **case):
    operation = generated.find_operation_by_label(operation_label)
    return operation.Case(**case).call_and_validate(
        headers=caller.headers, cookies=caller.cookies, checks=CHECKS
    )


def test_valid_writes_succeed_with_bodies_the_schema_declares(personas, world):
    owner = make_caller("owner", personas, world)
    committee = make_caller("committee", personas, world)
    cast = {"choices": {"m1": "approve", "m2": "abstain", "m3": ["c1", "c2"]}, "key": "k-1"}
    opens = timezone.now() + timedelta(days=30)

    first = _call(
        "POST /api/v1/assemblies/{id}/cast/",
        owner,
        path_parameters={"id": world["open"].pk},
        body=cast,
        media_type="application/json",
    )
    again = _call(
        "POST /api/v1/assemblies/{id}/cast/",
        owner,
        path_parameters={"id": world["open"].pk},
        body=cast,
        media_type="application/json",
    )
    motion = _call(
        "POST /api/v1/assemblies/{id}/motions/",
        committee,
        path_parameters={"id": world["draft"].pk},
        body={"title": "选聘物业服务企业", "item": 4},
        media_type="application/json",
    )
    created = _call(
        "POST /api/v1/assemblies/",
        committee,
        body={
            "area": world["area"].code,
            "title": "2027年第一次业主大会会议",
            "opens_at": opens.isoformat(),
            "closes_at": (opens + timedelta(days=7)).isoformat(),
        },
        media_type="application/json",
    )

    assert [r.status_code for r in (first, again, motion, created)] == [201, 200, 201, 201]


# --------------------------------------------------------------------------- the wiring


def test_the_schema_documents_the_shared_error_answers_of_every_operation():
    raw = generated.raw_schema
    codes = {
        f"{method.upper()} {path}": set(operation["responses"])
        for path, item in raw["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }

    assert raw["components"]["schemas"]["Error"]["properties"]["code"] == {"type": "string"}
    assert all("403" in found for found in codes.values())
    assert {"400", "403", "404"} <= codes["POST /api/v1/assemblies/{id}/cast/"]
    assert "404" in codes["GET /api/v1/areas/"]  # paginated: a page past the end
    assert "400" not in codes["GET /api/v1/me/"]


def test_the_served_schema_names_the_error_hook():
    from django.conf import settings

    assert ERRORS_HOOK in settings.SPECTACULAR_SETTINGS.get("POSTPROCESSING_HOOKS", [])


def test_the_urlconf_names_the_json_aware_400_handler():
    # Read from the file: the fixture above sets the attribute on the loaded module.
    from pathlib import Path

    source = Path(gongzhi.urls.__file__).read_text(encoding="utf-8")

    assert 'handler400 = "core.views.error_400"' in source


def test_an_api_url_that_matches_no_route_answers_the_api_error_shape(client):
    api = client.get("/api/v1/assemblies/not-a-number/")
    page = client.get("/voting/not-a-number/ballot/")

    assert (api.status_code, api.json()["code"]) == (404, "not_found")
    assert page["Content-Type"].startswith("text/html")


def test_a_request_django_refuses_before_any_view_answers_json_under_the_api(
    client, settings, personas
):
    client.force_login(personas.committee)
    fields = {f"f{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    response = client.post("/api/v1/assemblies/", fields)

    assert (response.status_code, response.json()["code"]) == (400, "bad_request")
