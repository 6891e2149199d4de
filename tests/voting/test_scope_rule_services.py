"""The scope rule on the services, pages, API and the district dashboard (RULES.md §1 "Scope").

Register of a1 (tests/voting/conftest.py): building 1栋, stair 1单元 with
101–105 (甲, 乙, 丙, 丁, 戊+己), and building 9栋 holding only the developer's
unsold unit 9栋-1单元-901. The pure rule is tested exhaustively in
tests/voting/test_scoperule.py; here: that page, API and notice refuse what it
refuses, with the field and the item named, and store nothing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from core.errors import DomainError
from tests.voting.api_client import LIST, api_client, url
from tests.voting.conftest import make_assembly, mark_noticed
from voting import services
from voting.models import Assembly, Motion

pytestmark = pytest.mark.django_db

STAIR_1 = [f"1栋-1单元-{n}" for n in range(101, 106)]
REPAIR_1 = {"title": "1栋屋面防水维修", "item": 5, "scope_buildings": ["1栋"]}
REPAIR_9 = {"title": "9栋屋面防水维修", "item": 5, "scope_buildings": ["9栋"]}
FIRE_COMPANY = {"title": "解聘物业服务企业", "item": 4}


@pytest.fixture
def api():
    return api_client()


def refused(**kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        services.motion_add(**kwargs)
    return caught.value


def motion_rows(assembly) -> list:
    return list(Motion.objects.filter(assembly=assembly).values_list("item", flat=True))


# --------------------------------------------------------------------------- the scope's shape


def test_hand_picked_units_are_refused_on_the_service(register, personas):
    with pytest.raises(DomainError) as caught:
        make_assembly(register.area, personas.committee, motions=(), scope_unit_codes=STAIR_1[:4])
    assert caught.value.code == "scope_hand_picked"
    assert "1栋1单元" in caught.value.fields["scope_unit_codes"]
    assert not Assembly.objects.exists()


def test_the_developers_unit_alone_is_refused_once_it_shares_its_stair(register, personas):
    from tests.estates.helpers import make_unit

    make_unit(register.area, "902", building="9栋", registered="100.00")
    with pytest.raises(DomainError) as caught:
        make_assembly(
            register.area, personas.committee, motions=(), scope_unit_codes=["9栋-1单元-901"]
        )
    assert caught.value.code == "scope_hand_picked"


def test_a_whole_stair_is_a_partial_scope(register, personas):
    assembly = make_assembly(
        register.area, personas.committee, motions=(), scope_unit_codes=STAIR_1
    )
    error = refused(assembly=assembly, actor=personas.committee, **FIRE_COMPANY)
    assert error.code == "scope_whole_area_item"


def test_hand_picked_units_are_refused_on_the_api(api, register, personas):
    response = api.as_(personas.committee).post(
        LIST,
        {
            "area": "a1",
            "title": "1栋部分住户会议",
            "opens_at": "2030-03-01T09:00:00+08:00",
            "closes_at": "2030-03-08T18:00:00+08:00",
            "scope_unit_codes": ["1栋-1单元-101", "1栋-1单元-102"],
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "scope_hand_picked"
    assert "不能挑选个别房屋" in body["fields"]["scope_unit_codes"]
    assert not Assembly.objects.exists()


def test_an_update_to_hand_picked_units_is_refused(register, personas):
    assembly = make_assembly(register.area, personas.committee, motions=(), scope_buildings=["1栋"])
    with pytest.raises(DomainError) as caught:
        services.assembly_update(
            assembly=assembly,
            actor=personas.committee,
            scope_buildings=[],
            scope_unit_codes=["1栋-1单元-101"],
        )
    assert caught.value.code == "scope_hand_picked"
    assembly.refresh_from_db()
    assert (assembly.scope_buildings, assembly.scope_unit_codes) == (["1栋"], [])


# --------------------------------------------------------------------------- whole area


@pytest.mark.parametrize(
    "scope",
    [
        {"scope_buildings": ["1栋", "9栋"]},
        {"scope_unit_codes": [*STAIR_1, "9栋-1单元-901"]},
        {"scope_buildings": ["9栋"], "scope_unit_codes": STAIR_1},
    ],
    ids=["every-building", "every-unit", "building-and-stair"],
)
def test_a_scope_of_every_unit_is_the_whole_area(register, personas, scope):
    assembly = make_assembly(register.area, personas.committee, motions=(), **scope)
    for n, item in enumerate((1, 2, 3, 4, 9), start=1):
        extra = {"seats": 1, "candidates": ["张三"]} if item == 3 else {}
        services.motion_add(
            assembly=assembly, actor=personas.committee, title=f"议题{n}", item=item, **extra
        )
    # An area-wide 列支范围 (both lists empty) equals it too.
    services.motion_add(assembly=assembly, actor=personas.committee, title="续筹", item=6)
    assert motion_rows(assembly) == [1, 2, 3, 4, 9, 6]


def test_a_scope_of_every_unit_is_noticed_for_a_whole_area_motion(register, personas, publishing):
    assembly = make_assembly(
        register.area,
        personas.committee,
        motions=(FIRE_COMPANY,),
        scope_buildings=["1栋", "9栋"],
    )
    assert services.assembly_notice(assembly=assembly, actor=personas.committee).status == (
        "noticed"
    )


# --------------------------------------------------------------------------- items 1–4, 9


@pytest.mark.parametrize("item", [1, 2, 3, 4, 9])
def test_whole_area_items_are_refused_in_one_building(register, personas, item):
    assembly = make_assembly(register.area, personas.committee, motions=(), scope_buildings=["9栋"])
    extra = {"seats": 1, "candidates": ["张三"]} if item == 3 else {}
    error = refused(
        assembly=assembly, actor=personas.committee, title="开发商单独表决", item=item, **extra
    )
    assert error.code == "scope_whole_area_item"
    assert "须由全体业主" in error.fields["item"]
    numeral = "一二三四五六七八九"[item - 1]
    assert f"第（{numeral}）项" in error.message
    assert motion_rows(assembly) == []
    assert not AuditEvent.objects.filter(action="motion.add").exists()


def test_a_whole_area_item_is_refused_on_the_api_naming_the_field_and_the_item(
    api, register, personas
):
    assembly = make_assembly(register.area, personas.committee, motions=(), scope_buildings=["9栋"])
    response = api.as_(personas.committee).post(
        url(assembly, "motions/"), {"title": "解聘物业服务企业", "item": 4}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "scope_whole_area_item"
    assert "第（四）项“选聘和解聘物业服务企业或者其他管理人”" in body["fields"]["item"]
    assert motion_rows(assembly) == []


def test_an_election_is_refused_on_the_api_in_one_building(api, register, personas):
    assembly = make_assembly(register.area, personas.committee, motions=(), scope_buildings=["1栋"])
    response = api.as_(personas.committee).post(
        url(assembly, "motions/"),
        {"title": "选举业委会", "item": 3, "seats": 1, "candidates": [{"name": "张三"}]},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "scope_whole_area_item")
    assert "第（三）项" in response.json()["fields"]["item"]


def test_a_whole_area_item_is_refused_on_the_page_naming_the_field_and_the_item(
    client, register, personas
):
    assembly = make_assembly(register.area, personas.committee, motions=(), scope_buildings=["9栋"])
    client.force_login(personas.committee)
    response = client.post(
        reverse("voting:manage_motion_add", args=[assembly.pk]),
        {"item": "4", "title": "解聘物业服务企业"},
    )
    assert response.status_code == 400
    assert (
        "第（四）项“选聘和解聘物业服务企业或者其他管理人”须由全体业主"
        in (response.context["form"].errors["item"][0])
    )
    assert motion_rows(assembly) == []


# --------------------------------------------------------------------------- items 5–6


@pytest.mark.parametrize("item", [5, 6])
def test_a_fund_motion_with_a_different_列支范围_is_refused(register, personas, item):
    assembly = make_assembly(register.area, personas.committee, motions=(), scope_buildings=["1栋"])
    larger = refused(
        assembly=assembly,
        actor=personas.committee,
        title="维修",
        item=item,
        scope_buildings=["1栋", "9栋"],
    )
    other = refused(
        assembly=assembly,
        actor=personas.committee,
        title="维修",
        item=item,
        scope_buildings=["9栋"],
    )
    area_wide = refused(assembly=assembly, actor=personas.committee, title="续筹", item=item)
    assert (larger.code, other.code, area_wide.code) == (
        "scope_fund_area_wide",  # 1栋 + 9栋 is every unit: the whole area
        "scope_fund_scope_differs",
        "scope_fund_area_wide",
    )
    assert (
        "列支范围须与本次会议的表决范围“列支范围：1栋”完全相同" in other.fields["scope_buildings"]
    )
    assert motion_rows(assembly) == []


def test_a_fund_motion_with_a_different_列支范围_is_refused_on_the_api(api, register, personas):
    assembly = make_assembly(register.area, personas.committee, motions=(), scope_buildings=["1栋"])
    response = api.as_(personas.committee).post(
        url(assembly, "motions/"),
        {"title": "9栋维修", "item": 5, "scope_buildings": ["9栋"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "scope_fund_scope_differs"
    assert "第（五）项" in response.json()["fields"]["scope_buildings"]


def test_a_fund_motion_with_the_same_列支范围_is_accepted_on_page_and_api(
    api, client, register, personas
):
    assembly = make_assembly(register.area, personas.committee, motions=(), scope_buildings=["1栋"])
    response = api.as_(personas.committee).post(
        url(assembly, "motions/"),
        {"title": "1栋屋面维修", "item": 5, "scope_buildings": ["1栋"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["scope_buildings"] == ["1栋"]
    client.force_login(personas.committee)
    page = client.post(
        reverse("voting:manage_motion_add", args=[assembly.pk]),
        # The stair written as its units is the same 列支范围 as the building.
        {"item": "6", "title": "1栋续筹", "scope_unit_codes": "\n".join(STAIR_1)},
    )
    assert page.status_code == 302
    assert motion_rows(assembly) == [5, 6]
    assert Motion.objects.get(assembly=assembly, item=6).scope_text() == (
        "列支范围：" + "、".join(STAIR_1)
    )


# --------------------------------------------------------------------------- items 7–8


@pytest.mark.parametrize("item", [7, 8])
def test_works_naming_parts_shared_outside_the_scope_are_refused(register, personas, item):
    from tests.estates.helpers import make_unit

    for number in ("201", "202"):
        make_unit(register.area, number, building="1栋", stair="2单元")
    assembly = make_assembly(
        register.area, personas.committee, motions=(), scope_unit_codes=STAIR_1
    )
    building = refused(
        assembly=assembly,
        actor=personas.committee,
        title="加装电梯",
        item=item,
        scope_buildings=["1栋"],
    )
    nothing = refused(assembly=assembly, actor=personas.committee, title="改建", item=item)
    garage = refused(
        assembly=assembly,
        actor=personas.committee,
        title="车库出租",
        item=item,
        scope_unit_codes=STAIR_1,
        common_parts=["garage"],
    )
    assert (building.code, nothing.code, garage.code) == (
        "scope_parts_outside",
        "scope_parts_not_named",
        "scope_area_wide_parts",
    )
    assert "1栋2单元" in building.fields["scope_buildings"]
    assert "车库共有部分" in garage.fields["common_parts"]
    assert motion_rows(assembly) == []
    # The stair's own parts, shared only inside the scope: accepted.
    services.motion_add(
        assembly=assembly,
        actor=personas.committee,
        title="1单元楼道改造",
        item=item,
        scope_unit_codes=STAIR_1,
    )
    assert motion_rows(assembly) == [item]


def test_area_wide_parts_are_refused_on_the_api(api, register, personas):
    assembly = make_assembly(register.area, personas.committee, motions=(), scope_buildings=["1栋"])
    response = api.as_(personas.committee).post(
        url(assembly, "motions/"),
        {"title": "绿地改停车位", "item": 8, "scope_buildings": ["1栋"], "common_parts": ["green"]},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "scope_area_wide_parts"
    assert "第（八）项" in body["fields"]["common_parts"] and "绿地" in body["detail"]


def test_area_wide_parts_are_accepted_in_the_whole_area(api, register, personas):
    assembly = make_assembly(register.area, personas.committee, motions=())
    response = api.as_(personas.committee).post(
        url(assembly, "motions/"),
        {"title": "会所对外经营", "item": 8, "common_parts": ["clubhouse"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["common_parts"] == ["clubhouse"]


# --------------------------------------------------------------------------- at notice


def test_the_notice_is_refused_when_the_scope_changed_under_a_motion(register, personas):
    assembly = make_assembly(
        register.area, personas.committee, motions=(REPAIR_1,), scope_buildings=["1栋"]
    )
    services.assembly_update(assembly=assembly, actor=personas.committee, scope_buildings=["9栋"])
    with pytest.raises(DomainError) as caught:
        services.assembly_notice(assembly=assembly, actor=personas.committee)
    assert caught.value.code == "scope_fund_scope_differs"
    assert caught.value.message.startswith("议题 1“1栋屋面防水维修”：")
    assert Assembly.objects.get(pk=assembly.pk).status == "draft"


def test_the_draft_page_warns_before_the_notice_is_refused(client, register, personas):
    assembly = make_assembly(
        register.area, personas.committee, motions=(REPAIR_1,), scope_buildings=["1栋"]
    )
    client.force_login(personas.committee)
    page = client.get(reverse("voting:manage_detail", args=[assembly.pk]))
    assert page.context["scope_problem"] == ""
    services.assembly_update(assembly=assembly, actor=personas.committee, scope_buildings=["9栋"])
    page = client.get(reverse("voting:manage_detail", args=[assembly.pk]))
    assert page.context["scope_problem"].startswith("议题 1“1栋屋面防水维修”：")
    assert "发布公告将被拒绝（表决范围规则）" in page.content.decode()


def test_the_notice_is_refused_for_a_whole_area_item_written_in_by_hand(register, personas):
    assembly = make_assembly(
        register.area, personas.committee, motions=(REPAIR_1,), scope_buildings=["1栋"]
    )
    Motion.objects.filter(assembly=assembly).update(item=4, kind="ordinary", scope_buildings=[])
    with pytest.raises(DomainError) as caught:
        services.assembly_notice(assembly=assembly, actor=personas.committee)
    assert caught.value.code == "scope_whole_area_item"
    assert Assembly.objects.get(pk=assembly.pk).status == "draft"


def test_the_notice_is_refused_once_the_register_makes_the_scope_hand_picked(register, personas):
    from tests.estates.helpers import make_unit

    assembly = make_assembly(
        register.area,
        personas.committee,
        motions=({"title": "9栋维修", "item": 5, "scope_buildings": ["9栋"]},),
        scope_unit_codes=["9栋-1单元-901"],
    )
    make_unit(register.area, "902", building="9栋", registered="100.00")
    with pytest.raises(DomainError) as caught:
        services.assembly_notice(assembly=assembly, actor=personas.committee)
    assert caught.value.code == "scope_hand_picked"


def test_the_notice_refusal_is_a_400_on_page_and_api(api, client, register, personas):
    assembly = make_assembly(
        register.area, personas.committee, motions=(REPAIR_1,), scope_buildings=["1栋"]
    )
    Motion.objects.filter(assembly=assembly).update(item=3, kind="election", seats=1)
    response = api.as_(personas.committee).post(url(assembly, "notice/"))
    assert response.status_code == 400
    assert response.json()["code"] == "scope_whole_area_item"
    assert "第（三）项" in response.json()["detail"]
    client.force_login(personas.committee)
    page = client.post(reverse("voting:manage_notice", args=[assembly.pk]))
    assert page.status_code == 400
    assert "须由全体业主" in page.content.decode()
    assert Assembly.objects.get(pk=assembly.pk).status == "draft"


# --------------------------------------------------------------------------- the dashboard


def test_a_bad_noticed_assembly_is_flagged_on_the_bureau_dashboard(client, register, personas):
    good = mark_noticed(
        make_assembly(
            register.area,
            personas.committee,
            motions=(REPAIR_1,),
            scope_buildings=["1栋"],
            title="1栋维修表决",
        )
    )
    bad = mark_noticed(
        make_assembly(
            register.area,
            personas.committee,
            motions=(REPAIR_9,),
            scope_buildings=["9栋"],
            title="开发商单独解聘物业",
        )
    )
    # As a row noticed before the rule existed: a property company fired by one building.
    Motion.objects.filter(assembly=bad).update(item=4, kind="ordinary", scope_buildings=[])
    draft = make_assembly(
        register.area,
        personas.committee,
        motions=(REPAIR_1,),
        scope_buildings=["1栋"],
        title="草稿不报",
    )
    Motion.objects.filter(assembly=draft).update(item=4, kind="ordinary", scope_buildings=[])

    client.force_login(personas.reviewer)
    response = client.get(reverse("estates:dashboard"))

    assert response.status_code == 200
    flags = response.context["flags"]
    assert [flag.title for flag in flags] == [
        "业主大会会议“开发商单独解聘物业”（已公告）不符合表决范围规则"
    ]
    assert "第（四）项" in flags[0].reason and "须由全体业主" in flags[0].reason
    assert flags[0].url == reverse("voting:progress", args=[bad.pk])
    body = response.content.decode()
    assert "开发商单独解聘物业" in body and "1栋维修表决" not in body and "草稿不报" not in body
    assert good.pk != bad.pk


def test_the_dashboard_flags_only_assemblies_the_officer_oversees(client, register, personas):
    bad = mark_noticed(
        make_assembly(
            register.area, personas.committee, motions=(REPAIR_9,), scope_buildings=["9栋"]
        )
    )
    Motion.objects.filter(assembly=bad).update(scope_buildings=["1栋"])
    client.force_login(personas.street_officer)
    assert len(client.get(reverse("estates:dashboard")).context["flags"]) == 1
    client.force_login(personas.other_street_officer)
    assert client.get(reverse("estates:dashboard")).context["flags"] == []


# --------------------------------------------------------------------------- the backfill


def test_the_migration_backfills_fund_motions_from_their_fund_link_or_their_assembly(
    register, personas
):
    """voting/migrations/0002: item 5–6 motions get the 列支范围 they were voted over;
    items 7–8 are left for a person (and the dashboard) to judge."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("voting.migrations.0002_motion_scope_and_parts")
    assembly = make_assembly(
        register.area,
        personas.committee,
        motions=(
            REPAIR_1,
            {"title": "1栋续筹", "item": 6, "scope_buildings": ["1栋"]},
            {"title": "1栋加装电梯", "item": 7, "scope_buildings": ["1栋"]},
        ),
        scope_buildings=["1栋"],
    )
    Motion.objects.filter(assembly=assembly).update(scope_buildings=[], scope_unit_codes=[])
    Motion.objects.filter(assembly=assembly, item=5).update(
        fund={"application": 1, "scope_buildings": ["1栋"], "scope_unit_codes": STAIR_1[:1]}
    )

    migration.backfill(apps, None)

    rows = dict(Motion.objects.filter(assembly=assembly).values_list("item", "scope_unit_codes"))
    buildings = dict(
        Motion.objects.filter(assembly=assembly).values_list("item", "scope_buildings")
    )
    assert (buildings[5], rows[5]) == (["1栋"], STAIR_1[:1])
    assert (buildings[6], rows[6]) == (["1栋"], [])
    assert (buildings[7], rows[7]) == ([], [])
