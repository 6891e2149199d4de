"""Progress, results and objection pages (voting.views.progress, voting.views.objections).

Frozen roll of the ``register`` fixture: 6 heads, 594.75 m². Quorum lines:
4 heads (ceil 2·6/3) and 396.50 m² (ceil of 2/3 of 59475 hundredths = 39650).
甲 89.50 + 乙 100.00 + 丙 120.25 = 309.75 m² (3 heads); with 戊 110.00: 419.75 m²
(4 heads). Motions: m1 ordinary, m2 special, m3 election (2 seats, 张三 李四 王五).
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.text import cn_datetime
from voting import services
from voting.models import Assembly, Objection

from .conftest import ALL_APPROVE, build_register, close, make_assembly, mark_noticed

pytestmark = pytest.mark.django_db

ABSTAIN_ALL = {"m1": "abstain", "m2": "abstain", "m3": "abstain"}


def cast(assembly, register, *names, choices=ALL_APPROVE):
    for name in names:
        services.ballot_cast(assembly=assembly, choices=choices, actor=register.user(name))


def get(client, user, name, assembly, **kwargs):
    client.force_login(user)
    return client.get(reverse(f"voting:{name}", args=[assembly.pk]), **kwargs)


def figure(body: str, key: str) -> str:
    """The markup of one figure (caption, numbers, bar, line) on a page."""
    start = body.index(f'id="fig-{key}"')
    ends = [
        e for e in (body.find('class="pg-figure"', start), body.find("</section>", start)) if e > 0
    ]
    return body[start : min(ends)]


def reached(fragment: str) -> str:
    return re.search(r'data-reached="(\w+)"', fragment).group(1)


def carried(page: str) -> dict:
    """What a review page's form sends on 确认提交: its hidden inputs and hidden textareas."""
    start = page.index('<form method="post">')
    page = page[start : page.index("</form>", start)]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
    fields.update(
        re.findall(r"<textarea name=\"(\w+)\" hidden readonly>(.*?)</textarea>", page, re.S)
    )
    fields.pop("csrfmiddlewaretoken", None)
    return {name: html.unescape(value) for name, value in fields.items()}


# --------------------------------------------------------------------------- progress


def test_participation_exactly_at_two_thirds_shows_both_lines_reached(
    client, assembly, register, personas
):
    cast(assembly, register, "甲", "乙", "丙")
    cast(assembly, register, "戊", choices=ABSTAIN_ALL)

    body = get(client, personas.committee, "progress", assembly).content.decode()

    heads = figure(body, "m1-participation-heads")
    assert reached(heads) == "yes"
    assert 'viewBox="0 0 6 24"' in heads
    assert 'class="bar-value" x="0" y="0" width="4"' in heads
    assert 'x1="4" y1="0" x2="4"' in heads
    assert "<strong>4 人</strong> / 6 人（66.67%）" in heads
    assert "三分之二线（⅔）：4 人" in heads
    assert "66.66%" not in heads
    area = figure(body, "m1-participation-area")
    assert reached(area) == "yes"
    assert 'viewBox="0 0 59475 24"' in area
    assert 'width="41975"' in area
    assert 'x1="39650"' in area
    assert "<strong>419.75 m²</strong> / 594.75 m²（70.57%）" in area
    assert "三分之二线（⅔）：396.50 m²" in area
    assert 'data-quorum="yes"' in body


def test_one_head_below_two_thirds_shows_the_line_not_reached_and_what_is_missing(
    client, assembly, register, personas
):
    cast(assembly, register, "甲", "乙", "丙")

    body = get(client, register.user("甲"), "progress", assembly).content.decode()

    heads = figure(body, "m1-participation-heads")
    assert reached(heads) == "no"
    assert 'width="3"' in heads and 'x1="4"' in heads
    assert "还差 1 人" in heads
    area = figure(body, "m1-participation-area")
    assert reached(area) == "no"
    assert "还差 86.75 m²" in area  # 396.50 − 309.75
    assert 'data-quorum="no"' in body
    # The accessible name carries the figures too.
    assert 'aria-label="参与表决人数：3 人，共 6 人（50.00%）；三分之二线 4 人，未达到"' in heads


