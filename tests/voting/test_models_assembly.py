"""Models: status from the clock, the transition table, motion kinds, uploads, what is final."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.uploads import MAX_UPLOAD_BYTES, validate_upload
from voting import counting
from voting.models import (
    Assembly,
    Ballot,
    FinalError,
    Motion,
    RollSnapshot,
    VotingRight,
    kind_for_item,
    legal_basis,
    threshold_text,
)

from .conftest import ALL_APPROVE, PDF_BYTES, pdf_upload, png_upload

NOW = timezone.now()


def _assembly(status: str) -> Assembly:
    return Assembly(
        status=status, opens_at=NOW + timedelta(hours=1), closes_at=NOW + timedelta(hours=2)
    )


# --------------------------------------------------------------------------- status


def test_a_noticed_assembly_is_noticed_before_it_opens():
    assert _assembly("noticed").current_status(NOW) == "noticed"


def test_a_noticed_assembly_is_open_from_the_second_it_opens():
    assert _assembly("noticed").current_status(NOW + timedelta(hours=1)) == "open"


def test_a_noticed_assembly_is_closed_from_the_second_it_closes():
    assert _assembly("noticed").current_status(NOW + timedelta(hours=2)) == "closed"


def test_an_open_assembly_is_still_open_one_microsecond_before_it_closes():
    moment = NOW + timedelta(hours=2) - timedelta(microseconds=1)
    assert _assembly("open").current_status(moment) == "open"


def test_a_draft_never_opens_by_the_clock():
    assert _assembly("draft").current_status(NOW + timedelta(days=9)) == "draft"


def test_a_cancelled_assembly_stays_cancelled():
    assert _assembly("cancelled").current_status(NOW + timedelta(days=9)) == "cancelled"


def test_a_counted_assembly_keeps_its_stored_status():
    assert _assembly("preliminary").current_status(NOW + timedelta(days=9)) == "preliminary"


def test_cancelling_is_in_the_table_only_before_opening():
    cancellable = {s for s, moves in Assembly.TRANSITIONS.items() if "cancelled" in moves}
    assert cancellable == {"draft", "noticed"}


def test_the_table_runs_draft_to_final_one_step_at_a_time():
    chain = ["draft", "noticed", "open", "closed", "preliminary", "final"]
    for old, new in zip(chain, chain[1:], strict=False):
        assert new in Assembly.TRANSITIONS[old]
    assert Assembly.TRANSITIONS["final"] == frozenset()
    assert Assembly.TRANSITIONS["open"] == frozenset({"closed"})


@pytest.mark.django_db
def test_the_database_refuses_a_window_that_closes_before_it_opens(district):
    with pytest.raises(IntegrityError):
        Assembly.objects.create(
            area=district.a1, title="t", convener="c", opens_at=NOW, closes_at=NOW
        )


# --------------------------------------------------------------------------- motions


@pytest.mark.parametrize(
    ("item", "kind"),
    [
        (1, "ordinary"),
        (2, "ordinary"),
        (3, "election"),
        (4, "ordinary"),
        (5, "ordinary"),
        (6, "special"),
        (7, "special"),
        (8, "special"),
        (9, "ordinary"),
    ],
)
def test_the_kind_follows_from_the_civil_code_item(item, kind):
    assert kind_for_item(item) == kind


@pytest.mark.parametrize("item", [0, 10])
def test_art_278_has_nine_items(item):
    with pytest.raises(ValueError):
        kind_for_item(item)


def test_fund_use_shows_item_five_as_its_legal_basis():
    assert (
        legal_basis(5)
        == "《民法典》第二百七十八条第一款第（五）项：使用建筑物及其附属设施的维修资金"
    )


def test_a_special_motion_shows_the_three_quarter_threshold():
    text = threshold_text(counting.SPECIAL)
    assert "三分之二以上" in text and "四分之三以上" in text and "过半数" not in text


def test_an_ordinary_motion_shows_the_majority_threshold():
    text = threshold_text(counting.ORDINARY)
    assert "过半数" in text and "四分之三" not in text


@pytest.mark.django_db
def test_the_database_refuses_a_kind_that_does_not_follow_from_the_item(district):
    assembly = Assembly.objects.create(
        area=district.a1, title="t", convener="c", opens_at=NOW, closes_at=NOW + timedelta(days=1)
    )
    with pytest.raises(IntegrityError):
        Motion.objects.create(
            assembly=assembly, position=1, code="m1", title="筹集", item=6, kind="ordinary"
        )


@pytest.mark.django_db
def test_the_database_refuses_seats_on_a_motion_that_is_not_an_election(district):
    assembly = Assembly.objects.create(
        area=district.a1, title="t", convener="c", opens_at=NOW, closes_at=NOW + timedelta(days=1)
    )
    with pytest.raises(IntegrityError):
        Motion.objects.create(
            assembly=assembly, position=1, code="m1", title="续聘", item=4, kind="ordinary", seats=1
        )


# --------------------------------------------------------------------------- uploads


def test_a_pdf_upload_is_accepted():
    validate_upload(pdf_upload())


def test_a_png_upload_is_accepted():
    validate_upload(png_upload())


def test_an_upload_of_exactly_ten_megabytes_is_accepted():
    data = PDF_BYTES + b"0" * (MAX_UPLOAD_BYTES - len(PDF_BYTES))
    validate_upload(SimpleUploadedFile("big.pdf", data))


def test_an_upload_one_byte_over_ten_megabytes_is_refused():
    data = PDF_BYTES + b"0" * (MAX_UPLOAD_BYTES + 1 - len(PDF_BYTES))
    with pytest.raises(ValidationError) as caught:
        validate_upload(SimpleUploadedFile("big.pdf", data))
    assert caught.value.code == "file_size"


def test_a_word_document_is_refused():
    with pytest.raises(ValidationError) as caught:
        validate_upload(SimpleUploadedFile("scan.docx", b"PK\x03\x04rest"))
    assert caught.value.code == "file_type"


def test_a_program_renamed_to_pdf_is_refused():
    with pytest.raises(ValidationError) as caught:
        validate_upload(SimpleUploadedFile("scan.pdf", b"MZ\x90\x00" + b"\x00" * 60))
    assert caught.value.code == "file_content"


# --------------------------------------------------------------------------- final rows


@pytest.mark.django_db
def test_a_cast_ballot_cannot_be_changed(assembly, register):
    from voting import services

    ballot = services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user("甲"))
    ballot.choices = {"m1": "reject", "m2": "reject", "m3": []}
    with pytest.raises(FinalError):
        ballot.save()
    with pytest.raises(FinalError), transaction.atomic():
        Ballot.objects.filter(pk=ballot.pk).update(choices={})
    assert Ballot.objects.get(pk=ballot.pk).choices == ALL_APPROVE


@pytest.mark.django_db
def test_a_cast_ballot_cannot_be_deleted(assembly, register):
    from voting import services

    ballot = services.ballot_cast(assembly=assembly, choices=ALL_APPROVE, actor=register.user("甲"))
    with pytest.raises(FinalError):
        ballot.delete()
    with pytest.raises(FinalError):
        Ballot.objects.all().delete()
    assert Ballot.objects.count() == 1


@pytest.mark.django_db
def test_a_frozen_roll_cannot_be_changed(assembly):
    snapshot = RollSnapshot.objects.get(assembly=assembly)
    snapshot.heads = 99
    with pytest.raises(FinalError):
        snapshot.save()
    with pytest.raises(FinalError):
        VotingRight.objects.filter(assembly=assembly).update(area=1)
