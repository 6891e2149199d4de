"""The convener's turnout help: page, export, reminders (voting.views.turnout,
voting.services.turnout, voting.selectors_turnout).

Frozen roll of the ``register`` fixture: 甲 89.50, 乙 100.00, 丙 120.25, 丁 75.00 and
co-owners 戊+己 110.00 in 1栋1单元; the developer's 100.00 in 9栋. 甲 and 乙 have voted.
1栋: 5 heads, 494.75 m², voted 2 heads and 189.50 m²; ⅔ lines 4 heads and 329.84 m²
(ceil(2·49475/3) = 32984): 2 heads and 140.34 m² missing. 9栋: 1 head, 100.00 m², lines
1 head and 66.67 m².
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.sms import SmsSender
from audit.models import AuditEvent
from core.errors import Conflict, PermissionDeniedError
from tests.parallel import in_threads
from voting import services
from voting.models import TextSend, TurnoutReminder
from voting.services.text_sends import MAX_ATTEMPTS, text_sends_run
from voting.services.turnout import turnout_reminder_send

from .conftest import ALL_APPROVE, close, shift

pytestmark = pytest.mark.django_db


@pytest.fixture
def voted(assembly, register):
    for name in ("甲", "乙"):
        services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user(name))
    return assembly


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run ``work`` and then its on-commit callbacks (the queued Celery task, eager here)."""

    def run(work):
        with django_capture_on_commit_callbacks(execute=True):
            return work()

    return run


def url(name, assembly):
    return reverse(f"voting:{name}", args=[assembly.pk])


def page(client, user, assembly):
    client.force_login(user)
    return client.get(url("turnout", assembly))


# --------------------------------------------------------------------------- the page


def test_convener_sees_turnout_per_building_against_two_thirds(client, voted, personas):
    response = page(client, personas.committee, voted)
    assert response.status_code == 200
    body = response.content.decode()
    row = body[body.index('data-group="1栋"') :]
    row = row[: row.index("</tr>")]
    assert 'data-met="no"' in row
    assert "2 / 5" in row and ">2<" in row  # 2 of 5 heads voted, 2 more needed (line 4)
    assert "189.50 / 494.75" in row and "140.34" in row
    dev = body[body.index('data-group="9栋"') :]
    dev = dev[: dev.index("</tr>")]
    assert "0 / 1" in dev and "0.00 / 100.00" in dev and "66.67" in dev
    assert 'data-group="1栋 1单元"' in body  # per stair too


def test_unvoted_list_is_the_frozen_roll_minus_ballots_with_masked_names(client, voted, personas):
    body = page(client, personas.committee, voted).content.decode()
    listed = body[body.index('id="unvoted"') : body.index('id="reminders"')]
    assert "丙*" in listed and "丁*" in listed and "己*、戊*" in listed
    assert "开发建设单位" in listed
    assert "甲*" not in listed and "乙*" not in listed
    assert listed.count("data-right=") == 4
    # Names never whole, phones never shown.
    assert "139" not in listed


def test_the_projection_is_shown_to_the_convener(client, voted, personas):
    # Open an hour, 2 of 6 heads cast: 2 more (line 4) in about another hour, well before
    # the close a day away; the area likewise (189.50 cast, 207.00 missing).
    body = page(client, personas.committee, voted).content.decode()
    assert 'data-projection-heads="on_pace"' in body
    assert 'data-projection-area="on_pace"' in body
    assert (
        "预计 " in body and "须 4 人，还差 2 人" in body and "须 396.50 m²，还差 207.00 m²" in body
    )


def test_projection_says_reached_and_cannot_reach(client, assembly, register, personas):
    for name in ("甲", "乙", "丙", "戊"):
        services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user(name))
    body = page(client, personas.committee, assembly).content.decode()
    assert 'data-projection-heads="reached"' in body  # 4 of 6 heads: at the line
    assert 'data-projection-area="reached"' in body  # 419.75 ≥ 396.50
    shift(assembly, opens=-timedelta(days=9), closes=timedelta(hours=1))
    assembly.refresh_from_db()
    fresh = page(client, personas.committee, assembly).content.decode()
    assert 'data-projection-heads="reached"' in fresh


