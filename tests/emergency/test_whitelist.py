"""The whitelist: seeded defaults, versions that never change, the admin's edits, the command."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from emergency import services
from emergency.models import KeptError, WhitelistItem, WhitelistVersion

from .conftest import file_application

pytestmark = pytest.mark.django_db

SEEDED = [
    ("E01", "elevator", ["photo", "budget", "elevator_report"], 150_000_00),
    ("E02", "waterproofing", ["photo", "budget"], 50_000_00),
    ("E03", "facade", ["photo", "budget"], 100_000_00),
    ("E04", "fire", ["photo", "budget", "fire_report"], 100_000_00),
    ("E05", "water_drainage", ["photo", "budget"], 30_000_00),
    ("E06", "manhole", ["photo", "budget"], 10_000_00),
    ("E07", "garage", ["photo", "budget"], 80_000_00),
    ("E08", "curtain_wall", ["photo", "budget"], 150_000_00),
    ("E09", "secondary_water", ["photo", "budget"], 50_000_00),
]


def spec(**changes):
    base = {
        "code": "E10",
        "name": "化粪池满溢",
        "description": "化粪池满溢、污水外流的。",
        "facility": "water_drainage",
        "evidence": ["photo", "budget"],
        "cap_fen": 20_000_00,
        "review_days": 2,
        "payment_days": 2,
        "start_hours": 24,
    }
    return {**base, **changes}


def test_the_migration_seeds_version_one_with_the_rules_defaults():
    version = services.current_version()
    assert version.number == 1
    rows = [(i.code, i.facility, i.evidence, i.cap_fen) for i in version.items.order_by("position")]
    assert rows == SEEDED
    assert {(i.review_days, i.payment_days, i.start_hours) for i in version.items.all()} == {
        (2, 2, 24)
    }


def test_adding_an_item_publishes_version_two_and_keeps_version_one(personas, verified):
    admin = verified(personas.admin)
    version = services.whitelist_item_save(actor=admin, note="新增化粪池", item=spec())
    assert version.number == 2
    assert version.items.count() == 10
    assert WhitelistVersion.objects.get(number=1).items.count() == 9
    event = AuditEvent.objects.get(action="whitelist.publish")
    assert event.summary == {"version": 2, "items": 10, "note": "新增化粪池"}


def test_an_application_keeps_the_version_it_was_filed_under(estate, personas, verified):
    application = file_application(personas.committee, estate.a1, estimate_fen=25_000_00)
    old_item = WhitelistItem.objects.get(version__number=1, code="E05")
    services.whitelist_item_save(
        actor=verified(personas.admin),
        note="上限下调",
        item={**old_item.as_dict(), "cap_fen": 20_000_00},
        replaces="E05",
    )
    application.refresh_from_db()
    assert application.item.version.number == 1
    assert application.item.cap_fen == 30_000_00
    # A new filing is checked against version 2.
    with pytest.raises(DomainError) as caught:
        file_application(personas.committee, estate.a1, estimate_fen=25_000_00)
    assert caught.value.code == "over_cap"
    assert "20,000.00 元" in caught.value.message


def test_a_published_version_cannot_be_changed_or_deleted():
    version = WhitelistVersion.objects.get(number=1)
    item = version.items.first()
    with pytest.raises(KeptError):
        item.save()
    with pytest.raises(KeptError):
        item.delete()
    with pytest.raises(KeptError):
        WhitelistItem.objects.filter(pk=item.pk).update(cap_fen=1)
    with pytest.raises(KeptError):
        WhitelistVersion.objects.all().delete()


def test_publishing_an_unchanged_list_is_refused(personas, verified):
    items = services.whitelist.version_items(services.current_version())
    with pytest.raises(DomainError) as caught:
        services.whitelist_publish(items=items, note="无修改", actor=verified(personas.admin))
    assert caught.value.code == "unchanged"
    assert WhitelistVersion.objects.count() == 1


def test_an_edit_based_on_an_outdated_version_is_refused(personas, verified):
    admin = verified(personas.admin)
    services.whitelist_item_save(actor=admin, note="新增", item=spec(), based_on=1)
    with pytest.raises(DomainError) as caught:
        services.whitelist_item_save(
            actor=admin, note="另一人的修改", item=spec(code="E11"), based_on=1
        )
    assert caught.value.code == "stale"
    assert WhitelistVersion.objects.count() == 2


@pytest.mark.parametrize("edit", ["add_same_code", "remove_what_is_gone"])
def test_an_outdated_edit_is_told_the_list_changed_not_what_it_now_conflicts_with(
    personas, verified, edit
):
    admin = verified(personas.admin)
    services.whitelist_item_save(actor=admin, note="新增", item=spec(code="E10"), based_on=1)
    services.whitelist_item_remove(actor=admin, note="删除", code="E06", based_on=2)
    with pytest.raises(DomainError) as caught:
        if edit == "add_same_code":  # started from version 1, where E10 was not yet
            services.whitelist_item_save(actor=admin, note="同时新增", item=spec(), based_on=1)
        else:  # started from version 2, where E06 still was
            services.whitelist_item_remove(actor=admin, note="同时删除", code="E06", based_on=2)
    assert caught.value.code == "stale"
    assert WhitelistVersion.objects.count() == 3


def test_removing_an_item_publishes_a_version_without_it(personas, verified):
    version = services.whitelist_item_remove(
        actor=verified(personas.admin), note="窨井盖由市政负责", code="E06"
    )
    assert "E06" not in set(version.items.values_list("code", flat=True))
    assert version.items.count() == 8


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "e10"}, None),  # lower case is upper-cased, then accepted
        ({"code": "10"}, "code"),
        ({"cap_fen": 0}, "cap_fen"),
        ({"cap_fen": 10_000_000_001}, "cap_fen"),
        ({"evidence": []}, "evidence"),
        ({"evidence": ["acceptance"]}, "evidence"),
        ({"facility": "moon"}, "facility"),
        ({"review_days": 0}, "review_days"),
        ({"review_days": 31}, "review_days"),
        ({"start_hours": 0}, "start_hours"),
        ({"name": ""}, "name"),
    ],
)
def test_item_fields_are_checked(changes, field):
    if field is None:
        assert services.whitelist.item_clean(spec(**changes))["code"] == "E10"
        return
    with pytest.raises(DomainError) as caught:
        services.whitelist.item_clean(spec(**changes))
    assert field in caught.value.fields


def test_a_duplicate_code_is_refused(personas, verified):
    with pytest.raises(DomainError) as caught:
        services.whitelist_item_save(
            actor=verified(personas.admin), note="重复", item=spec(code="E05")
        )
    assert caught.value.code == "duplicate_code"


@pytest.mark.parametrize("persona", ["reviewer", "approver", "committee", "street_officer"])
def test_only_bureau_admins_keep_the_whitelist(personas, verified, persona):
    with pytest.raises(PermissionDeniedError):
        services.whitelist_item_save(
            actor=verified(getattr(personas, persona)), note="x", item=spec()
        )


def test_an_admin_without_totp_cannot_publish(personas):
    with pytest.raises(PermissionDeniedError) as caught:
        services.whitelist_item_save(actor=personas.admin, note="x", item=spec())
    assert caught.value.code == "otp_required"


# --------------------------------------------------------------------------- the command


def run(*args) -> str:
    out = StringIO()
    call_command("emergency_whitelist", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_current_version_as_stable_json(personas, verified):
    first = run("--json")
    assert run("--json") == first
    document = json.loads(first)
    assert document["version"] == 1
    assert [item["code"] for item in document["items"]] == [row[0] for row in SEEDED]
    assert document["items"][0] == {
        "cap_fen": 150_000_00,
        "code": "E01",
        "description": document["items"][0]["description"],
        "evidence": ["photo", "budget", "elevator_report"],
        "facility": "elevator",
        "name": "电梯停运或存在安全隐患",
        "payment_days": 2,
        "review_days": 2,
        "start_hours": 24,
    }
    # Keys sorted, Chinese kept as text.
    assert first.index('"cap_fen"') < first.index('"code"')
    assert "电梯" in first

    services.whitelist_item_save(actor=verified(personas.admin), note="新增", item=spec())
    assert json.loads(run("--json"))["version"] == 2
    assert json.loads(run("--json", "--number", "1")) == document


def test_the_command_prints_text_by_default():
    text = run()
    assert text.startswith("紧急维修事项清单 第1版")
    assert "E01  电梯停运或存在安全隐患  [电梯]  上限 150,000.00 元" in text


def test_the_command_fails_for_an_unknown_version():
    with pytest.raises(CommandError):
        run("--number", "9")
