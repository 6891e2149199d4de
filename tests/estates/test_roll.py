"""The voting roll (RULES.md §1, SPC arts. 8–9): worked examples, the sample register, properties.

Pure: estates.roll has no Django import and these tests need no database.
"""

from __future__ import annotations

import dataclasses
import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from estates.register_csv import parse_csv
from estates.roll import (
    DEVELOPER_KEY,
    UnitRecord,
    area_basis,
    build_roll,
    owner_set_key,
    scope_filter,
)

# CI clones the repository somewhere else with shared/ beside it: <repo>/../shared/samples.
REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO.parent / "shared" / "samples"
SAMPLE_CSV = SAMPLES / "register-sample.csv"

D = Decimal


def unit(code: str, area: str | None = "10.00", owners=("a",), **kwargs) -> UnitRecord:
    kwargs.setdefault("registered_area", D(area) if area is not None else None)
    return UnitRecord(code=code, owners=frozenset(owners), **kwargs)


def developer_unit(code: str, area: str = "10.00") -> UnitRecord:
    return UnitRecord(code=code, registered_area=D(area), developer_held=True)


# --- the sample register -------------------------------------------------------------------


@pytest.fixture
def sample_units() -> list[UnitRecord]:
    if not SAMPLE_CSV.exists():
        pytest.skip(f"shared sample not found at {SAMPLE_CSV}")
    parsed = parse_csv(SAMPLE_CSV.read_bytes())
    assert parsed.errors == []
    # Owner keys = ID numbers here; production uses the HMAC of the ID number.
    return [row.to_unit(owner_key=lambda id_number: id_number) for row in parsed.rows]


def test_sample_register_roll_has_44_rights_over_48_units_and_5341_67_m2(sample_units):
    roll = build_roll(sample_units)
    as_json = roll.as_json()
    assert {key: value for key, value in as_json.items() if key != "digest"} == {
        "rights": 44,
        "heads": 44,
        "area": "5341.67",
        "units": 48,
    }
    assert len(as_json["digest"]) == 64


def test_sample_buyer_of_three_units_is_one_head_with_their_summed_area(sample_units):
    # 秦英英 owns 1栋-1单元-501 (registered 138.06), 1栋-2单元-302 (registered 125.16)
    # and 2栋-1单元-601 (contract only, 78.61).
    right = build_roll(sample_units).right_of("1栋-1单元-501")
    assert right.unit_codes == ("1栋-1单元-501", "1栋-2单元-302", "2栋-1单元-601")
    assert right.area == D("341.83")
    assert right.heads == 1
    assert right.key == owner_set_key({"341302195608214105"})


def test_sample_scoped_to_each_building_counts_the_cross_building_buyer_in_both(sample_units):
    one = build_roll(scope_filter(sample_units, buildings=["1栋"]))
    two = build_roll(scope_filter(sample_units, buildings=["2栋"]))
    # 1栋: 24 units, 朱斌勇 and 秦英英 each hold two → 22 rights.
    assert one.as_json()["rights"] == 22
    assert one.totals["area"] == D("2680.60")
    # 2栋: 24 units, 钱建宁;邱子 hold two → 23 rights; 秦英英 is one of them again.
    assert two.as_json()["rights"] == 23
    assert two.totals["area"] == D("2661.07")
    assert one.right_of("1栋-1单元-501").area == D("263.22")
    assert one.right_of("1栋-1单元-501").key == two.right_of("2栋-1单元-601").key


def test_sample_digest_does_not_depend_on_row_order(sample_units):
    assert build_roll(sample_units).digest == build_roll(reversed(sample_units)).digest


# --- worked examples -------------------------------------------------------------------------


def test_co_owners_of_one_unit_share_one_voting_right():
    roll = build_roll(
        [unit("1栋-1单元-101", "89.50", owners=("a", "b")), unit("1栋-1单元-102", owners=("c",))]
    )
    assert roll.totals == {"rights": 2, "heads": 2, "area": D("99.50"), "units": 2}
    right = roll.right_of("1栋-1单元-101")
    assert right.key == owner_set_key(["b", "a"])
    assert right.unit_codes == ("1栋-1单元-101",)
    assert right.area == D("89.50")


