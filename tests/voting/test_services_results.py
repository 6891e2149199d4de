"""Counting, the preliminary result (signed PDF), objections and the final result."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from core import periods
from core.errors import DomainError, PermissionDeniedError
from publications.models import Kind
from voting import services
from voting.board_store import board_build
from voting.models import Assembly, Objection, RollSnapshot
from voting.services.common import start_of_day

from .conftest import (
    ORDINARY,
    SPECIAL,
    close,
    make_assembly,
    mark_noticed,
    pdf_text,
    shift,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def voted(assembly, register):
    """甲, 乙 and 戊 approve everything, 丙 rejects (see test_board_db for the arithmetic)."""

    def cast(name, choices):
        services.ballot_cast(assembly=assembly, choices=choices, actor=register.user(name))

    cast("甲", {"m1": "approve", "m2": "approve", "m3": ["c1", "c2"]})
    cast("乙", {"m1": "approve", "m2": "approve", "m3": ["c1"]})
    cast("丙", {"m1": "reject", "m2": "reject", "m3": ["c2", "c3"]})
    cast("戊", {"m1": "approve", "m2": "approve", "m3": ["c1", "c3"]})
    return assembly


def test_counting_before_the_close_is_refused_with_the_closing_time(voted, personas):
    with pytest.raises(DomainError) as caught:
        services.assembly_count(assembly=voted, actor=personas.committee)
    assert caught.value.code == "not_closed"
    assert Assembly.objects.get(pk=voted.pk).result is None


def test_the_count_stores_the_result_of_the_board(voted, personas):
    close(voted)

    counted = services.assembly_count(assembly=voted, actor=personas.committee)

    assert counted.status == "closed"
    assert counted.result == board_build(voted)["result"]
    assert counted.result["m1"]["outcome"] == "approved"
    assert counted.result["m2"]["outcome"] == "rejected"
    assert counted.result["m3"]["elected"] == ["c1"]
    event = AuditEvent.objects.get(action="assembly.close")
    assert event.summary["head"] == counted.chain_head
    assert event.summary["outcomes"] == {"m1": "approved", "m2": "rejected", "m3": "elected"}


def test_counting_twice_changes_nothing(voted, personas):
    close(voted)
    services.assembly_count(assembly=voted, actor=personas.committee)
    services.assembly_count(assembly=voted, actor=None)
    assert AuditEvent.objects.filter(action="assembly.close").count() == 1


def test_an_assembly_nobody_opened_counts_as_no_quorum(register, personas):
    assembly = mark_noticed(
        make_assembly(register.area, personas.committee, motions=(ORDINARY, SPECIAL))
    )
    shift(assembly, opens=-timedelta(days=3), closes=-timedelta(hours=1))

    counted = services.assembly_count(assembly=assembly, actor=None)

    assert counted.status == "closed"
    assert RollSnapshot.objects.get(assembly=assembly).rights == 6
    assert counted.result["m1"]["outcome"] == "no_quorum"
    assert counted.result["m1"]["participating"] == {"heads": 0, "area": "0.00"}
    assert counted.result["m2"]["outcome"] == "no_quorum"


def test_an_owner_cannot_close_a_vote(voted, register):
    close(voted)
    with pytest.raises(PermissionDeniedError):
        services.assembly_count(assembly=voted, actor=register.user("甲"))


def test_the_preliminary_result_is_published_with_the_head_and_the_roll_digest(
    voted, personas, publishing
):
    close(voted)

    published = services.assembly_close_and_count(assembly=voted, actor=personas.committee)

    assert published.status == "preliminary"
    publication = published.preliminary_publication
    assert publication.kind == Kind.VOTE_RESULT_PRELIMINARY
    text = pdf_text(publication)
    flat = "".join(text.split())
    assert published.chain_head in flat
    assert published.snapshot.digest in flat
    assert "通过" in text and "未通过" in text and "张三" in text
    issued = timezone.localdate(publication.issued_at)
    assert published.objection_deadline == start_of_day(periods.period_expires(issued, 7))


def test_a_count_whose_publication_fails_stays_counted_and_publishes_on_the_next_run(
    voted, personas, settings, publishing, tmp_path
):
    close(voted)
    settings.GONGZHI_SIGNING_DIR = tmp_path / "no-keys-here"

    with pytest.raises(DomainError):
        services.assembly_close_and_count(assembly=voted, actor=None)

    stored = Assembly.objects.get(pk=voted.pk)
    assert stored.status == "closed"
    assert stored.result["m1"]["outcome"] == "approved"
    settings.GONGZHI_SIGNING_DIR = publishing
    assert services.assembly_close_and_count(assembly=voted, actor=None).status == "preliminary"


def preliminary(assembly, *, deadline_in=timedelta(days=3)):
    """A counted assembly in its objection period (its notice is tested above)."""
    close(assembly)
    services.assembly_count(assembly=assembly, actor=None)
    Assembly.objects.filter(pk=assembly.pk).update(
        status="preliminary", objection_deadline=timezone.now() + deadline_in
    )
    assembly.refresh_from_db()
    return assembly


def test_an_owner_on_the_roll_files_an_objection(voted, register):
    assembly = preliminary(voted)
    objection = services.objection_file(
        assembly=assembly,
        text="议题二面积统计有误",
        motion=assembly.motions.get(code="m2"),
        actor=register.user("丁"),
    )
    assert objection.person == register.person("丁")
    assert AuditEvent.objects.get(action="objection.file").summary == {
        "assembly": assembly.pk,
        "objection": objection.pk,
    }


def test_an_owner_not_on_the_roll_cannot_object(voted, district):
    from .conftest import build_register

    other = build_register(district.b1, [("庚", ["90.00"])])
    assembly = preliminary(voted)
    with pytest.raises(DomainError) as caught:
        services.objection_file(assembly=assembly, text="异议", actor=other.user("庚"))
    assert caught.value.code == "not_on_roll"


def test_an_objection_after_the_period_is_refused(voted, register):
    assembly = preliminary(voted, deadline_in=-timedelta(seconds=1))
    with pytest.raises(DomainError) as caught:
        services.objection_file(assembly=assembly, text="异议", actor=register.user("丁"))
    assert caught.value.code == "objection_closed"
    assert Objection.objects.count() == 0


def test_the_committee_answers_an_objection_once(voted, register, personas):
    assembly = preliminary(voted)
    objection = services.objection_file(assembly=assembly, text="异议", actor=register.user("丁"))
    answered = services.objection_answer(
        objection=objection, answer="经复核，面积按登记面积计算无误。", actor=personas.committee
    )
    assert answered.answered_by == personas.committee
    with pytest.raises(DomainError) as caught:
        services.objection_answer(objection=objection, answer="再答", actor=personas.committee)
    assert caught.value.code == "already_answered"


def test_an_owner_cannot_answer_objections(voted, register):
    assembly = preliminary(voted)
    objection = services.objection_file(assembly=assembly, text="异议", actor=register.user("丁"))
    with pytest.raises(PermissionDeniedError):
        services.objection_answer(objection=objection, answer="无误", actor=register.user("甲"))


def test_the_result_is_not_final_before_the_objection_period_ends(voted, personas):
    assembly = preliminary(voted)
    with pytest.raises(DomainError) as caught:
        services.assembly_finalise(assembly=assembly, actor=personas.committee)
    assert caught.value.code == "objection_period"


def test_the_result_is_not_final_while_an_objection_is_unanswered(voted, register, personas):
    assembly = preliminary(voted)
    services.objection_file(assembly=assembly, text="异议一", actor=register.user("丁"))
    services.objection_file(assembly=assembly, text="异议二", actor=register.user("甲"))
    Assembly.objects.filter(pk=assembly.pk).update(objection_deadline=timezone.now())
    with pytest.raises(DomainError) as caught:
        services.assembly_finalise(assembly=assembly, actor=personas.committee)
    assert caught.value.code == "objections_open"
    assert "2 条异议" in caught.value.message


def test_the_final_result_is_published_with_the_answers(voted, register, personas, publishing):
    assembly = preliminary(voted)
    objection = services.objection_file(
        assembly=assembly, text="我家的电话是13912345678", actor=register.user("丁")
    )
    services.objection_answer(
        objection=objection, answer="经复核，计票无误。", actor=personas.committee
    )
    Assembly.objects.filter(pk=assembly.pk).update(objection_deadline=timezone.now())

    final = services.assembly_finalise(assembly=assembly, actor=personas.committee)

    assert final.status == "final"
    assert final.final_publication.kind == Kind.VOTE_RESULT_FINAL
    text = pdf_text(final.final_publication)
    assert "经复核，计票无误。" in text
    # The objection itself is not published (it may carry personal data).
    assert "13912345678" not in text
    assert AuditEvent.objects.get(action="assembly.finalise").actor == personas.committee