def test_projection_too_slow_before_the_close(client, voted, personas):
    # 2 heads in 9 days: 2 more need another 9 days, the close is in one hour.
    shift(voted, opens=-timedelta(days=9), closes=timedelta(hours=1))
    body = page(client, personas.committee, voted).content.decode()
    assert 'data-projection-heads="not_before_close"' in body
    assert "按当前速度无法在截止前达到" in body


@pytest.mark.parametrize("who", ["property_staff", "owner", "reviewer"])
def test_others_than_the_convener_are_refused(client, voted, personas, register, who):
    user = register.user("甲") if who == "owner" else getattr(personas, who)
    assert page(client, user, voted).status_code == 403
    client.force_login(user)
    assert client.post(url("turnout_export", voted)).status_code == 403
    assert client.get(url("turnout_remind", voted)).status_code == 403


def test_another_areas_convener_gets_404(client, voted, personas):
    assert page(client, personas.other_committee, voted).status_code == 404


@pytest.mark.parametrize("who", ["property_staff", "owner", "reviewer"])
def test_progress_page_shows_no_projection_or_building_figures_to_others(
    client, voted, personas, register, who
):
    client.force_login(register.user("甲") if who == "owner" else getattr(personas, who))
    body = client.get(url("progress", voted)).content.decode()
    assert response_ok(body)
    assert "data-convener-help" not in body and "data-projection-heads" not in body
    assert 'data-group="1栋"' not in body


def response_ok(body: str) -> bool:
    return 'id="fig-cast-heads"' in body


def test_progress_page_shows_the_convener_the_projection_and_what_each_building_needs(
    client, voted, personas
):
    client.force_login(personas.committee)
    body = client.get(url("progress", voted)).content.decode()
    help_card = body[body.index("data-convener-help") :]
    assert 'data-projection-heads="' in help_card
    row = help_card[help_card.index('data-group="1栋"') :]
    assert "189.50 / 494.75" in row[: row.index("</tr>")]
    assert reverse("voting:turnout", args=[voted.pk]) in help_card


# --------------------------------------------------------------------------- export


def test_export_is_csv_with_bom_and_is_audited(client, voted, personas):
    client.force_login(personas.committee)
    before = AuditEvent.objects.filter(action="assembly.turnout_export").count()
    response = client.post(url("turnout_export", voted))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "序号"
    owners = sorted(r[3] for r in rows[1:])
    assert owners == sorted(["丙*", "丁*", "己*、戊*", "开发建设单位"])
    assert AuditEvent.objects.filter(action="assembly.turnout_export").count() == before + 1
    event = AuditEvent.objects.filter(action="assembly.turnout_export").latest("seq")
    assert event.summary["rows"] == 4


def test_export_by_get_is_not_allowed(client, voted, personas):
    client.force_login(personas.committee)
    assert client.get(url("turnout_export", voted)).status_code == 405


# --------------------------------------------------------------------------- reminders

NON_VOTERS = {"丙", "丁", "戊", "己"}


def phones(register, names):
    return sorted(register.person(n).phone for n in names)


def test_confirmation_shows_the_text_and_the_count(client, voted, personas):
    client.force_login(personas.committee)
    response = client.get(url("turnout_remind", voted))
    assert response.status_code == 200
    body = response.content.decode()
    assert "将发送给 4 人（4 个尚未投票的表决权" in body
    assert "您的表决权尚未投票" in body
    assert TurnoutReminder.objects.count() == 0


def test_reminder_reaches_only_the_non_voters_every_co_owner(
    client, voted, register, personas, outbox, send
):
    client.force_login(personas.committee)
    response = send(lambda: client.post(url("turnout_remind", voted), {"key": "k1"}))
    assert response.status_code == 302
    assert sorted(m.phone for m in outbox) == phones(register, NON_VOTERS)
    assert all("尚未投票" in m.text and "丙" not in m.text for m in outbox)
    reminder = TurnoutReminder.objects.get()
    assert (reminder.rights, reminder.recipients) == (4, 4)
    assert (reminder.round, reminder.text) == (1, outbox[0].text)
    # The texts are the assembly's queue rows of round 1: one per non-voter, all sent.
    rows = TextSend.objects.filter(assembly=voted, kind=TextSend.Kind.REMINDER, round=1)
    assert sorted(r.person.phone for r in rows) == phones(register, NON_VOTERS)
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    event = AuditEvent.objects.filter(action="assembly.turnout_reminder").get()
    assert event.summary["recipients"] == 4