def test_one_buyer_with_several_units_is_one_head_with_the_summed_area():
    roll = build_roll(
        [
            unit("1栋-1单元-102", "120.33", owners=("a",)),
            unit("1栋-1单元-101", "89.50", owners=("a",)),
            unit("1栋-1单元-201", "96.00", owners=("b",)),
        ]
    )
    assert roll.totals == {"rights": 2, "heads": 2, "area": D("305.83"), "units": 3}
    right = roll.right_of("1栋-1单元-102")
    assert right.heads == 1
    assert right.area == D("209.83")
    assert right.unit_codes == ("1栋-1单元-101", "1栋-1单元-102")


def test_owner_alone_and_with_a_spouse_forms_two_owner_sets_and_two_rights():
    roll = build_roll(
        [unit("1栋-1单元-101", owners=("a",)), unit("1栋-1单元-102", owners=("a", "b"))]
    )
    assert roll.totals["heads"] == 2
    assert roll.right_of("1栋-1单元-101").key != roll.right_of("1栋-1单元-102").key


def test_unsold_and_sold_undelivered_units_are_one_developer_head_whatever_the_buyer():
    roll = build_roll(
        [
            developer_unit("1栋-1单元-101", "89.50"),
            # Sold, not delivered: the buyer's name is on the register but it counts
            # with the developer (SPC art. 9).
            unit("1栋-1单元-102", "120.33", owners=("x",), delivered=False),
            # Buyer "a" has one undelivered and one delivered unit: only the delivered one
            # is theirs on the roll.
            unit("1栋-1单元-103", "96.00", owners=("a",), delivered=False),
            unit("1栋-1单元-201", "78.72", owners=("a",)),
        ]
    )
    assert roll.totals == {"rights": 2, "heads": 2, "area": D("384.55"), "units": 4}
    developer = roll.right_of("1栋-1单元-102")
    assert developer.key == DEVELOPER_KEY
    assert developer.is_developer is True
    assert developer.heads == 1
    assert developer.area == D("305.83")
    assert developer.unit_codes == ("1栋-1单元-101", "1栋-1单元-102", "1栋-1单元-103")
    buyer = roll.right_of("1栋-1单元-201")
    assert (buyer.is_developer, buyer.area, buyer.unit_codes) == (
        False,
        D("78.72"),
        ("1栋-1单元-201",),
    )


@pytest.mark.parametrize(
    ("registered", "surveyed", "contract", "expected"),
    [
        ("89.50", "89.87", "88.00", ("registered", D("89.50"))),
        ("89.50", None, "88.00", ("registered", D("89.50"))),
        ("89.50", "89.87", None, ("registered", D("89.50"))),
        (None, "89.87", "88.00", ("surveyed", D("89.87"))),
        ("89.50", None, None, ("registered", D("89.50"))),
        (None, "89.87", None, ("surveyed", D("89.87"))),
        (None, None, "88.00", ("contract", D("88.00"))),
    ],
)
def test_area_basis_is_registered_then_surveyed_then_contract(
    registered, surveyed, contract, expected
):
    record = UnitRecord(
        code="1栋-1单元-101",
        registered_area=D(registered) if registered else None,
        surveyed_area=D(surveyed) if surveyed else None,
        contract_area=D(contract) if contract else None,
        owners=frozenset({"a"}),
    )
    assert area_basis(record) == expected


def test_area_basis_without_any_area_is_an_error():
    with pytest.raises(ValueError, match="1栋-1单元-101 has no registered"):
        area_basis(UnitRecord(code="1栋-1单元-101", owners=frozenset({"a"})))


def test_roll_records_the_basis_each_unit_counted_with():
    roll = build_roll(
        [
            UnitRecord(code="b", contract_area=D("50.00"), owners=frozenset({"x"})),
            UnitRecord(
                code="a", surveyed_area=D("60.10"), contract_area=D("60"), owners=frozenset({"y"})
            ),
        ]
    )
    assert roll.unit_areas == (("a", "surveyed", D("60.10")), ("b", "contract", D("50.00")))


def test_duplicate_unit_code_is_an_error_naming_the_code():
    with pytest.raises(ValueError, match="duplicate unit code: 1栋-1单元-101"):
        build_roll([unit("1栋-1单元-101", owners=("a",)), unit("1栋-1单元-101", owners=("b",))])


@pytest.mark.parametrize("bad", ["0", "0.00", "-1.00", "89.505", "NaN", "Infinity"])
def test_area_not_positive_or_not_two_places_is_refused(bad):
    with pytest.raises(ValueError, match="1栋-1单元-101"):
        UnitRecord(code="1栋-1单元-101", surveyed_area=D(bad), owners=frozenset({"a"}))


