"""An area's response plan (紧急维修预案): kept by those who file for the area."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from emergency import services
from emergency.models import ResponsePlan

pytestmark = pytest.mark.django_db

PLAN = {
    "contacts": "张三 业委会主任 13900000001\n李四 物业项目经理 13900000002",
    "contractors": "宿州某电梯维保公司 电梯 0557-1111111",
    "steps": "1. 设置警戒\n2. 关闭阀门\n3. 通知维修单位",
}


@pytest.mark.parametrize(("persona", "area"), [("committee", "a1"), ("property_staff", "a2")])
def test_the_applicant_side_keeps_the_plan(district, personas, persona, area):
    plan = services.plan_save(
        area=getattr(district, area), actor=getattr(personas, persona), **PLAN
    )
    assert ResponsePlan.lines(plan.contacts) == [
        "张三 业委会主任 13900000001",
        "李四 物业项目经理 13900000002",
    ]
    event = AuditEvent.objects.get(action="emergency.plan_save")
    assert "13900000001" not in str(event.summary)


@pytest.mark.parametrize(
    ("persona", "area"),
    [("property_staff", "a1"), ("other_committee", "a1"), ("reviewer", "a1"), ("owner", "a1")],
)
def test_others_cannot_change_it(district, personas, persona, area):
    with pytest.raises(PermissionDeniedError):
        services.plan_save(area=getattr(district, area), actor=getattr(personas, persona), **PLAN)


def test_saving_it_unchanged_records_nothing(district, personas):
    services.plan_save(area=district.a1, actor=personas.committee, **PLAN)
    services.plan_save(area=district.a1, actor=personas.committee, **PLAN)
    assert AuditEvent.objects.filter(action="emergency.plan_save").count() == 1


def test_contacts_and_steps_are_required(district, personas):
    with pytest.raises(DomainError) as caught:
        services.plan_save(area=district.a1, actor=personas.committee, **{**PLAN, "steps": ""})
    assert caught.value.code == "required"
    assert caught.value.fields == {"steps": "请填写处置步骤。"}