def test_turnout_counts_ballots_heads_and_area(client, assembly, register, personas):
    cast(assembly, register, "甲", "乙")

    body = get(client, personas.committee, "progress", assembly).content.decode()

    assert "已收到 2 张表决票；表决名册共 6 个表决权。" in body
    assert "<strong>2 人</strong> / 6 人（33.33%）" in figure(body, "cast-heads")
    assert "<strong>189.50 m²</strong> / 594.75 m²（31.86%）" in figure(body, "cast-area")
    assert reached(figure(body, "cast-heads")) == "none"


def test_while_open_approval_is_hidden_from_everyone_by_default(
    client, assembly, register, personas
):
    cast(assembly, register, "甲", "乙", "丙")
    for user in (register.user("甲"), personas.committee, personas.reviewer):
        body = get(client, user, "progress", assembly).content.decode()
        assert "data-approval-hidden" in body
        assert 'id="fig-m1-approval-heads"' not in body
        assert "data-outcome" not in body
        assert "fig-m3-c1-heads" not in body


def test_with_live_approval_on_the_open_vote_shows_approval_against_each_threshold(
    client, assembly, register, personas, settings
):
    settings.GONGZHI_LIVE_APPROVAL = True
    cast(assembly, register, "甲", "乙", "丙")
    cast(assembly, register, "戊", choices=ABSTAIN_ALL)

    body = get(client, register.user("甲"), "progress", assembly).content.decode()

    # Ordinary: 3 of 4 heads against the line 3 (more than half), 309.75 of 419.75 m²
    # against 209.88 m².
    m1 = figure(body, "m1-approval-heads")
    assert reached(m1) == "yes" and 'viewBox="0 0 4 24"' in m1 and 'x1="3"' in m1
    assert "过半数线（½）：3 人" in m1
    assert "209.88 m²" in figure(body, "m1-approval-area")
    # Special: heads 3 ≥ ¾·4 = 3 reached; area needs ceil(¾·41975) = 31482 hundredths.
    assert reached(figure(body, "m2-approval-heads")) == "yes"
    m2_area = figure(body, "m2-approval-area")
    assert reached(m2_area) == "no"
    assert "四分之三线（¾）：314.82 m²" in m2_area and "还差 5.07 m²" in m2_area
    assert 'data-outcome="approved">按目前票数：通过' in body
    assert 'data-outcome="rejected">按目前票数：未通过' in body
    # Election: each candidate against more than half of those taking part.
    assert reached(figure(body, "m3-c1-heads")) == "yes"
    assert reached(figure(body, "m3-c3-heads")) == "no"
    assert "data-approval-hidden" not in body


def test_a_live_approval_setting_that_is_not_true_or_false_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    from voting.views.scope import live_approval

    settings.GONGZHI_LIVE_APPROVAL = "no"  # a string: truthy, so it must not slip through
    with pytest.raises(ImproperlyConfigured):
        live_approval()


def test_after_the_close_approval_is_shown_whatever_the_setting(
    client, assembly, register, personas
):
    cast(assembly, register, "甲", "乙", "丙")
    cast(assembly, register, "戊", choices=ABSTAIN_ALL)
    close(assembly)

    body = get(client, register.user("乙"), "progress", assembly).content.decode()

    assert 'data-outcome="approved">截止时统计：通过' in body
    assert reached(figure(body, "m2-approval-area")) == "no"
    assert reverse("voting:results", args=[assembly.pk]) in body