def test_area_as_float_is_refused():
    with pytest.raises(TypeError, match="Decimal"):
        UnitRecord(code="1栋-1单元-101", registered_area=89.5, owners=frozenset({"a"}))


def test_area_with_fewer_places_is_stored_with_two():
    record = UnitRecord(code="x", registered_area=D("89.5"), contract_area=D("90.000"))
    assert str(record.registered_area) == "89.50"
    assert str(record.contract_area) == "90.00"


def test_owned_delivered_unit_without_owner_is_an_error():
    with pytest.raises(ValueError, match="1栋-1单元-101 is owned and delivered but lists no owner"):
        build_roll([unit("1栋-1单元-101", owners=())])


def test_scope_to_one_building_counts_only_the_area_inside_it_and_one_head():
    units = [
        unit("1栋-1单元-101", "89.50", owners=("a",)),
        unit("2栋-1单元-101", "120.33", owners=("a",)),
        unit("1栋-1单元-102", "96.00", owners=("b",)),
        unit("2栋-1单元-102", "78.72", owners=("c",)),
    ]
    roll = build_roll(scope_filter(units, buildings=["1栋"]))
    assert roll.totals == {"rights": 2, "heads": 2, "area": D("185.50"), "units": 2}
    assert roll.right_of("1栋-1单元-101").area == D("89.50")
    assert roll.right_of("1栋-1单元-101").key == build_roll(units).right_of("2栋-1单元-101").key


def test_scope_by_buildings_or_unit_codes_is_the_union():
    units = [
        unit("1栋-1单元-101"),
        unit("2栋-1单元-101", owners=("b",)),
        unit("3栋-1单元-101", owners=("c",)),
    ]
    scoped = scope_filter(units, buildings=["1栋"], unit_codes=["3栋-1单元-101"])
    assert [u.code for u in scoped] == ["1栋-1单元-101", "3栋-1单元-101"]
    assert scope_filter(units) == units


def test_scope_uses_the_given_building_over_the_code_prefix():
    shop = UnitRecord(
        code="S-01", registered_area=D("30.00"), owners=frozenset({"a"}), building="1栋"
    )
    assert scope_filter([shop, unit("2栋-1单元-101")], buildings=["1栋"]) == [shop]


def test_scope_naming_an_unknown_building_or_unit_is_an_error():
    units = [unit("1栋-1单元-101")]
    with pytest.raises(ValueError, match="no unit in building\\(s\\): 9栋"):
        scope_filter(units, buildings=["9栋"])
    with pytest.raises(ValueError, match="unknown unit code\\(s\\): 1栋-1单元-999"):
        scope_filter(units, unit_codes=["1栋-1单元-999"])


def test_digest_is_sha256_of_the_canonical_listing_sorted_by_key():
    roll = build_roll(
        [developer_unit("1栋-1单元-101", "120.33"), unit("1栋-1单元-102", "89.5", owners=("k",))]
    )
    owner_key = hashlib.sha256(b'["k"]').hexdigest()
    # "33e1…" sorts before "developer": key order differs from the rights' unit order.
    assert owner_key.startswith("33e1")
    assert [right.key for right in roll.rights] == ["developer", owner_key]
    listing = (
        f'[{{"area":"89.50","heads":1,"key":"{owner_key}","units":["1栋-1单元-102"]}},'
        '{"area":"120.33","heads":1,"key":"developer","units":["1栋-1单元-101"]}]'
    )
    assert roll.digest == hashlib.sha256(listing.encode("utf-8")).hexdigest()
    assert roll.as_json() == {
        "rights": 2,
        "heads": 2,
        "area": "209.83",
        "units": 2,
        "digest": roll.digest,
    }


def test_rights_are_listed_in_order_of_their_first_unit_code():
    roll = build_roll(
        [
            unit("1栋-1单元-201", owners=("b",)),
            developer_unit("1栋-1单元-102"),
            unit("1栋-1单元-101", owners=("a",)),
        ]
    )
    assert [right.unit_codes[0] for right in roll.rights] == [
        "1栋-1单元-101",
        "1栋-1单元-102",
        "1栋-1单元-201",
    ]


