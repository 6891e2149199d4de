"""提交业主表决 checks before it confirms, and the application says what the vote is waiting
for (issue #16 items 8 and 11)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from funds.models import FundApplication
from funds.procedure import services as procedure
from funds.procedure.services.application_vote import vote_title
from voting.models import Assembly
from voting.services.common import earliest_open_at

from .app_helpers import estate_fixture, mark_noticed, propose, put_to_vote  # noqa: F401

Status = FundApplication.Status


def url(name, *args):
    return reverse(f"funds:{name}", args=args)


def window(opens_in_days: float = 20, lasts_days: float = 10) -> dict:
    opens = timezone.localtime() + timezone.timedelta(days=opens_in_days)
    closes = opens + timezone.timedelta(days=lasts_days)
    return {
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
    }


def unquoted(estate, personas) -> FundApplication:
    application = propose(estate, personas.property_staff)
    application.attachments.all().delete()
    return application


def assert_nothing_changed(application):
    application.refresh_from_db()
    assert application.status == Status.DRAFT and application.assembly_id is None
    assert not Assembly.objects.exists()


def test_a_missing_quote_is_refused_before_the_confirmation_page(client, estate, personas):
    application = unquoted(estate, personas)
    events = AuditEvent.objects.count()
    client.force_login(personas.committee)
    response = client.post(url("application_vote", application.pk), window())
    page = response.content.decode()
    assert response.status_code == 400
    assert "请确认" not in page and "请先上传报价单" in page
    assert_nothing_changed(application)
    assert AuditEvent.objects.count() == events  # the dry run left no trace


def test_a_forged_confirmation_of_an_unquoted_application_is_refused_too(client, estate, personas):
    application = unquoted(estate, personas)
    client.force_login(personas.committee)
    response = client.post(url("application_vote", application.pk), {**window(), "confirmed": "1"})
    assert response.status_code == 400 and "请先上传报价单" in response.content.decode()
    assert_nothing_changed(application)


def test_a_closing_time_before_the_opening_is_refused_before_the_confirmation(
    client, estate, personas
):
    application = propose(estate, personas.property_staff)
    client.force_login(personas.committee)
    response = client.post(url("application_vote", application.pk), window(20, -1))
    assert response.status_code == 400
    assert "截止时间必须晚于开始时间" in response.content.decode()
    assert_nothing_changed(application)


def test_a_start_inside_the_notice_period_is_refused_and_the_first_possible_one_passes(
    client, estate, personas
):
    application = propose(estate, personas.property_staff)
    client.force_login(personas.committee)
    earliest = timezone.localtime(earliest_open_at(timezone.now()))
    too_soon = earliest - timezone.timedelta(minutes=1)
    data = {
        "opens_at": too_soon.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (earliest + timezone.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
    }
    response = client.post(url("application_vote", application.pk), data)
    assert response.status_code == 400 and "表决开始时间不得早于" in response.content.decode()
    assert_nothing_changed(application)
    data["opens_at"] = earliest.strftime("%Y-%m-%dT%H:%M")
    response = client.post(url("application_vote", application.pk), data)
    assert response.status_code == 200 and "请确认" in response.content.decode()
    assert_nothing_changed(application)  # the confirmation page changes nothing either


def test_a_scope_the_register_no_longer_has_is_refused_before_the_confirmation(
    client, estate, personas
):
    application = propose(estate, personas.property_staff)
    FundApplication.objects.filter(pk=application.pk).update(scope_buildings=["88栋"])
    client.force_login(personas.committee)
    response = client.post(url("application_vote", application.pk), window())
    assert response.status_code == 400 and "请确认" not in response.content.decode()
    assert_nothing_changed(application)


def test_the_check_raises_what_the_submit_raises(estate, personas):
    application = unquoted(estate, personas)
    now = timezone.now()
    kwargs = {
        "application": application,
        "actor": personas.committee,
        "opens_at": now + timezone.timedelta(days=20),
        "closes_at": now + timezone.timedelta(days=30),
    }
    with pytest.raises(Exception) as checked:
        procedure.application_vote_check(**kwargs)
    with pytest.raises(Exception) as submitted:
        procedure.application_vote_create(**kwargs)
    assert checked.value.code == submitted.value.code == "no_quote"


def test_a_passing_check_changes_nothing_and_the_confirmed_submit_succeeds(
    client, estate, personas
):
    application = propose(estate, personas.property_staff)
    events = AuditEvent.objects.count()
    client.force_login(personas.committee)
    first = client.post(url("application_vote", application.pk), window())
    assert first.status_code == 200 and "请确认" in first.content.decode()
    assert_nothing_changed(application)
    assert AuditEvent.objects.count() == events
    second = client.post(url("application_vote", application.pk), {**window(), "confirmed": "1"})
    assert second.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.VOTING
    assert application.assembly.attachments.count() == 1  # the quote, attached once


# --------------------------------------------------------------------------- the status shown


def test_a_draft_assembly_is_not_shown_as_voting(client, estate, personas):
    application = put_to_vote(propose(estate, personas.property_staff), personas.committee)
    assert application.assembly.status == Assembly.Status.DRAFT
    assert application.status_shown == "待发布表决公告"
    client.force_login(personas.committee)
    for page in (
        client.get(url("application_detail", application.pk)),
        client.get(url("application_list")),
    ):
        text = page.content.decode()
        assert 'data-status="voting">待发布表决公告<' in text
        assert 'data-status="voting">业主表决中<' not in text
    api = client.get(f"/api/v1/funds/applications/{application.pk}/").json()
    assert api["status_label"] == "待发布表决公告"


def test_the_status_follows_the_assembly_notice_then_voting(estate, personas):
    application = put_to_vote(propose(estate, personas.property_staff), personas.committee)
    assembly = application.assembly
    mark_noticed(assembly)
    application = FundApplication.objects.select_related("assembly").get(pk=application.pk)
    assert application.status_shown == "已公告，待开始表决"
    Assembly.objects.filter(pk=assembly.pk).update(status=Assembly.Status.OPEN)
    application = FundApplication.objects.select_related("assembly").get(pk=application.pk)
    assert application.status_shown == "业主表决中"


def test_other_statuses_are_shown_as_they_are(estate, personas):
    application = propose(estate, personas.property_staff)
    assert application.status_shown == "草稿"


# --------------------------------------------------------------------------- the title


@pytest.mark.parametrize(
    ("item", "title"),
    [
        ("1栋屋面防水维修", "1栋屋面防水维修资金使用表决"),
        ("电梯维修", "电梯维修资金使用表决"),
        ("外墙修缮", "外墙修缮维修资金使用表决"),
        ("1栋屋面防水翻新", "1栋屋面防水翻新维修资金使用表决"),
        ("维修", "维修资金使用表决"),
        ("消防维修维修", "消防维修资金使用表决"),
    ],
)
def test_the_auto_title_never_says_the_word_twice(item, title):
    assert vote_title(item) == title
    assert "维修维修" not in vote_title(item)


def test_the_draft_assembly_gets_the_undoubled_title(estate, personas):
    application = propose(estate, personas.property_staff)
    FundApplication.objects.filter(pk=application.pk).update(title="2栋外墙维修")
    application.refresh_from_db()
    application = put_to_vote(application, personas.committee)
    assert application.assembly.title == "2栋外墙维修资金使用表决"