def test_progress_before_the_roll_is_frozen_says_when_voting_opens(client, register, personas):
    assembly = mark_noticed(make_assembly(register.area, personas.committee))

    response = get(client, register.user("甲"), "progress", assembly)

    assert response.status_code == 200
    assert "开始后在此显示进度" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("committee", 200),
        ("property_staff", 200),
        ("street_officer", 200),
        ("community_officer", 200),
        ("reviewer", 200),
        ("other_committee", 404),
        ("other_street_officer", 404),
        ("other_owner", 404),
        ("outsider", 403),
    ],
)
def test_who_may_see_an_assemblys_pages(client, assembly, personas, persona, status):
    for name in ("progress", "results", "objections"):
        assert get(client, getattr(personas, persona), name, assembly).status_code == status


@pytest.fixture
def other_area(district, personas):
    """A noticed assembly of b1 (another street's area), with its own owner 庚."""
    build_register(district.b1, [("庚", ["90.00"])])
    return mark_noticed(make_assembly(district.b1, personas.other_committee, title="乙一会议"))


def test_another_areas_assembly_is_not_found(client, register, personas, other_area):
    other = other_area
    for name in ("progress", "results", "objections"):
        assert get(client, register.user("甲"), name, other).status_code == 404
        assert get(client, personas.committee, name, other).status_code == 404


def test_a_draft_is_shown_to_the_convener_only(client, register, personas):
    draft = make_assembly(register.area, personas.committee)
    assert get(client, register.user("甲"), "progress", draft).status_code == 404
    assert get(client, personas.committee, "progress", draft).status_code == 200


def test_the_list_shows_the_assemblies_of_the_users_areas_only(
    client, assembly, register, personas, other_area
):
    draft = make_assembly(register.area, personas.committee, title="草稿会议")
    other = other_area

    client.force_login(register.user("甲"))
    body = client.get(reverse("voting:progress_list")).content.decode()

    assert f'data-assembly="{assembly.pk}"' in body
    assert reverse("voting:progress", args=[assembly.pk]) in body
    assert f'data-assembly="{draft.pk}"' not in body
    assert f'data-assembly="{other.pk}"' not in body
    client.force_login(personas.committee)
    assert (
        f'data-assembly="{draft.pk}"'
        in client.get(reverse("voting:progress_list")).content.decode()
    )


def test_my_votes_and_the_receipt_link_to_the_progress(client, assembly, register):
    cast(assembly, register, "甲")
    client.force_login(register.user("甲"))
    link = reverse("voting:progress", args=[assembly.pk])
    assert link in client.get(reverse("voting:mine")).content.decode()
    assert link in client.get(reverse("voting:receipt", args=[assembly.pk])).content.decode()


# --------------------------------------------------------------------------- results


def counted(assembly, register):
    """甲 乙 戊 approve everything, 丙 rejects; closed and counted (no notice yet)."""
    cast(assembly, register, "甲", "乙", "戊")
    cast(assembly, register, "丙", choices={"m1": "reject", "m2": "reject", "m3": ["c2", "c3"]})
    close(assembly)
    return services.assembly_count(assembly=assembly, actor=None)


def preliminary(assembly, register, *, deadline_in=timedelta(days=3)):
    """Counted and in its objection period (the signed notice is tested with ``publishing``)."""
    counted(assembly, register)
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.PRELIMINARY, objection_deadline=timezone.now() + deadline_in
    )
    assembly.refresh_from_db()
    return assembly


def test_results_before_the_close_say_when_voting_closes(client, assembly, register):
    body = get(client, register.user("甲"), "results", assembly).content.decode()
    assert "截止后计票并公告结果" in body
    assert "data-result-status" not in body


def test_results_after_the_close_but_before_the_count_say_it_is_being_counted(
    client, assembly, register
):
    cast(assembly, register, "甲")
    close(assembly)
    body = get(client, register.user("甲"), "results", assembly).content.decode()
    assert "data-counting" in body
    assert "data-outcome" not in body