class RefusingGateway(SmsSender):
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("SMS gateway unreachable")


def reminder_sends(body: str) -> list[str]:
    """The sent/total/failed of each reminder round shown on the turnout page, in order."""
    marker = 'data-reminder-sends="'
    return [part.split('"', 1)[0] for part in body.split(marker)[1:]]


def test_each_reminder_is_a_round_of_the_text_queue_with_its_progress_on_the_page(
    client, voted, personas, settings, outbox, send
):
    assembly = shift(voted, opens=-timedelta(days=5), closes=timedelta(days=5))
    now = timezone.now()
    settings.GONGZHI_SMS_BACKEND = "tests.voting.test_turnout.RefusingGateway"
    first = send(
        lambda: turnout_reminder_send(
            assembly=assembly, actor=personas.committee, key="a", now=now - timedelta(days=1)
        )
    )
    assert first.round == 1
    # The gateway refused: the rows wait for the queue's retry, nothing counted as sent.
    assert reminder_sends(page(client, personas.committee, assembly).content.decode()) == ["0/4/0"]
    for _retry in range(MAX_ATTEMPTS - 1):
        text_sends_run(assembly_id=assembly.pk)
    assert reminder_sends(page(client, personas.committee, assembly).content.decode()) == ["0/4/4"]
    settings.GONGZHI_SMS_BACKEND = "accounts.sms.LocmemSender"
    second = send(
        lambda: turnout_reminder_send(assembly=assembly, actor=personas.committee, key="b", now=now)
    )
    assert second.round == 2
    assert len(outbox) == 4  # round 2 reaches the same four persons again, once each
    body = page(client, personas.committee, assembly).content.decode()
    assert reminder_sends(body) == ["0/4/4", "4/4/0"]
    assert "已发送 4 / 4 条，失败 0 条，待发送 0 条。" in body
    rounds = TextSend.objects.filter(assembly=assembly, kind=TextSend.Kind.REMINDER)
    assert sorted(rounds.values_list("round", flat=True)) == [1] * 4 + [2] * 4


def test_reminder_texts_left_pending_are_sent_by_the_resume_command(voted, personas, outbox):
    # No on-commit run here (the broker was down): the rows wait; the resume sends each once.
    turnout_reminder_send(assembly=voted, actor=personas.committee, key="k")
    assert outbox == []
    call_command("notice_sends_resume", verbosity=0)
    call_command("notice_sends_resume", verbosity=0)
    assert len(outbox) == 4
    assert all("尚未投票" in m.text for m in outbox)


def test_second_reminder_the_same_day_is_refused_409_and_sends_nothing(
    client, voted, personas, outbox, send
):
    client.force_login(personas.committee)
    send(lambda: client.post(url("turnout_remind", voted), {"key": "k1"}))
    outbox.clear()
    response = send(lambda: client.post(url("turnout_remind", voted), {"key": "k2"}))
    assert response.status_code == 409
    assert "今天已发送过催投提醒" in response.content.decode()
    assert outbox == []
    assert TurnoutReminder.objects.count() == 1


def test_a_double_submit_of_one_confirmation_sends_once(client, voted, personas, outbox, send):
    client.force_login(personas.committee)
    assert (
        send(lambda: client.post(url("turnout_remind", voted), {"key": "same"})).status_code == 302
    )
    assert (
        send(lambda: client.post(url("turnout_remind", voted), {"key": "same"})).status_code == 302
    )
    assert len(outbox) == 4
    assert all("尚未投票" in m.text for m in outbox)
    assert TurnoutReminder.objects.count() == 1


def test_fourth_reminder_is_refused_even_on_a_new_day(voted, personas, outbox, send):
    assembly = shift(voted, opens=-timedelta(days=5), closes=timedelta(days=5))
    now = timezone.now()

    def remind(key, when):
        return send(
            lambda: turnout_reminder_send(
                assembly=assembly, actor=personas.committee, key=key, now=when
            )
        )

    for days in (3, 2, 1):
        remind(f"d{days}", now - timedelta(days=days))
    assert len(outbox) == 12
    assert list(TurnoutReminder.objects.values_list("round", flat=True)) == [1, 2, 3]
    with pytest.raises(Conflict) as refused:
        remind("d0", now)
    assert refused.value.code == "reminder_limit" and refused.value.status == 409
    assert len(outbox) == 12


