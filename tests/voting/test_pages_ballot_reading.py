"""The owner's ballot page beyond the happy path (issue #16, Django test client).

- In the notice period the page is for reading: every motion with its legal
  basis and threshold, the materials, the signed notice and a fund use's share;
  nothing to tick and nothing that can be sent.
- A refused submit lists at the top every motion still to answer, with a link
  to it, and keeps the answers given.
- A second submission for a right that voted says it did not count (409),
  whatever the way it arrives; the very same submission sent twice is the
  receipt of the one that counted.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from core.money import yuan
from funds.apportion import apportion
from tests.funds.app_helpers import BUDGET, DEVELOPER_UNIT, propose, put_to_vote
from tests.funds.app_helpers import estate_fixture as estate  # noqa: F401 - fixture
from voting import selectors, services
from voting.models import Ballot

from .conftest import (
    ELECTION,
    ORDINARY,
    SPECIAL,
    build_register,
    make_assembly,
    mark_noticed,
    open_assembly,
    pdf_upload,
)

pytestmark = pytest.mark.django_db

ANSWERS = {"m1": "approve", "m2": "reject", "m3": ["c1", "c2"]}
NOT_COUNTED = "已投票，本次提交未计入"
# The fund use's 列支范围 (tests.funds.app_helpers): building 1栋 and the developer's 901.
AREAS = {
    "1栋-1单元-101": Decimal("89.50"),
    "1栋-1单元-102": Decimal("100.00"),
    "1栋-1单元-103": Decimal("120.25"),
    "1栋-1单元-104": Decimal("75.00"),
    DEVELOPER_UNIT: Decimal("100.00"),
}


def _url(assembly) -> str:
    return reverse("voting:ballot", args=[assembly.pk])


def _noticed(register, personas, **kwargs):
    return mark_noticed(
        make_assembly(
            register.area, personas.committee, motions=(ORDINARY, SPECIAL, ELECTION), **kwargs
        )
    )


def _main(body: str) -> str:
    """The page's own content, without the menu (whose logout is a form) and the footer."""
    return body[body.index("<main") : body.index("</main>")]