def test_empty_scope_gives_an_empty_roll():
    roll = build_roll([])
    assert roll.as_json() == {
        "rights": 0,
        "heads": 0,
        "area": "0.00",
        "units": 0,
        "digest": hashlib.sha256(b"[]").hexdigest(),
    }


def test_owners_given_as_a_string_are_refused():
    with pytest.raises(TypeError, match="owners"):
        UnitRecord(code="x", registered_area=D("1.00"), owners="abc")


# --- properties (hypothesis) -----------------------------------------------------------------

OWNER_POOL = [f"p{n}" for n in range(6)]
areas = st.integers(min_value=1, max_value=10**7).map(lambda n: Decimal(n).scaleb(-2))
optional_areas = st.none() | areas


# Most units are owned and delivered; some are unsold or sold but undelivered.
statuses = st.sampled_from(["owned", "owned", "owned", "unsold", "undelivered"])


@st.composite
def unit_lists(draw, min_size=0, max_size=25):
    specs = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=1, max_value=3),
                st.tuples(optional_areas, optional_areas, optional_areas, areas),
                st.frozensets(st.sampled_from(OWNER_POOL), min_size=1, max_size=2),
                statuses,
            ),
            min_size=min_size,
            max_size=max_size,
        )
    )
    units = []
    for number, (building, (registered, surveyed, contract, fallback), owners, status) in enumerate(
        specs, start=1
    ):
        if registered is None and surveyed is None and contract is None:
            contract = fallback
        units.append(
            UnitRecord(
                code=f"{building}栋-1单元-{number:03d}",
                registered_area=registered,
                surveyed_area=surveyed,
                contract_area=contract,
                owners=frozenset() if status == "unsold" else owners,
                delivered=status != "undelivered",
                developer_held=status == "unsold",
            )
        )
    return units


PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(unit_lists())
def test_total_area_equals_the_sum_of_the_unit_areas(units):
    roll = build_roll(units)
    assert roll.totals["area"] == sum((area_basis(u)[1] for u in units), D("0"))
    assert roll.totals["units"] == len(units)


@PROPERTY
@given(unit_lists())
def test_heads_never_exceed_units(units):
    totals = build_roll(units).totals
    assert totals["heads"] == totals["rights"] <= totals["units"] == len(units)


@PROPERTY
@given(unit_lists(min_size=2), st.data())
def test_merging_two_owner_sets_into_one_removes_exactly_one_head(units, data):
    roll = build_roll(units)
    owned_sets = sorted({tuple(sorted(u.owners)) for u in units if not u.in_developer_group})
    assume(len(owned_sets) >= 2)
    keep, merge = data.draw(st.permutations(owned_sets))[:2]
    merged = [
        dataclasses.replace(u, owners=frozenset(keep)) if tuple(sorted(u.owners)) == merge else u
        for u in units
    ]
    merged_roll = build_roll(merged)
    assert merged_roll.totals["heads"] == roll.totals["heads"] - 1
    assert merged_roll.totals["area"] == roll.totals["area"]


@PROPERTY
@given(unit_lists(), st.randoms(use_true_random=False))
def test_shuffling_the_input_never_changes_the_roll_or_its_digest(units, rnd):
    shuffled = list(units)
    rnd.shuffle(shuffled)
    assert build_roll(shuffled).digest == build_roll(units).digest
    assert build_roll(shuffled).rights == build_roll(units).rights


@PROPERTY
@given(unit_lists(), areas, st.frozensets(st.sampled_from(OWNER_POOL), min_size=1, max_size=2))
def test_adding_a_unit_never_lowers_the_area_and_adds_at_most_one_head(units, area, owners):
    before = build_roll(units).totals
    extra = UnitRecord(code="9栋-9单元-999", surveyed_area=area, owners=owners)
    after = build_roll([*units, extra]).totals
    assert after["area"] == before["area"] + area > before["area"]
    assert after["heads"] in (before["heads"], before["heads"] + 1)


@PROPERTY
@given(unit_lists())
def test_building_scopes_split_the_area_exactly_and_never_lose_a_head(units):
    whole = build_roll(units).totals
    buildings = sorted({u.building for u in units})
    scoped = [build_roll(scope_filter(units, buildings=[b])).totals for b in buildings]
    assert sum((t["area"] for t in scoped), D("0")) == whole["area"]
    assert sum(t["units"] for t in scoped) == whole["units"]
    assert sum(t["heads"] for t in scoped) >= whole["heads"]
