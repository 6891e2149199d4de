"""Text messages (idempotent, never needed for correctness) and the periodic tick."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.sms import SmsSender
from voting import services, tasks
from voting.models import Assembly, NotificationSent

from .conftest import ALL_APPROVE, ORDINARY, close, make_assembly, mark_noticed, shift

pytestmark = pytest.mark.django_db


class RefusingGateway(SmsSender):
    """A provider that is down: every send raises, as a real gateway's client would."""

    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("SMS gateway unreachable")


def test_voting_open_goes_to_every_holder_of_the_roll_once(assembly, register, outbox):
    sent = services.notifications_send(assembly=assembly, kind="open")

    assert sent.as_dict() == {"sent": 6, "skipped": 0, "failed": 0}
    phones = sorted(m.phone for m in outbox)
    assert phones == sorted(o.person.phone for o in register.owners.values())
    assert "已开始表决" in outbox[0].text
    assert services.notifications_send(assembly=assembly, kind="open").sent == 0
    assert len(outbox) == 6


def test_the_closing_reminder_goes_only_to_rights_that_have_not_voted(assembly, register, outbox):
    for name in ("甲", "戊"):
        services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user(name))

    services.notifications_send(assembly=assembly, kind="closing")

    # 戊 voted for the right 己 shares: neither is reminded.
    expected = {register.person(n).phone for n in ("乙", "丙", "丁")}
    assert {m.phone for m in outbox} == expected
    assert "尚未投票" in outbox[0].text


def test_messages_carry_no_unit_and_no_name(assembly, register, outbox):
    services.notifications_send(assembly=assembly, kind="open")
    for message in outbox:
        assert "1栋-1单元" not in message.text
        assert register.person("甲").name not in message.text.replace("甲一小区", "")


def test_a_failed_send_gives_its_claim_back_and_is_sent_next_time(
    assembly, register, settings, outbox
):
    settings.GONGZHI_SMS_BACKEND = "tests.voting.test_services_notifications.RefusingGateway"

    failed = services.notifications_send(assembly=assembly, kind="open")

    assert failed.as_dict() == {"sent": 0, "skipped": 0, "failed": 6}
    assert NotificationSent.objects.count() == 0
    settings.GONGZHI_SMS_BACKEND = "accounts.sms.LocmemSender"
    assert services.notifications_send(assembly=assembly, kind="open").sent == 6


def test_the_notice_goes_to_the_owners_of_the_scope_before_any_roll_exists(
    register, personas, outbox
):
    assembly = mark_noticed(make_assembly(register.area, personas.committee))
    sent = tasks.notify(assembly.pk, "notice")
    assert sent == {"sent": 6, "skipped": 0, "failed": 0}
    assert "已发布公告" in outbox[0].text


def test_the_tick_opens_a_due_assembly_and_reminds_before_the_close(register, personas, outbox):
    assembly = mark_noticed(make_assembly(register.area, personas.committee, motions=(ORDINARY,)))
    shift(assembly, opens=-timedelta(minutes=1), closes=timedelta(hours=23))

    report = services.assemblies_tick()

    assert report["opened"] == [assembly.pk]
    assert Assembly.objects.get(pk=assembly.pk).status == "open"
    assert report["notified"] == {
        f"{assembly.pk}:open": {"sent": 6, "skipped": 0, "failed": 0},
        f"{assembly.pk}:closing": {"sent": 6, "skipped": 0, "failed": 0},
    }
    again = services.assemblies_tick()
    assert again["opened"] == [] and again["notified"] == {}
    assert len(outbox) == 12


def test_the_tick_sends_no_reminder_more_than_a_day_before_the_close(register, personas, outbox):
    assembly = mark_noticed(make_assembly(register.area, personas.committee, motions=(ORDINARY,)))
    shift(assembly, opens=-timedelta(minutes=1), closes=timedelta(hours=24, minutes=1))
    report = services.assemblies_tick()
    assert list(report["notified"]) == [f"{assembly.pk}:open"]


def test_the_tick_counts_and_publishes_a_closed_assembly(
    assembly, register, personas, publishing, outbox
):
    services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user("甲"))
    close(assembly)

    report = services.assemblies_tick(now=timezone.now())

    assert report["counted"] == [assembly.pk]
    stored = Assembly.objects.get(pk=assembly.pk)
    assert stored.status == "preliminary"
    assert stored.result["m1"]["outcome"] == "no_quorum"
    assert report["notified"][f"{assembly.pk}:result"]["sent"] == 6
    assert "表决结果已公告" in outbox[-1].text