def test_one_a_day_is_the_calendar_day_in_shanghai(voted, personas, outbox, send):
    assembly = shift(voted, opens=-timedelta(days=5), closes=timedelta(days=5))
    # 15:59 UTC is 23:59 in Shanghai.
    first = timezone.now().astimezone(UTC).replace(hour=15, minute=59, second=0, microsecond=0)

    def remind(key, when):
        return send(
            lambda: turnout_reminder_send(
                assembly=assembly, actor=personas.committee, key=key, now=when
            )
        )

    remind("a", first)
    with pytest.raises(Conflict) as refused:
        remind("b", first - timedelta(hours=23))  # 00:59 the same Shanghai day
    assert refused.value.code == "reminder_today"
    remind("c", first + timedelta(minutes=1))  # 00:00 the next day
    assert TurnoutReminder.objects.count() == 2


def test_limits_are_settings(voted, personas, outbox, settings, send):
    settings.GONGZHI_TURNOUT_REMINDERS_PER_DAY = 2
    for key in ("a", "b"):
        send(lambda k=key: turnout_reminder_send(assembly=voted, actor=personas.committee, key=k))
    assert TurnoutReminder.objects.count() == 2
    assert len(outbox) == 8


def test_no_reminder_once_voting_has_closed(voted, personas, outbox):
    close(voted)
    with pytest.raises(Conflict) as refused:
        turnout_reminder_send(assembly=voted, actor=personas.committee, key="x")
    assert refused.value.code == "not_open"
    assert outbox == []


def test_property_staff_cannot_send_a_reminder(voted, personas, outbox):
    with pytest.raises(PermissionDeniedError):
        turnout_reminder_send(assembly=voted, actor=personas.property_staff, key="x")
    assert outbox == []


def test_a_post_without_the_confirmation_token_is_400(client, voted, personas, outbox):
    client.force_login(personas.committee)
    assert client.post(url("turnout_remind", voted), {}).status_code == 400
    assert outbox == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_double_submit_sends_once(district, personas, media, outbox):
    from .conftest import ORDINARY, build_register, make_assembly, open_assembly

    build_register(district.a1, [(name, ["80.00"]) for name in ("甲", "乙", "丙", "丁")])
    assembly = open_assembly(
        make_assembly(district.a1, personas.committee, motions=(ORDINARY,)), personas.committee
    )
    outbox.clear()  # the "voting has opened" texts
    results = in_threads(
        [
            lambda i=i: turnout_reminder_send(
                assembly=assembly, actor=personas.committee, key=f"tap-{i}"
            )
            for i in range(6)
        ]
    )
    made = [r for r in results if isinstance(r, TurnoutReminder)]
    assert len(made) == 1, results
    assert results.count("reminder_today") == 5
    assert TurnoutReminder.objects.count() == 1
    assert len(outbox) == 4
    assert all("尚未投票" in m.text for m in outbox)


def test_list_and_reminder_follow_the_frozen_roll_not_the_register_now(
    client, voted, register, personas, outbox, send
):
    from tests.estates.helpers import make_person, make_unit, own

    # After the roll froze: a new unit with its owner, and a new co-owner of 丙's unit.
    newcomer = make_person("新", phone="13700000001")
    own(make_unit(register.area, "199", registered="50.00"), newcomer)
    own(register.owners["丙"].units[0], make_person("后", phone="13700000002"))

    body = page(client, personas.committee, voted).content.decode()
    listed = body[body.index('id="unvoted"') : body.index('id="reminders"')]
    assert listed.count("data-right=") == 4
    assert "新*" not in listed and "后*" not in listed and "199" not in listed

    client.force_login(personas.committee)
    send(lambda: client.post(url("turnout_remind", voted), {"key": "k"}))
    assert sorted(m.phone for m in outbox) == phones(register, NON_VOTERS)