def test_results_show_each_outcome_with_its_figures(client, assembly, register, personas):
    counted(assembly, register)

    body = get(client, register.user("丁"), "results", assembly).content.decode()

    # 4 heads, 419.75 m² took part; m1 approved by 3 heads, 299.50 m² (> half);
    # m2 needs ¾: 3 ≥ 3 heads but 29950 < 31482 hundredths → rejected.
    assert 'data-outcome="approved">结果：通过' in body
    assert 'data-outcome="rejected">结果：未通过' in body
    assert 'data-outcome="elected">结果：选举有效' in body
    assert "当选：张三" in body
    assert "<strong>299.50 m²</strong> / 419.75 m²（71.35%）" in figure(body, "m1-approval-area")
    assert reached(figure(body, "m2-approval-area")) == "no"
    assert reverse("voting:board", args=[assembly.pk]) in body
    assert reverse("voting:tracker", args=[assembly.pk]) in body
    assert assembly.snapshot.digest in body
    assert Assembly.objects.get(pk=assembly.pk).chain_head in body


def test_results_link_the_signed_notices_and_give_the_objection_deadline(
    client, assembly, register, personas, publishing
):
    cast(assembly, register, "甲", "乙", "戊")
    close(assembly)
    published = services.assembly_close_and_count(assembly=assembly, actor=None)
    serial = published.preliminary_publication.serial

    body = get(client, register.user("甲"), "results", assembly).content.decode()

    assert 'data-result-status="preliminary"' in body
    assert reverse("publications:verify", kwargs={"serial": serial}) in body
    assert reverse("publications:detail", kwargs={"serial": serial}) in body
    assert reverse("publications:download", kwargs={"serial": serial}) in body
    assert f"可在 {cn_datetime(published.objection_deadline)} 前提出异议" in body


# --------------------------------------------------------------------------- objections


def objection_url(assembly):
    return reverse("voting:objections", args=[assembly.pk])


def file(client, user, assembly, step, text="议题二面积统计有误", motion="m2"):
    client.force_login(user)
    return client.post(objection_url(assembly), {"text": text, "motion": motion, "step": step})


def test_an_owner_files_an_objection_after_a_confirmation_step(client, assembly, register):
    preliminary(assembly, register)
    form = get(client, register.user("丁"), "objections", assembly).content.decode()
    assert 'name="text"' in form and 'data-window="open"' in form

    text = "议题二面积统计有误：\n<b>乙</b> 的面积 & 丙的面积"
    review = file(client, register.user("丁"), assembly, "review", text=text)
    assert review.status_code == 200
    assert "确认提交，提交后不能修改或撤回" in review.content.decode()
    assert Objection.objects.count() == 0

    sent = carried(review.content.decode())
    assert sent == {"motion": "m2", "text": text}
    confirmed = client.post(objection_url(assembly), {**sent, "step": "confirm"})
    assert confirmed.status_code == 302
    objection = Objection.objects.get()
    assert (objection.text, objection.motion.code) == (text, "m2")
    assert objection.person == register.person("丁")
    page = client.get(objection_url(assembly)).content.decode()
    assert html.escape(text) in page and "<b>乙</b>" not in page
    assert "我提出的" in page and "data-unanswered" in page


def test_an_objection_after_the_period_is_refused_and_not_offered(client, assembly, register):
    preliminary(assembly, register, deadline_in=-timedelta(seconds=1))
    page = get(client, register.user("丁"), "objections", assembly).content.decode()
    assert 'name="text"' not in page and 'data-window="closed"' in page

    response = file(client, register.user("丁"), assembly, "confirm")

    assert response.status_code == 409
    assert "异议期已于" in response.content.decode()
    assert Objection.objects.count() == 0


def test_no_objection_before_the_preliminary_result(client, assembly, register):
    counted(assembly, register)
    response = file(client, register.user("丁"), assembly, "confirm")
    assert response.status_code == 409
    assert Objection.objects.count() == 0


