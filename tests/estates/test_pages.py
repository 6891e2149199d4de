"""Register pages: scope (out of scope is 404), masking, search, and the owner's "我的房屋".

District (tests/conftest.py): street A holds a1 (with a committee) and a2,
street B holds b1. Units are built with tests/estates/helpers.py.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse

from estates.models import Committee, CommitteeMember

from .helpers import SECRET_ID, SECRET_PHONE, make_person, make_unit, own, sell

pytestmark = pytest.mark.django_db

LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def login(client, user):
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def found(response) -> list[tuple[str, str]]:
    assert response.status_code == 200
    return [(row.unit.area.code, row.unit.code) for row in response.context["rows"]]


@pytest.fixture
def register(district, personas):
    d = district
    zhang = make_person("张三", number=SECRET_ID, phone=SECRET_PHONE, user=personas.owner)
    li = make_person("李四", phone="13700001111")
    wang = make_person("王五")
    zhao = make_person("赵六")
    qian = make_person("钱七", phone="13600002222")
    sun = make_person("孙八")

    a1_101 = make_unit(d.a1, "101", registered="89.50", surveyed="90.10", contract="88.00")
    a1_102 = make_unit(d.a1, "102", surveyed="78.72", contract="78.00")
    a1_201 = make_unit(d.a1, "201", floor=2, contract="120.30")
    a2_101 = make_unit(d.a2, "101")
    b1_101 = make_unit(d.b1, "101")
    own(a1_101, zhang)
    own(a1_102, li)
    own(a1_201, wang, since=date(2018, 3, 1))
    sell(a1_201, zhao, on=date(2023, 5, 1))
    own(a2_101, sun)
    own(b1_101, qian)

    committee = Committee.objects.create(
        area=d.a1, kind=Committee.Kind.OWNERS, term_start=date(2022, 1, 1)
    )
    CommitteeMember.objects.create(
        committee=committee, name="周主任", position=CommitteeMember.Position.CHAIR
    )
    return SimpleNamespace(
        zhang=zhang,
        li=li,
        wang=wang,
        a1_101=a1_101,
        a1_102=a1_102,
        a1_201=a1_201,
        a2_101=a2_101,
        b1_101=b1_101,
        building_a1=a1_101.building,
        building_b1=b1_101.building,
    )


# --------------------------------------------------------------------------- scope


def test_a_street_officer_sees_only_their_own_street_on_the_index(client, personas, register):
    page = body(login(client, personas.street_officer).get(reverse("estates:index")))

    assert "甲街道" in page
    assert "乙街道" not in page
    assert [
        s.code
        for s in login(client, personas.street_officer)
        .get(reverse("estates:index"))
        .context["streets"]
    ] == ["SA"]


def test_the_street_page_lists_the_areas_of_the_street_by_community(client, personas, register):
    response = login(client, personas.street_officer).get(reverse("estates:street", args=["SA"]))

    groups = [
        (community.code, [area.code for area in areas])
        for community, areas in response.context["communities"]
    ]
    assert groups == [("CA1", ["a1", "a2"])]
    ((_community, areas),) = response.context["communities"]
    assert [(a.building_count, a.unit_count) for a in areas] == [(1, 3), (1, 1)]


@pytest.mark.parametrize(
    "url",
    [
        lambda r: reverse("estates:street", args=["SB"]),
        lambda r: reverse("estates:community", args=["CB1"]),
        lambda r: reverse("estates:area", args=["b1"]),
        lambda r: reverse("estates:building", args=[r.building_b1.pk]),
        lambda r: reverse("estates:unit", args=[r.b1_101.pk]),
        lambda r: reverse("estates:search") + "?q=101&area=b1",
    ],
    ids=["street", "community", "area", "building", "unit", "search-in-area"],
)
def test_a_street_officer_gets_404_for_another_streets_register(client, personas, register, url):
    response = login(client, personas.street_officer).get(url(register))

    assert response.status_code == 404


def test_a_committee_member_sees_only_their_area(client, personas, register):
    client = login(client, personas.committee)

    index = client.get(reverse("estates:index"))
    assert [area.code for area in index.context["areas"]] == ["a1"]
    assert client.get(reverse("estates:area", args=["a1"])).status_code == 200
    assert client.get(reverse("estates:area", args=["a2"])).status_code == 404
    assert client.get(reverse("estates:unit", args=[register.a2_101.pk])).status_code == 404


def test_a_community_officer_sees_their_community_and_not_another(client, personas, register):
    client = login(client, personas.community_officer)

    assert client.get(reverse("estates:community", args=["CA1"])).status_code == 200
    assert client.get(reverse("estates:community", args=["CB1"])).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        lambda r: reverse("estates:index"),
        lambda r: reverse("estates:street", args=["SA"]),
        lambda r: reverse("estates:area", args=["a1"]),
        lambda r: reverse("estates:building", args=[r.building_a1.pk]),
        lambda r: reverse("estates:unit", args=[r.a1_101.pk]),
        lambda r: reverse("estates:search") + "?q=101",
    ],
    ids=["index", "street", "area", "building", "unit", "search"],
)
def test_an_owner_gets_403_on_the_staff_pages_even_for_their_own_area(
    client, personas, register, url
):
    response = login(client, personas.owner).get(url(register))

    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, register):
    response = client.get(reverse("estates:area", args=["a1"]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# --------------------------------------------------------------------------- masking


def test_the_building_page_shows_owners_with_id_and_phone_masked(client, personas, register):
    page = body(
        login(client, personas.reviewer).get(
            reverse("estates:building", args=[register.building_a1.pk])
        )
    )

    assert f"3413**********{SECRET_ID[-4:]}" in page
    assert "139****5678" in page
    assert "张三" in page


def test_the_clear_id_number_and_phone_appear_on_no_page(client, personas, register):
    staff = login(client, personas.reviewer)
    urls = [
        reverse("estates:index"),
        reverse("estates:street", args=["SA"]),
        reverse("estates:community", args=["CA1"]),
        reverse("estates:area", args=["a1"]),
        reverse("estates:building", args=[register.building_a1.pk]),
        reverse("estates:unit", args=[register.a1_101.pk]),
        reverse("estates:search") + "?q=张三",
        reverse("estates:search") + "?q=101",
    ]
    pages = [body(staff.get(url)) for url in urls]
    pages.append(body(login(client, personas.owner).get(reverse("estates:my_units"))))

    for page in pages:
        assert SECRET_ID not in page
        assert SECRET_ID[6:14] not in page  # not even the birth date part
        assert SECRET_PHONE not in page


# --------------------------------------------------------------------------- rows


def test_a_unit_row_shows_all_three_areas_with_the_basis_used_in_bold(client, personas, register):
    page = body(
        login(client, personas.reviewer).get(
            reverse("estates:building", args=[register.building_a1.pk])
        )
    )

    assert "<strong>不动产登记面积 89.50</strong>" in page
    assert "实测面积 90.10" in page
    assert "合同面积 88.00" in page
    assert "<strong>实测面积 78.72</strong>" in page  # 102: no registered area
    assert "<strong>合同面积 120.30</strong>" in page  # 201: contract only


def test_the_unit_page_keeps_the_sale_in_the_ownership_history(client, personas, register):
    response = login(client, personas.reviewer).get(
        reverse("estates:unit", args=[register.a1_201.pk])
    )

    row = response.context["row"]
    assert [(o.name, o.since, o.until) for o in row.owners] == [("赵六", date(2023, 5, 1), None)]
    assert [(o.name, o.since, o.until) for o in row.history] == [
        ("王五", date(2018, 3, 1), date(2023, 5, 1))
    ]
    assert "2018-03-01 – 2023-05-01" in body(response)


def test_the_building_page_is_paginated_by_fifty(client, personas, district):
    for n in range(1, 56):
        make_unit(district.a1, f"{n:03d}", building="9栋")
    building = district.a1.buildings.get(name="9栋")
    client = login(client, personas.reviewer)

    first = client.get(reverse("estates:building", args=[building.pk]))
    second = client.get(reverse("estates:building", args=[building.pk]) + "?page=2")

    assert len(first.context["rows"]) == 50
    assert [row.unit.code for row in second.context["rows"]] == [
        f"9栋-1单元-{n:03d}" for n in range(51, 56)
    ]


# --------------------------------------------------------------------------- search


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("street_officer", [("a1", "1栋-1单元-101"), ("a2", "1栋-1单元-101")]),
        ("other_street_officer", [("b1", "1栋-1单元-101")]),
        ("committee", [("a1", "1栋-1单元-101")]),
        (
            "reviewer",
            [("a1", "1栋-1单元-101"), ("a2", "1栋-1单元-101"), ("b1", "1栋-1单元-101")],
        ),
    ],
)
def test_search_by_unit_code_finds_only_units_in_scope(
    client, personas, register, persona, expected
):
    response = login(client, getattr(personas, persona)).get(
        reverse("estates:search"), {"q": "1栋-1单元-101"}
    )

    assert found(response) == expected


def test_search_by_owner_name_stays_within_scope(client, personas, register):
    url = reverse("estates:search")

    assert found(login(client, personas.street_officer).get(url, {"q": "钱七"})) == []
    assert found(login(client, personas.other_street_officer).get(url, {"q": "钱七"})) == [
        ("b1", "1栋-1单元-101")
    ]


def test_search_by_name_matches_current_owners_not_former_ones(client, personas, register):
    client = login(client, personas.reviewer)
    url = reverse("estates:search")

    assert found(client.get(url, {"q": "王五"})) == []
    assert found(client.get(url, {"q": "赵六"})) == [("a1", "1栋-1单元-201")]


def test_search_within_an_area_leaves_out_other_areas(client, personas, register):
    response = login(client, personas.street_officer).get(
        reverse("estates:search"), {"q": "101", "area": "a2"}
    )

    assert found(response) == [("a2", "1栋-1单元-101")]


def test_search_results_are_paginated(client, personas, district):
    for n in range(1, 53):
        make_unit(district.a1, f"{n:03d}", building="7栋")
    client = login(client, personas.reviewer)

    first = client.get(reverse("estates:search"), {"q": "7栋"})
    second = client.get(reverse("estates:search"), {"q": "7栋", "page": 2})

    assert first.context["page_obj"].paginator.count == 52
    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 2
    assert "q=7%E6%A0%8B&amp;page=2" in first.content.decode()


def test_an_empty_search_shows_a_hint_and_no_rows(client, personas, register):
    response = login(client, personas.reviewer).get(reverse("estates:search"))

    assert response.context["rows"] == []
    assert "请输入房屋编码" in body(response)


# --------------------------------------------------------------------------- my units


def test_my_units_shows_each_unit_with_the_area_basis_used(client, personas, register):
    page = body(login(client, personas.owner).get(reverse("estates:my_units")))

    assert "按不动产登记面积 89.50 m²" in page
    assert "甲一小区" in page
    assert "业主委员会" in page
    assert "周主任（主任）" in page


def test_my_units_lists_current_units_only_and_names_the_basis_of_each(client, personas, register):
    make_unit(register.a1_101.area, "301", floor=3, surveyed="66.40")
    own(register.a1_201.area.units.get(code="1栋-1单元-301"), register.zhang)
    register.wang.user = personas.other_owner
    register.wang.save()

    mine = login(client, personas.owner).get(reverse("estates:my_units"))
    former = login(client, personas.other_owner).get(reverse("estates:my_units"))

    assert [(u.unit.code, u.basis_text) for u in mine.context["units"]] == [
        ("1栋-1单元-101", "按不动产登记面积 89.50 m²"),
        ("1栋-1单元-301", "按实测面积 66.40 m²"),
    ]
    assert former.context["units"] == []  # 王五 sold 201 in 2023


def test_an_owner_without_a_linked_person_gets_a_plain_explanation(client, personas, district):
    page = body(login(client, personas.other_owner).get(reverse("estates:my_units")))

    assert "还没有与不动产登记中的业主信息关联" in page


def test_staff_get_403_on_my_units(client, personas, register):
    response = login(client, personas.street_officer).get(reverse("estates:my_units"))

    assert response.status_code == 403
