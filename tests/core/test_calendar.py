"""The bureau keeps the holiday calendar (RULES.md §2 "Periods"; issue 14 §8).

The ``holidays`` package knows the State Council's schedule only to 2026: for
2027 it predicts Spring Festival (5–10 February, "observed" days included)
but no swapped working day. The calendar below is the kind of notice the
bureau copies in November: 5–13 February off, Sunday 14 and Saturday 20
February working days. Emergency reviews take 2 working days (RULES §5).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from core import calendar, periods
from core.errors import DomainError, PermissionDeniedError
from core.holiday_text import NoticeTextError, as_text, parse
from core.models import HolidayNotice, HolidayNoticeDay
from emergency import deadlines
from estates.services.calendar import holiday_notice_enter

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTICE_2027 = """
2027-01-01 放假 元旦
2027-02-05 至 2027-02-13 放假 春节
2027-02-14 上班 春节
2027-02-20 上班 春节
"""
ENTERED = datetime(2026, 11, 21, 9, tzinfo=SHANGHAI)


def enter_2027(actor, text=NOTICE_2027, *, reason="", now=ENTERED):
    return holiday_notice_enter(
        actor=actor,
        year=2027,
        notice_ref="国办发明电〔2026〕7号",
        published_on=date(2026, 11, 20),
        days_text=text,
        reason=reason,
        now=now,
    )


@pytest.fixture
def admin(personas, verified):
    """The bureau admin, past TOTP (calendar.manage needs it)."""
    return verified(personas.admin)


def review_due(filed: datetime) -> datetime:
    return deadlines.review_due(filed, deadlines.Times(), SHANGHAI)


# --------------------------------------------------------------------------- the typed notice


def test_a_run_of_days_and_swapped_working_days_are_read_day_by_day():
    days = parse(NOTICE_2027, 2027)
    rest = [d.day for d in days if d.kind == "rest"]
    work = [d.day for d in days if d.kind == "work"]
    assert rest[0] == date(2027, 1, 1)
    assert rest[1:] == [date(2027, 2, 5) + timedelta(days=n) for n in range(9)]
    assert work == [date(2027, 2, 14), date(2027, 2, 20)]
    assert as_text(days).splitlines() == [
        "2027-01-01 放假 元旦",
        "2027-02-05 至 2027-02-13 放假 春节",
        "2027-02-14 上班 春节",
        "2027-02-20 上班 春节",
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2027-02-15 上班 春节", "本来就是工作日"),  # a Monday cannot be a swapped working day
        ("2027-02-05 放假 春节\n2027-02-05 放假 春节", "重复出现"),
        ("2026-12-31 放假 元旦", "不在2027年"),
        ("2027-02-30 放假 春节", "日期不存在"),
        ("2027-02-13 至 2027-02-05 放假 春节", "结束日期早于开始日期"),
        ("2027-02-01 至 2027-02-16 放假 春节", "连续超过15天"),
        ("春节放假七天", "第1行看不懂"),
        ("# 只有注释\n", "没有录入任何日期"),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_read(text, says):
    with pytest.raises(NoticeTextError) as caught:
        parse(text, 2027)
    assert says in " ".join(caught.value.errors)


def test_fifteen_days_in_a_row_is_the_longest_run_accepted():
    assert len(parse("2027-02-01 至 2027-02-15 放假 春节", 2027)) == 15


# --------------------------------------------------------------------------- deadlines


@pytest.mark.django_db
def test_without_the_bureaus_entry_2027_is_counted_from_the_package_and_flagged():
    # Package: 5-10 February off, no swapped day: Thu 11 and Fri 12 are the two days.
    filed = datetime(2027, 2, 4, 10, tzinfo=SHANGHAI)
    assert review_due(filed) == datetime(2027, 2, 13, tzinfo=SHANGHAI)
    assert calendar.missing_years(date(2027, 2, 13)) == [2027]


@pytest.mark.django_db
def test_with_the_2027_calendar_a_review_across_spring_festival_counts_the_swapped_sunday(
    personas, admin
):
    enter_2027(admin)
    filed = datetime(2027, 2, 4, 10, tzinfo=SHANGHAI)
    # 5-13 February off; Sunday 14 is a working day (1), Monday 15 (2): over at 16 Feb 00:00.
    assert review_due(filed) == datetime(2027, 2, 16, tzinfo=SHANGHAI)
    assert calendar.missing_years(date(2027, 2, 16)) == []
    assert periods.is_working_day(date(2027, 2, 14)) is True
    assert periods.is_working_day(date(2027, 2, 11)) is False  # a weekday of the holiday
    assert periods.is_working_day(date(2027, 2, 21)) is False  # an ordinary Sunday
    # Filed on the last working day before the holiday's swapped Saturday: 19 Fri → 20 Sat (1),
    # 22 Mon (2).
    assert review_due(datetime(2027, 2, 19, 10, tzinfo=SHANGHAI)) == datetime(
        2027, 2, 23, tzinfo=SHANGHAI
    )


@pytest.mark.django_db
def test_a_correction_is_a_new_version_in_force_needs_a_reason_and_is_audited(personas, admin):
    first = enter_2027(admin)
    with pytest.raises(DomainError) as caught:
        enter_2027(admin, "2027-02-05 至 2027-02-11 放假 春节")
    assert caught.value.code == "reason_required"
    assert HolidayNotice.objects.count() == 1

    second = enter_2027(
        personas.admin, "2027-02-05 至 2027-02-11 放假 春节", reason="国务院办公厅更正通知"
    )
    assert (first.version, second.version) == (1, 2)
    filed = datetime(2027, 2, 4, 10, tzinfo=SHANGHAI)
    # Version 2: 5-11 off, no swapped day: Fri 12 (1), Mon 15 (2).
    assert review_due(filed) == datetime(2027, 2, 16, tzinfo=SHANGHAI)
    assert periods.is_working_day(date(2027, 2, 12)) is True
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["calendar.enter", "calendar.correct"]
    assert AuditEvent.objects.get(action="calendar.correct").summary["version"] == 2


@pytest.mark.django_db
def test_an_entry_is_kept_for_good(personas, admin):
    notice = enter_2027(admin)
    with pytest.raises(HolidayNotice.kept_error):
        notice.delete()
    with pytest.raises(HolidayNoticeDay.kept_error):
        HolidayNoticeDay.objects.filter(notice=notice).update(kind="work")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"year": 1999}, "bad_year"),
        ({"notice_ref": "  "}, "required"),
        ({"notice_ref": "国办\x00发"}, "bad_text"),
        ({"published_on": date(2025, 12, 31)}, "bad_published_on"),  # before the year before
        ({"published_on": date(2026, 11, 22)}, "bad_published_on"),  # after today (21 Nov)
        ({"days_text": "2027-02-15 上班 春节"}, "bad_days"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(personas, changes, code, admin):
    fields = {
        "year": 2027,
        "notice_ref": "国办发明电〔2026〕7号",
        "published_on": date(2026, 11, 20),
        "days_text": NOTICE_2027,
        "now": ENTERED,
        **changes,
    }
    with pytest.raises(DomainError) as caught:
        holiday_notice_enter(actor=admin, **fields)
    assert caught.value.code == code
    assert HolidayNotice.objects.count() == HolidayNoticeDay.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="calendar.").exists()


@pytest.mark.django_db
def test_only_the_bureau_admin_enters_the_calendar(personas):
    for user in (personas.reviewer, personas.approver, personas.committee, personas.street_officer):
        with pytest.raises(PermissionDeniedError):
            enter_2027(user)
    assert HolidayNotice.objects.count() == 0


# --------------------------------------------------------------------------- pages


@pytest.mark.django_db
def test_the_dashboards_warn_from_the_first_of_december_when_next_year_is_missing(
    client, personas, login_with_totp, django_capture_on_commit_callbacks, admin
):
    from django.utils import timezone

    from core.calendar import next_year_missing

    assert next_year_missing(date(2026, 11, 30)) is None
    assert next_year_missing(date(2026, 12, 1)) == 2027
    assert next_year_missing(date(2026, 12, 31)) == 2027

    today = timezone.localdate()
    warn = (today.month, today.day) >= (12, 1)
    login_with_totp(client, personas.admin)
    for name in ("estates:dashboard", "emergency:dashboard"):
        page = client.get(reverse(name)).content.decode()
        assert (f"{today.year + 1}年节假日安排尚未录入" in page) is warn, name

    # Entered in this process: the cache is cleared when the entry commits.
    with django_capture_on_commit_callbacks(execute=True):
        holiday_notice_enter(
            actor=admin,
            year=today.year + 1,
            notice_ref="国办发明电〔2026〕7号",
            published_on=today,
            days_text=f"{today.year + 1}-01-01 放假 元旦",
        )
    assert next_year_missing(date(today.year, 12, 1)) is None
    for name in ("estates:dashboard", "emergency:dashboard"):
        page = client.get(reverse(name)).content.decode()
        assert "节假日安排尚未录入" not in page, name


@pytest.mark.django_db
def test_the_street_dashboard_warns_too(client, personas):
    from core.calendar import next_year_missing

    client.force_login(personas.street_officer)
    page = client.get(reverse("emergency:dashboard")).content.decode()
    from django.utils import timezone

    year = next_year_missing(timezone.localdate())
    assert (year is not None) == ("节假日安排尚未录入" in page)


@pytest.mark.django_db
def test_the_entry_page_asks_for_a_confirmation_before_storing(
    client, personas, login_with_totp, admin
):
    login_with_totp(client, personas.admin)
    form = {
        "year": "2027",
        "notice_ref": "国办发明电〔2026〕7号",
        "published_on": "2026-11-20",
        "days": NOTICE_2027,
        "reason": "",
    }
    first = client.post(reverse("estates:calendar_enter"), form)
    assert first.status_code == 200
    assert "确认录入" in first.content.decode()
    assert HolidayNotice.objects.count() == 0

    done = client.post(reverse("estates:calendar_enter"), {**form, "confirm": "True"})
    assert done.status_code == 302
    notice = HolidayNotice.objects.get()
    assert notice.days.count() == 12
    page = client.get(reverse("estates:calendar_year", args=[2027])).content.decode()
    assert "2027-02-14" in page and "调休上班" in page


@pytest.mark.django_db
def test_a_bad_line_on_the_entry_page_is_shown_with_400_and_nothing_stored(
    client, personas, login_with_totp, admin
):
    login_with_totp(client, personas.admin)
    response = client.post(
        reverse("estates:calendar_enter"),
        {
            "year": "2027",
            "notice_ref": "国办发明电〔2026〕7号",
            "published_on": "2026-11-20",
            "days": "2027-02-15 上班 春节",
            "confirm": "True",
        },
    )
    assert response.status_code == 400
    assert "只有周六、周日可以调休上班" in response.content.decode()
    assert HolidayNotice.objects.count() == 0


@pytest.mark.django_db
def test_a_deadline_in_a_year_without_a_calendar_is_flagged_on_the_page(personas, admin):
    from django.template import Context, Template

    template = Template("{% load core_calendar %}{{ when|calendar_flag }}")
    when = datetime(2027, 2, 13, tzinfo=SHANGHAI)
    assert "2027年节假日安排尚未录入" in template.render(Context({"when": when}))
    enter_2027(admin)
    calendar.cache_clear()  # what the entry's on_commit does
    assert template.render(Context({"when": when})) == ""
