"""The table covers the URLconf: a new route without a row fails here, with its name."""

from __future__ import annotations

from .guards import LOGIN, OTP_USERS, PUBLIC, TARGETS
from .model import committee_dependent
from .table import EXCLUDED, EXCLUDED_NAMESPACES, EXCLUDED_UNNAMED_PREFIXES, ROUTES
from .urlconf import project_patterns
from .written import WRITTEN


def _excluded(name: str) -> bool:
    return name in EXCLUDED or name.split(":", 1)[0] in EXCLUDED_NAMESPACES


def test_every_named_route_of_the_project_has_a_row_or_a_stated_exclusion():
    names = {p.name for p in project_patterns() if p.name}
    covered = {route.name for route in ROUTES}

    missing = sorted(name for name in names - covered if not _excluded(name))

    assert missing == [], f"routes without a row in tests/access/table.py: {missing}"


def test_every_unnamed_route_is_a_stated_exclusion():
    unnamed = [p.path for p in project_patterns() if not p.name]
    stray = [path for path in unnamed if not path.startswith(tuple(EXCLUDED_UNNAMED_PREFIXES))]

    assert stray == []


def test_every_row_names_a_route_that_exists_and_no_exclusion_hides_one_with_a_row():
    names = {p.name for p in project_patterns() if p.name}
    rows = [route.name for route in ROUTES]

    assert sorted(set(rows) - names) == []
    assert sorted(name for name in rows if _excluded(name)) == []
    assert set(EXCLUDED) <= names


def test_each_route_and_method_has_one_row():
    keys = [route.key for route in ROUTES]

    assert sorted(k for k in set(keys) if keys.count(k) > 1) == []


def test_rows_name_only_actions_and_targets_that_exist():
    actions = {a for route in ROUTES for a in route.actions()}
    gates = {route.gate for route in ROUTES if isinstance(route.gate, str)}

    assert actions - set(WRITTEN.actions) == set()
    assert gates <= {PUBLIC, LOGIN, OTP_USERS}
    assert {route.target for route in ROUTES if route.target} - set(TARGETS) == set()
    assert {route.method for route in ROUTES} <= {"GET", "POST"}


def test_a_route_naming_an_object_in_an_area_checks_its_scope_and_a_district_one_does_not():
    # Without a check an own/other place would test nothing; a district-wide object
    # (an audit event, a whitelist item) has no place to check.
    unchecked = [r.key for r in ROUTES if r.scoped and not r.checks]
    placeless = [r.key for r in ROUTES if not r.scoped and r.checks]

    assert (unchecked, placeless) == ([], [])


def test_routes_whose_roles_depend_on_a_committee_are_tried_in_a2_as_well():
    # a2 has no committee: there the street, community or company may act (RULES.md §3, §5).
    from .model import places

    dependent = [r for r in ROUTES if r.scoped and committee_dependent(r)]

    assert dependent
    assert all(places(r) == ("a1", "a2", "b1") for r in dependent)