def test_an_owner_of_the_area_not_on_the_roll_cannot_object(client, assembly, register, personas):
    preliminary(assembly, register)
    page = get(client, personas.owner, "objections", assembly).content.decode()
    assert 'name="text"' not in page
    response = file(client, personas.owner, assembly, "confirm")
    assert response.status_code == 409
    assert "只有本次表决名册中的业主" in response.content.decode()
    assert Objection.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "motion"), [("", "m1"), ("   ", ""), ("异" * 2001, ""), ("异议", "m9")]
)
def test_a_bad_objection_changes_nothing(client, assembly, register, text, motion):
    preliminary(assembly, register)
    for step in ("review", "confirm"):
        response = file(client, register.user("丁"), assembly, step, text=text, motion=motion)
        assert response.status_code == 400
    assert Objection.objects.count() == 0


def answer_url(assembly, objection):
    return reverse("voting:objection_answer", args=[assembly.pk, objection.pk])


def answer(client, user, assembly, objection, step, text="经复核，面积按登记面积计算无误。"):
    client.force_login(user)
    return client.post(answer_url(assembly, objection), {"answer": text, "step": step})


@pytest.fixture
def objected(assembly, register):
    preliminary(assembly, register)
    return services.objection_file(
        assembly=assembly, text="我家的面积算错了", actor=register.user("丁")
    )


def test_the_committee_answers_after_a_confirmation_step_and_everyone_in_scope_reads_it(
    client, assembly, register, personas, objected
):
    assert get(client, personas.committee, "objections", assembly).status_code == 200
    assert answer_url(assembly, objected) in client.get(objection_url(assembly)).content.decode()

    review = answer(client, personas.committee, assembly, objected, "review")
    assert review.status_code == 200 and "确认提交，提交后不能修改" in review.content.decode()
    assert not Objection.objects.get().answered

    sent = carried(review.content.decode())
    assert sent == {"answer": "经复核，面积按登记面积计算无误。"}
    confirmed = client.post(answer_url(assembly, objected), {**sent, "step": "confirm"})

    assert confirmed.status_code == 302
    stored = Objection.objects.get()
    assert stored.answer == "经复核，面积按登记面积计算无误。"
    assert stored.answered_by == personas.committee
    for user in (register.user("甲"), personas.community_officer, personas.property_staff):
        page = get(client, user, "objections", assembly).content.decode()
        assert "我家的面积算错了" in page and "经复核，面积按登记面积计算无误。" in page


@pytest.mark.parametrize("persona", ["owner_on_roll", "street_officer", "property_staff"])
def test_only_the_convener_may_answer(client, assembly, register, personas, objected, persona):
    user = register.user("甲") if persona == "owner_on_roll" else getattr(personas, persona)
    page = get(client, user, "objections", assembly).content.decode()
    assert answer_url(assembly, objected) not in page

    for step in ("review", "confirm"):
        assert answer(client, user, assembly, objected, step).status_code == 403
    assert not Objection.objects.get().answered


def test_a_blank_answer_changes_nothing(client, assembly, personas, objected):
    response = answer(client, personas.committee, assembly, objected, "confirm", text="  ")
    assert response.status_code == 400
    assert not Objection.objects.get().answered


def test_a_second_answer_is_refused_and_the_first_stays(client, assembly, personas, objected):
    answer(client, personas.committee, assembly, objected, "confirm", text="第一次答复")
    response = answer(client, personas.committee, assembly, objected, "confirm", text="第二次")
    assert response.status_code == 409
    assert "该异议已答复" in response.content.decode()
    assert Objection.objects.get().answer == "第一次答复"


def test_the_filer_is_named_to_the_convener_only(client, assembly, register, personas, objected):
    assert "data-filer" in get(client, personas.committee, "objections", assembly).content.decode()
    for user in (register.user("甲"), personas.community_officer):
        assert "data-filer" not in get(client, user, "objections", assembly).content.decode()


def test_an_objection_of_another_assembly_is_not_found(client, register, personas, objected):
    other = mark_noticed(make_assembly(register.area, personas.committee, title="另一次会议"))
    response = answer(client, personas.committee, other, objected, "confirm")
    assert response.status_code == 404
    assert not Objection.objects.get().answered