def _tag(body: str, name: str, value: str) -> str:
    """The <input> tag of answer ``value`` to field ``name``."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*>', body)
    assert match, f"no input {name}={value}"
    return match.group(0)


# --------------------------------------------------------------------------- notice period


def test_in_the_notice_period_every_motion_is_shown_with_basis_and_threshold_read_only(
    client, register, personas
):
    assembly = _noticed(register, personas)
    client.force_login(register.user("甲"))

    response = client.get(_url(assembly))

    assert response.status_code == 200
    body = response.content.decode()
    assert "表决将于" in body  # when voting opens, as before
    for position, motion in enumerate(assembly.motions.order_by("position"), start=1):
        assert f"{position}. {motion.title}" in body
        assert str(motion.legal_basis) in body  # 《民法典》第二百七十八条第一款第（…）项
        assert str(motion.threshold_text) in body
    assert "第二百七十八条第一款第（六）项" in body
    assert "四分之三以上" in body and "过半数" in body
    assert "张三、李四、王五" in body  # the election's candidates, to read
    # Read-only: nothing to tick, no form that posts, no submit button.
    assert 'type="radio"' not in body and 'type="checkbox"' not in body
    assert "<form" not in _main(body) and 'name="step"' not in body
    assert "下一步：核对" not in body


def test_in_the_notice_period_the_attachments_are_listed(client, register, personas, media):
    assembly = make_assembly(register.area, personas.committee)
    attachment = services.attachment_add(
        assembly=assembly, title="维修方案", file=pdf_upload("plan.pdf"), actor=personas.committee
    )
    mark_noticed(assembly)
    client.force_login(register.user("甲"))
    body = client.get(_url(assembly)).content.decode()
    assert reverse("voting:attachment", args=[assembly.pk, attachment.pk]) in body
    assert "维修方案" in body


def test_in_the_notice_period_the_signed_notice_is_linked_to_its_publication(
    client, register, personas, publishing
):
    assembly = make_assembly(register.area, personas.committee, opens_in=timedelta(days=40))
    assembly = services.assembly_notice(assembly=assembly, actor=personas.committee)
    serial = assembly.notice_publication.serial
    client.force_login(register.user("甲"))

    body = client.get(_url(assembly)).content.decode()

    assert reverse("publications:detail", args=[serial]) in body
    assert reverse("publications:verify", args=[serial]) in body
    assert serial in body


def test_without_a_publication_no_notice_link_is_shown(client, register, personas):
    assembly = _noticed(register, personas)  # the row as a notice leaves it, no PDF
    client.force_login(register.user("甲"))
    body = client.get(_url(assembly)).content.decode()
    assert 'class="card" data-notice>' not in body
    assert "/publications/" not in _main(body)


def test_in_the_notice_period_a_fund_use_shows_the_owner_s_own_share(client, estate, personas):  # noqa: F811
    application = put_to_vote(propose(estate, personas.property_staff), personas.committee)
    assembly = mark_noticed(application.assembly)
    shares = apportion(BUDGET, AREAS)
    client.force_login(estate.register.user("丙"))

    body = client.get(_url(assembly)).content.decode()

    motion = assembly.motions.get()
    assert f'id="motion-{motion.code}"' in body
    assert str(motion.legal_basis) in body and str(motion.threshold_text) in body
    assert "100,000.00 元" in body
    assert f"{yuan(shares['1栋-1单元-103'])} 元" in body  # 丙's own share
    assert yuan(shares["1栋-1单元-101"]) not in body  # not another owner's
    assert 'type="radio"' not in body


def test_a_post_in_the_notice_period_is_refused_and_stores_nothing(client, register, personas):
    assembly = _noticed(register, personas)
    client.force_login(register.user("甲"))
    response = client.post(_url(assembly), {**ANSWERS, "step": "confirm", "key": "k"})
    assert response.status_code == 409
    assert "表决将于" in response.content.decode()
    assert Ballot.objects.count() == 0


def test_the_notice_period_page_is_still_closed_to_other_areas_and_staff(
    client, register, personas
):
    assembly = _noticed(register, personas)
    client.force_login(personas.other_owner)
    assert client.get(_url(assembly)).status_code == 404
    client.force_login(personas.committee)
    assert client.get(_url(assembly)).status_code == 403


# --------------------------------------------------------------------------- error summary


def test_a_partial_ballot_lists_each_unanswered_motion_at_the_top_with_a_link(
    client, assembly, register
):
    client.force_login(register.user("甲"))

    response = client.post(_url(assembly), {"m1": "approve", "step": "review"})

    assert response.status_code == 400
    body = response.content.decode()
    summary = re.search(r"<div[^>]*data-error-summary.*?</div>", body, re.S).group(0)
    assert 'role="alert"' in summary and "autofocus" in summary
    assert '<a href="#motion-m2">2. 筹集维修资金</a>' in summary
    assert '<a href="#motion-m3">3. 选举业主委员会委员</a>' in summary
    assert "#motion-m1" not in summary  # answered: not listed
    # The summary comes before the first motion, and each link's target exists.
    assert body.index("data-error-summary") < body.index('id="motion-m1"')
    assert 'id="motion-m2" tabindex="-1"' in body
    # The answer given stays ticked; nothing else is.
    assert "checked" in _tag(body, "m1", "approve")
    assert "checked" not in _tag(body, "m2", "approve")
    assert Ballot.objects.count() == 0


def test_the_summary_keeps_the_candidates_ticked_and_lists_a_refusal_of_the_service(
    client, assembly, register
):
    client.force_login(register.user("甲"))
    data = {"m1": "reject", "m2": "abstain", "m3": ["c1", "c2", "c3"], "step": "review"}

    response = client.post(_url(assembly), data)

    assert response.status_code == 400
    body = response.content.decode()
    assert '<a href="#motion-m3">3. 选举业主委员会委员</a>：最多可选 2 名候选人。' in body
    for code in ("c1", "c2", "c3"):
        assert "checked" in _tag(body, "m3", code)
    assert "checked" in _tag(body, "m1", "reject")
    assert "checked" in _tag(body, "m2", "abstain")


def test_a_complete_ballot_shows_no_summary(client, assembly, register):
    client.force_login(register.user("甲"))
    assert "data-error-summary" not in client.get(_url(assembly)).content.decode()
    review = client.post(_url(assembly), {**ANSWERS, "step": "review"})
    assert review.status_code == 200
    assert "data-error-summary" not in review.content.decode()


# --------------------------------------------------------------------------- second attempts


def _confirm(client, assembly, data=ANSWERS, key="k-1", **extra):
    return client.post(_url(assembly), {**data, "step": "confirm", "key": key, **extra})


def test_the_review_step_after_voting_says_the_submission_did_not_count(client, assembly, register):
    client.force_login(register.user("甲"))
    assert _confirm(client, assembly).status_code == 302

    again = client.post(_url(assembly), {"m1": "reject", "step": "review"})

    assert again.status_code == 409
    body = again.content.decode()
    assert NOT_COUNTED in body
    assert "通过“网上投票”投票，投票后不能更改。" in body
    assert reverse("voting:receipt", args=[assembly.pk]) in body
    assert "data-error-summary" not in body  # not an error to correct
    assert Ballot.objects.get().choices == ANSWERS


def test_the_same_confirmation_sent_twice_is_the_receipt_of_the_one_that_counted(
    client, assembly, register
):
    client.force_login(register.user("甲"))
    first = _confirm(client, assembly, key="k-same")
    again = _confirm(client, assembly, key="k-same")  # a double tap, a reload
    assert (first.status_code, again.status_code) == (302, 302)
    assert again["Location"] == reverse("voting:receipt", args=[assembly.pk])
    assert Ballot.objects.count() == 1


def test_a_second_tab_s_confirmation_with_another_key_says_it_did_not_count(
    client, assembly, register
):
    client.force_login(register.user("甲"))
    _confirm(client, assembly, key="tab-1")
    other = {"m1": "reject", "m2": "reject", "m3": "abstain"}

    again = _confirm(client, assembly, other, key="tab-2")

    assert again.status_code == 409
    assert NOT_COUNTED in again.content.decode()
    assert Ballot.objects.get().choices == ANSWERS


def test_a_co_owner_s_later_submission_says_it_did_not_count(client, assembly, register):
    client.force_login(register.user("戊"))
    assert _confirm(client, assembly).status_code == 302
    client.force_login(register.user("己"))  # the same right, another login
    again = _confirm(client, assembly, key="k-2")
    assert again.status_code == 409
    assert NOT_COUNTED in again.content.decode()
    assert Ballot.objects.count() == 1


def test_a_vote_that_lands_first_in_parallel_makes_this_one_say_it_did_not_count(
    client, assembly, register
):
    """The page was built before the other tab's ballot was stored: the service refuses."""
    client.force_login(register.user("甲"))
    stale = selectors.rights_for(register.user("甲"), assembly)  # read before the vote
    _confirm(client, assembly, key="tab-1")
    with mock.patch.object(selectors, "rights_for", return_value=stale):
        again = _confirm(
            client, assembly, {"m1": "reject", "m2": "reject", "m3": "abstain"}, key="t2"
        )
    assert again.status_code == 409
    assert NOT_COUNTED in again.content.decode()
    assert Ballot.objects.get().choices == ANSWERS


