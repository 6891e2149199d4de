"""Ballots: online, paper, proxy — one per right, final, chained, refused when closed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from core.text import cn_datetime
from tests.factories import OwnerUserFactory
from voting import boardformat, services
from voting.models import Assembly, Ballot, RollSnapshot

from .conftest import (
    ALL_APPROVE,
    ELECTION,
    ORDINARY,
    build_register,
    close,
    make_assembly,
    mark_noticed,
    open_assembly,
    pdf_upload,
    png_upload,
    shift,
)

pytestmark = pytest.mark.django_db


def cast(register, name, assembly, choices=ALL_APPROVE, **kwargs):
    return services.ballot_cast(
        assembly=assembly, choices=choices, actor=register.user(name), **kwargs
    )


# --------------------------------------------------------------------------- online


def test_an_online_ballot_is_the_first_link_of_the_chain(assembly, register):
    ballot = cast(register, "甲", assembly)

    assert (ballot.seq, ballot.prev) == (1, boardformat.GENESIS)
    assert (ballot.heads, ballot.area, ballot.channel) == (1, Decimal("89.50"), "online")
    assert ballot.choices == {"m1": "approve", "m2": "approve", "m3": ["c1", "c2"]}
    assert ballot.hash == boardformat.ballot_hash(
        {
            "seq": 1,
            "tracker": ballot.tracker,
            "heads": 1,
            "area": "89.50",
            "channel": "online",
            "choices": {"m1": "approve", "m2": "approve", "m3": ["c1", "c2"]},
            "prev": boardformat.GENESIS,
        }
    )
    assert ballot.voter == register.person("甲")
    assert ballot.entered_by == register.user("甲")
    assembly.refresh_from_db()
    assert (assembly.ballots_cast, assembly.chain_head) == (1, ballot.hash)


def test_the_second_ballot_links_to_the_first(assembly, register):
    first = cast(register, "甲", assembly)
    second = cast(register, "乙", assembly)
    assert (second.seq, second.prev) == (2, first.hash)
    assert second.area == Decimal("100.00")


def test_a_tracker_is_sixteen_random_hex_digits_unlike_any_other(assembly, register):
    first = cast(register, "甲", assembly)
    second = cast(register, "乙", assembly)
    assert len(first.tracker) == 16 and int(first.tracker, 16) >= 0
    assert first.tracker != second.tracker
    assert first.tracker not in first.hash


def test_casting_is_audited_without_the_choices(assembly, register):
    ballot = cast(register, "甲", assembly)
    event = AuditEvent.objects.get(action="ballot.online")
    assert event.object_id == str(ballot.pk)
    assert event.summary == {"assembly": assembly.pk, "seq": 1, "channel": "online"}


def test_an_online_ballot_must_answer_every_motion(assembly, register):
    with pytest.raises(DomainError) as caught:
        cast(register, "甲", assembly, {"m1": "approve", "m3": ["c1"]})
    assert caught.value.code == "bad_choices"
    assert set(caught.value.fields) == {"m2"}
    assert Ballot.objects.count() == 0


def test_abstaining_is_an_explicit_answer(assembly, register):
    ballot = cast(register, "甲", assembly, {"m1": "abstain", "m2": "reject", "m3": "abstain"})
    assert ballot.choices == {"m1": "abstain", "m2": "reject", "m3": "abstain"}


def test_an_online_ballot_cannot_mark_itself_invalid(assembly, register):
    with pytest.raises(DomainError) as caught:
        cast(register, "甲", assembly, {**ALL_APPROVE, "m1": "invalid"})
    assert set(caught.value.fields) == {"m1"}


def test_an_online_ballot_cannot_approve_more_candidates_than_seats(assembly, register):
    with pytest.raises(DomainError) as caught:
        cast(register, "甲", assembly, {**ALL_APPROVE, "m3": ["c1", "c2", "c3"]})
    assert caught.value.fields == {"m3": "最多可选 2 名候选人。"}


def test_an_unknown_candidate_is_refused(assembly, register):
    with pytest.raises(DomainError) as caught:
        cast(register, "甲", assembly, {**ALL_APPROVE, "m3": ["c9"]})
    assert set(caught.value.fields) == {"m3"}


def test_candidates_are_stored_in_ballot_order(assembly, register):
    ballot = cast(register, "甲", assembly, {**ALL_APPROVE, "m3": ["c3", "c1"]})
    assert ballot.choices["m3"] == ["c1", "c3"]


def test_a_motion_that_is_not_on_the_ballot_is_refused(assembly, register):
    with pytest.raises(DomainError) as caught:
        cast(register, "甲", assembly, {**ALL_APPROVE, "m9": "approve"})
    assert set(caught.value.fields) == {"m9"}


def test_voting_twice_is_refused_and_the_first_ballot_stands(assembly, register):
    first = cast(register, "甲", assembly)
    with pytest.raises(DomainError) as caught:
        cast(register, "甲", assembly, {"m1": "reject", "m2": "reject", "m3": []})
    assert caught.value.code == "already_voted"
    assert "投票后不能更改" in caught.value.message
    assert list(Ballot.objects.values_list("pk", flat=True)) == [first.pk]
    assert Ballot.objects.get().choices == ALL_APPROVE


def test_co_owners_share_one_ballot(assembly, register):
    cast(register, "戊", assembly)
    with pytest.raises(DomainError) as caught:
        cast(register, "己", assembly)
    assert caught.value.code == "already_voted"
    assert Ballot.objects.count() == 1


def test_repeating_a_submission_with_its_key_returns_the_same_ballot(assembly, register):
    first = cast(register, "甲", assembly, idempotency_key="k-1")
    again = cast(register, "甲", assembly, idempotency_key="k-1")
    assert again.pk == first.pk
    assert Ballot.objects.count() == 1
    assert Assembly.objects.get(pk=assembly.pk).ballots_cast == 1


def test_a_key_reused_for_other_choices_is_refused(assembly, register):
    cast(register, "甲", assembly, idempotency_key="k-1")
    with pytest.raises(DomainError) as caught:
        cast(register, "甲", assembly, {**ALL_APPROVE, "m1": "reject"}, idempotency_key="k-1")
    assert caught.value.code == "key_reused"


def test_another_owners_key_does_not_return_their_ballot(assembly, register):
    cast(register, "甲", assembly, idempotency_key="k-1")
    with pytest.raises(DomainError) as caught:
        cast(register, "乙", assembly, idempotency_key="k-1")
    assert caught.value.code == "key_reused"


def test_a_closed_assembly_refuses_ballots_with_the_closing_time(assembly, register):
    close(assembly)
    with pytest.raises(DomainError) as caught:
        cast(register, "甲", assembly)
    assert caught.value.code == "closed"
    assert caught.value.message == f"表决已于{cn_datetime(assembly.closes_at)}截止，不再接受投票。"
    assert Ballot.objects.count() == 0


def test_a_ballot_before_the_window_opens_is_refused_with_its_start(register, personas):
    assembly = mark_noticed(make_assembly(register.area, personas.committee))
    with pytest.raises(DomainError) as caught:
        cast(register, "甲", assembly)
    assert caught.value.code == "not_open"
    assert cn_datetime(assembly.opens_at) in caught.value.message


def test_the_first_ballot_opens_a_due_assembly_and_freezes_its_roll(register, personas):
    assembly = mark_noticed(make_assembly(register.area, personas.committee))
    shift(assembly, opens=-timedelta(minutes=5), closes=timedelta(days=1))

    ballot = cast(register, "甲", assembly, {"m1": "approve"})

    assert ballot.seq == 1
    assert Assembly.objects.get(pk=assembly.pk).status == "open"
    assert RollSnapshot.objects.get(assembly=assembly).rights == 6
    assert AuditEvent.objects.get(action="assembly.open").actor is None


def test_an_unbound_login_cannot_vote(assembly):
    with pytest.raises(DomainError) as caught:
        services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=OwnerUserFactory())
    assert caught.value.code == "not_bound"


def test_an_owner_of_another_area_is_not_on_the_roll(assembly, district):
    other = build_register(district.b1, [("庚", ["90.00"])])
    with pytest.raises(DomainError) as caught:
        services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=other.user("庚"))
    assert caught.value.code == "not_on_roll"


def test_an_owner_with_two_rights_chooses_which_one_votes(district, personas):
    register = build_register(district.a1, [("甲", ["89.50"]), ("甲+乙", ["60.00"])])
    assembly = open_assembly(make_assembly(district.a1, personas.committee), personas.committee)
    with pytest.raises(DomainError) as caught:
        cast(register, "甲", assembly, {"m1": "approve"})
    assert caught.value.code == "choose_right"

    joint = assembly.rights.filter(holder_rows__person=register.person("乙")).get()
    ballot = cast(register, "甲", assembly, {"m1": "approve"}, right=joint)
    assert ballot.area == Decimal("60.00")
    # The one right left needs no choice.
    assert cast(register, "甲", assembly, {"m1": "reject"}).area == Decimal("89.50")


def test_a_unit_bought_after_opening_gives_the_buyer_no_vote(assembly, register):
    from tests.estates.helpers import make_person, sell

    buyer = make_person("新业主", phone="13700000009")
    from .conftest import bind

    user = bind(buyer, area=register.area)
    sell(register.owners["甲"].units[0], buyer, on=date.today())
    with pytest.raises(DomainError) as caught:
        services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=user)
    assert caught.value.code == "not_on_roll"
    assert cast(register, "甲", assembly).seq == 1


# --------------------------------------------------------------------------- paper and proxy


def paper(register, assembly, personas, name, choices=ALL_APPROVE, scan=None, **kwargs):
    return services.ballot_enter_paper(
        assembly=assembly,
        right=register.right(assembly, name),
        choices=choices,
        scan=scan or pdf_upload(),
        actor=personas.committee,
        **kwargs,
    )


def test_a_paper_ballot_is_stored_with_its_scan_under_a_random_name(
    assembly, register, personas, media
):
    ballot = paper(register, assembly, personas, "乙", scan=png_upload("张.png"))
    assert ballot.channel == "paper"
    assert ballot.entered_by == personas.committee
    assert ballot.voter is None
    folder, name = ballot.scan.name.rsplit("/", 1)
    assert folder == f"voting/{assembly.pk}/paper"
    # Not the tracker: that is public, and the scan shows who signed.
    assert len(name) == 36 and name.endswith(".png") and ballot.tracker not in name
    assert AuditEvent.objects.get(action="ballot.paper").actor == personas.committee


def test_a_paper_ballot_without_a_scan_is_refused(assembly, register, personas):
    with pytest.raises(DomainError) as caught:
        services.ballot_enter_paper(
            assembly=assembly,
            right=register.right(assembly, "乙"),
            choices=ALL_APPROVE,
            scan=None,
            actor=personas.committee,
        )
    assert caught.value.fields == {"scan": "请上传文件。"}


def test_a_paper_ballot_records_blank_and_spoiled_answers_as_marked(
    assembly, register, personas, media
):
    ballot = paper(register, assembly, personas, "乙", {"m1": "invalid", "m3": ["c3", "c2", "c1"]})
    # m2 left blank: this ballot does not take part in it; m3 over the seats: spoiled.
    assert ballot.choices == {"m1": "invalid", "m3": ["c1", "c2", "c3"]}


def test_after_an_online_ballot_a_paper_ballot_for_that_right_is_refused(
    assembly, register, personas, media
):
    cast(register, "丙", assembly)
    with pytest.raises(DomainError) as caught:
        paper(register, assembly, personas, "丙")
    assert caught.value.code == "already_voted"
    # The committee learns that the right voted, never when or how (secrecy, RULES.md §3).
    assert caught.value.message == "该表决权已经投票，投票后不能更改。"
    assert Ballot.objects.count() == 1
    assert list(media.glob("voting/*/paper/*")) == []


def test_after_a_paper_ballot_the_owner_cannot_vote_online(assembly, register, personas, media):
    paper(register, assembly, personas, "丙")
    with pytest.raises(DomainError) as caught:
        cast(register, "丙", assembly)
    assert caught.value.code == "already_voted"
    assert "纸质表决票" in caught.value.message


def test_an_owner_cannot_enter_paper_ballots(assembly, register, media):
    with pytest.raises(PermissionDeniedError):
        services.ballot_enter_paper(
            assembly=assembly,
            right=register.right(assembly, "乙"),
            choices=ALL_APPROVE,
            scan=pdf_upload(),
            actor=register.user("甲"),
        )


def test_the_developer_votes_on_paper(assembly, register, personas, media):
    right = assembly.rights.get(is_developer=True)
    ballot = services.ballot_enter_paper(
        assembly=assembly,
        right=right,
        choices=ALL_APPROVE,
        scan=pdf_upload(),
        actor=personas.committee,
    )
    assert (ballot.heads, ballot.area) == (1, Decimal("100.00"))


def test_a_proxy_ballot_keeps_the_authorisation_and_the_proxy_name(
    assembly, register, personas, media
):
    ballot = services.ballot_enter_proxy(
        assembly=assembly,
        right=register.right(assembly, "丁"),
        choices=ALL_APPROVE,
        authorisation=pdf_upload("委托书.pdf"),
        proxy_name="赵受托",
        actor=personas.committee,
    )
    assert ballot.channel == "proxy"
    assert ballot.proxy_name == "赵受托"
    assert ballot.authorisation.name.startswith(f"voting/{assembly.pk}/proxy/")
    assert ballot.tracker not in ballot.authorisation.name


def test_a_proxy_ballot_needs_a_named_proxy(assembly, register, personas, media):
    with pytest.raises(DomainError) as caught:
        services.ballot_enter_proxy(
            assembly=assembly,
            right=register.right(assembly, "丁"),
            choices=ALL_APPROVE,
            authorisation=pdf_upload(),
            proxy_name="",
            actor=personas.committee,
        )
    assert caught.value.fields == {"proxy_name": "请填写受托人姓名。"}


def test_a_right_of_another_assembly_is_refused(assembly, register, personas, district, media):
    second = open_assembly(
        make_assembly(district.a1, personas.committee, motions=(ORDINARY,)), personas.committee
    )
    with pytest.raises(DomainError) as caught:
        services.ballot_enter_paper(
            assembly=second,
            right=register.right(assembly, "乙"),
            choices={"m1": "approve"},
            scan=pdf_upload(),
            actor=personas.committee,
        )
    assert caught.value.code == "not_this_assembly"


def test_paper_ballots_after_closing_are_refused(assembly, register, personas, media):
    close(assembly)
    with pytest.raises(DomainError) as caught:
        paper(register, assembly, personas, "乙")
    assert caught.value.code == "closed"


# --------------------------------------------------------------------------- tracing


def test_the_bureau_traces_a_ballot_to_its_units_and_it_is_audited(assembly, register, personas):
    ballot = cast(register, "甲", assembly)
    trace = services.ballot_trace(
        actor=personas.reviewer, assembly=assembly, tracker=ballot.tracker
    )
    assert trace["unit_codes"] == ["1栋-1单元-101"]
    assert trace["voter"] == "甲"
    event = AuditEvent.objects.get(action="ballot.trace")
    assert event.actor == personas.reviewer


def test_the_committee_cannot_trace_a_ballot(assembly, register, personas):
    ballot = cast(register, "甲", assembly)
    with pytest.raises(PermissionDeniedError):
        services.ballot_trace(actor=personas.committee, assembly=assembly, tracker=ballot.tracker)


def test_an_assembly_of_one_election_numbers_it_m1(register, personas):
    assembly = open_assembly(
        make_assembly(register.area, personas.committee, motions=(ELECTION,)), personas.committee
    )
    ballot = cast(register, "甲", assembly, {"m1": ["c2"]})
    assert ballot.choices == {"m1": ["c2"]}