@pytest.fixture
def two_rights(district, personas):
    """甲 holds two rights: 101 alone, and 102 with 乙 (another owner set)."""
    register = build_register(district.a1, [("甲", ["89.50"]), ("甲+乙", ["100.00"])])
    assembly = open_assembly(
        make_assembly(district.a1, personas.committee, motions=(ORDINARY, SPECIAL, ELECTION)),
        personas.committee,
    )
    return register, assembly


def test_a_second_tab_naming_a_voted_right_is_not_cast_for_the_other_right(client, two_rights):
    register, assembly = two_rights
    client.force_login(register.user("甲"))
    rights = selectors.rights_for(register.user("甲"), assembly)
    first, second = rights
    assert _confirm(client, assembly, key="tab-1", right=first.pk).status_code == 302

    # The other tab was opened when both rights were open and chose the same house.
    again = _confirm(client, assembly, key="tab-2", right=first.pk)

    assert again.status_code == 409
    assert NOT_COUNTED in again.content.decode()
    assert list(Ballot.objects.values_list("right_id", flat=True)) == [first.pk]
    assert not Ballot.objects.filter(right=second).exists()


def test_with_two_rights_a_missing_house_is_listed_first_in_the_summary(client, two_rights):
    register, assembly = two_rights
    client.force_login(register.user("甲"))
    response = client.post(_url(assembly), {"m1": "approve", "step": "review"})
    assert response.status_code == 400
    body = response.content.decode()
    summary = re.search(r"<div[^>]*data-error-summary.*?</div>", body, re.S).group(0)
    assert summary.index('href="#ballot-right"') < summary.index('href="#motion-m2"')
    assert 'id="ballot-right" tabindex="-1"' in body
