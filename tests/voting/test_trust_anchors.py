"""Ballots that cannot be quietly rewritten (DESIGN.md "Trust anchors").

The adversary has the database: they change ballot 2's choices, re-hash it and
every later ballot, and move the assembly's chain head — the ballot chain then
verifies on its own. What catches it:

1. the audit event written when ballot 2 was cast (its seq, hash, channel):
   counting stops, the board and result URLs say "公示板校验失败",
   ``audit_verify`` exits 1 naming the ballot;
2. with that event rewritten too and the audit chain re-hashed from it on, the
   audit-chain head signed into a later publication (the preliminary result
   notice) — from the stored PDF and from a copy held outside (``--anchors
   DIR``) — and the ballot-chain head the same notice carries.

Votes as in test_board_db: 甲, 乙, 丙 (paper), 己; ballot 2 is 乙's
(approve, approve, [c1]) and becomes (reject, reject, [c2, c3]).
"""

from __future__ import annotations

import json
import shutil
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from audit.chain import event_hash
from audit.models import AuditEvent, AuditHead
from audit.services import event_fields
from core.errors import DomainError
from publications.anchors import anchors_read
from tests.tamper import tamper
from voting import boardformat, selectors, services
from voting.integrity import (
    MISMATCH_ACTION,
    ballot_anchor_check,
    ballots_mismatch,
    cast_digest,
)
from voting.models import Assembly, Ballot

from .conftest import close, pdf_text, pdf_upload

pytestmark = pytest.mark.django_db

FORGED = {"m1": "reject", "m2": "reject", "m3": ["c2", "c3"]}


@pytest.fixture
def voted(assembly, register, personas, media):
    def cast(name, choices):
        services.ballot_cast(assembly=assembly, choices=choices, actor=register.user(name))

    cast("甲", {"m1": "approve", "m2": "approve", "m3": ["c1", "c2"]})
    cast("乙", {"m1": "approve", "m2": "approve", "m3": ["c1"]})
    services.ballot_enter_paper(
        assembly=assembly,
        right=register.right(assembly, "丙"),
        choices={"m1": "reject", "m2": "reject", "m3": ["c2", "c3"]},
        scan=pdf_upload(),
        actor=personas.committee,
    )
    cast("己", {"m1": "approve", "m2": "approve", "m3": ["c1", "c3"]})
    return close(assembly)


def audit_verify(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def rewrite_ballot(assembly: Assembly, seq: int, choices: dict) -> Ballot:
    """Change ballot ``seq`` and re-chain it and every later ballot, head included."""
    entries = []
    for ballot in Ballot.objects.filter(assembly=assembly).order_by("seq"):
        entry = {k: v for k, v in ballot.board_entry().items() if k not in ("prev", "hash")}
        if ballot.seq == seq:
            entry["choices"] = choices
        entries.append((ballot.pk, entry))
    chained = boardformat.chain_ballots([entry for _pk, entry in entries])
    for (pk, _entry), linked in zip(entries, chained, strict=True):
        if linked["seq"] >= seq:
            tamper(
                "UPDATE voting_ballot SET choices = %s, prev = %s, hash = %s WHERE id = %s",
                [json.dumps(linked["choices"]), linked["prev"], linked["hash"], pk],
            )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE voting_assembly SET chain_head = %s WHERE id = %s",
            [boardformat.chain_head(chained), assembly.pk],
        )
    return Ballot.objects.get(assembly=assembly, seq=seq)


def rewrite_audit_chain(ballots: list[Ballot]) -> int:
    """Make the ballots' cast events record their new hashes and re-hash the audit chain
    from the first of them on. Returns the seq of the first rewritten event."""
    digests = {str(b.pk): cast_digest(seq=b.seq, hash=b.hash, channel=b.channel) for b in ballots}
    casts = AuditEvent.objects.filter(object_type="voting.ballot", object_id__in=list(digests))
    first = casts.order_by("seq").first()
    prev = first.prev
    for event in AuditEvent.objects.filter(seq__gte=first.seq).order_by("seq"):
        fields = event_fields(event)
        if event.object_type == "voting.ballot" and event.action.startswith("ballot."):
            fields["after_digest"] = digests.get(event.object_id, fields["after_digest"])
        fields["prev"] = prev
        prev = event_hash(fields)
        tamper(
            "UPDATE audit_auditevent SET after_digest = %s, prev = %s, hash = %s WHERE id = %s",
            [fields["after_digest"], fields["prev"], prev, event.pk],
        )
    AuditHead.objects.filter(pk=1).update(last_hash=prev)
    return first.seq


# --------------------------------------------------------------------------- the count


def test_counting_stops_at_a_ballot_edited_and_rechained(voted, personas, outbox):
    personas.admin.phone = "13900000009"
    personas.admin.save(update_fields=["phone"])
    forged = rewrite_ballot(voted, 2, FORGED)
    # The ballot chain alone holds: only the audit record tells.
    assert Assembly.objects.get(pk=voted.pk).chain_head == boardformat.chain_head(
        [b.board_entry() for b in Ballot.objects.filter(assembly=voted).order_by("seq")]
    )

    with pytest.raises(DomainError) as caught:
        services.assembly_count(assembly=voted, actor=personas.committee)

    assert caught.value.code == "board_mismatch"
    assert caught.value.message.startswith("公示板校验失败")
    stored = Assembly.objects.get(pk=voted.pk)
    assert (stored.result, stored.closed_at) == (None, None)
    alarm = AuditEvent.objects.get(action=MISMATCH_ACTION)
    assert alarm.object_id == str(voted.pk)
    assert alarm.summary["reason"].startswith(f"ballot 2 of assembly {voted.pk} (id {forged.pk})")
    # The bureau is alerted: a text to each bureau admin with a phone, once per reason.
    assert [m.phone for m in outbox] == ["13900000009"]
    assert "公示板校验失败" in outbox[0].text
    with pytest.raises(DomainError):
        services.assembly_count(assembly=voted, actor=personas.committee)
    assert AuditEvent.objects.filter(action=MISMATCH_ACTION).count() == 1


def test_the_board_and_result_urls_answer_the_clear_error_never_a_500(voted, client, personas):
    services.assembly_count(assembly=voted, actor=personas.committee)
    rewrite_ballot(voted, 2, FORGED)

    for url in (
        reverse("voting:board", args=[voted.pk]),
        f"/api/v1/assemblies/{voted.pk}/board/",
        f"/api/v1/assemblies/{voted.pk}/result/",
    ):
        response = client.get(url)
        assert response.status_code == 409, url
        body = response.json()
        assert body["code"] == "board_mismatch"
        assert body["detail"].startswith("公示板校验失败")

    page = client.get(reverse("voting:tracker", args=[voted.pk]), {"t": "abc"})
    assert page.status_code == 409
    assert "公示板校验失败" in page.content.decode()
    client.force_login(personas.committee)
    results = client.get(reverse("voting:results", args=[voted.pk]))
    assert results.status_code == 409
    assert "公示板校验失败" in results.content.decode()


def test_an_intact_count_matches_every_ballot_with_its_cast_event(voted, personas):
    assert ballots_mismatch(voted) is None
    counted = services.assembly_count(assembly=voted, actor=personas.committee)
    assert counted.status == "closed"


def test_a_ballot_whose_cast_event_is_missing_is_a_mismatch(voted):
    # A ballot inserted behind the service's back has no cast event.
    ballot = Ballot.objects.get(assembly=voted, seq=4)
    tamper(
        "UPDATE audit_auditevent SET object_id = %s WHERE object_type = %s AND object_id = %s",
        ["0", "voting.ballot", str(ballot.pk)],
    )
    assert ballots_mismatch(voted) == (
        f"ballot 4 of assembly {voted.pk} (id {ballot.pk}): "
        "no audit event was written when it was cast"
    )


# --------------------------------------------------------------------------- receipts


def test_after_close_the_tracker_page_checks_a_receipt_against_the_board(voted, client):
    receipt = selectors.receipt(Ballot.objects.get(assembly=voted, seq=3))
    url = reverse("voting:tracker", args=[voted.pk])

    same = client.get(url, {"t": receipt["tracker"], "h": receipt["hash"]})
    other = client.get(url, {"t": receipt["tracker"], "h": "0" * 64})

    assert same.status_code == other.status_code == 200
    assert "data-receipt-ok" in same.content.decode()
    assert "data-receipt-mismatch" in other.content.decode()


# --------------------------------------------------------------------------- audit_verify


def test_audit_verify_exits_1_naming_the_edited_ballot(voted, personas):
    services.assembly_count(assembly=voted, actor=personas.committee)
    assert audit_verify()[0] == 0
    forged = rewrite_ballot(voted, 2, FORGED)

    code, out, err = audit_verify()

    assert code == 1
    assert err == (
        f"MISMATCH in ballots: ballot 2 of assembly {voted.pk} (id {forged.pk}): seq/hash/channel "
        "do not match audit event #"
        f"{AuditEvent.objects.get(object_type='voting.ballot', object_id=str(forged.pk)).seq} "
        "written when it was cast\n"
    )


def test_with_the_audit_chain_rehashed_too_a_later_publication_anchor_catches_it(
    voted, personas, publishing, tmp_path
):
    services.assembly_count(assembly=voted, actor=personas.committee)
    services.assembly_result_publish(assembly=voted, actor=personas.committee)
    notice = Assembly.objects.get(pk=voted.pk).preliminary_publication
    with notice.file.open("rb") as handle:
        data = handle.read()
    anchors = anchors_read(data)
    audit_anchor, log_anchor, ballot_anchor = anchors
    assert audit_anchor["chain"] == "gongzhi-audit/1"
    assert ballot_anchor == {
        "chain": "gongzhi-board/1",
        "assembly": voted.pk,
        "count": 4,
        "head": voted.chain_head,
    }
    text = pdf_text(notice)
    assert audit_anchor["head"] in text and voted.chain_head in text
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / f"{notice.serial}.pdf").write_bytes(data)
    code, out, _err = audit_verify()
    assert code == 0
    assert "OK: 4 ballots match their audit events" in out
    assert "OK: 3 anchors in 1 signed publications hold" in out
    upload = SimpleUploadedFile("notice.pdf", data, content_type="application/pdf")
    intact = Client().post(reverse("publications:verify_upload"), {"file": upload})
    assert 'data-anchors="hold"' in intact.content.decode()

    rewrite_ballot(voted, 2, FORGED)
    rewritten_from = rewrite_audit_chain(list(Ballot.objects.filter(assembly=voted, seq__gte=2)))
    assert rewritten_from <= audit_anchor["seq"]

    code, out, err = audit_verify()

    assert out.splitlines()[0].startswith("OK: ")  # the audit chain verifies on its own
    # The chain and the records agree with each other now; the signed head does not.
    assert code == 1
    assert out.splitlines()[1] == "OK: 4 ballots match their audit events"
    new = AuditEvent.objects.get(seq=audit_anchor["seq"]).hash
    assert err == (
        f"ANCHOR BROKEN: publication {notice.serial}: anchor gongzhi-audit/1 seq "
        f"{audit_anchor['seq']} head {audit_anchor['head']}: audit event "
        f"#{audit_anchor['seq']} now hashes to {new}\n"
    )
    # The same from a copy held outside the system.
    code, _out, err = audit_verify("--anchors", str(kept))
    assert code == 1
    assert err.startswith(
        f"ANCHOR BROKEN: {notice.serial}.pdf ({notice.serial}): anchor gongzhi-audit/1 seq "
    )
    # The public /verify upload says so too.
    upload = SimpleUploadedFile("notice.pdf", data, content_type="application/pdf")
    page = Client().post(reverse("publications:verify_upload"), {"file": upload})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-anchors="broken"' in html and "与数据库不一致" in html
    assert "被改写" in html
    # And the ballot chain's own anchor on the notice.
    last = Ballot.objects.get(assembly=voted, seq=4)
    assert last.hash != ballot_anchor["head"]
    assert ballot_anchor_check(ballot_anchor) == (
        f"the ballots of assembly {voted.pk} now chain to {last.hash}"
    )


def test_a_kept_copy_that_is_not_the_logged_file_is_refused(voted, personas, publishing, tmp_path):
    services.assembly_count(assembly=voted, actor=personas.committee)
    services.assembly_result_publish(assembly=voted, actor=personas.committee)
    notice = Assembly.objects.get(pk=voted.pk).preliminary_publication
    kept = tmp_path / "kept"
    kept.mkdir()
    with notice.file.open("rb") as handle:
        data = bytearray(handle.read())
    data[-10] ^= 1
    (kept / "notice.pdf").write_bytes(bytes(data))

    code, _out, err = audit_verify("--anchors", str(kept))

    assert code == 1
    assert err.startswith("ANCHOR BROKEN: notice.pdf: SHA-256 ")
    assert err.endswith("is not in the publication log\n")


def test_anchors_dir_without_pdfs_is_a_usage_error(tmp_path, db):
    assert audit_verify("--anchors", str(tmp_path))[0] == 2


def test_the_stored_file_must_match_the_log(voted, personas, publishing):
    services.assembly_count(assembly=voted, actor=personas.committee)
    services.assembly_result_publish(assembly=voted, actor=personas.committee)
    notice = Assembly.objects.get(pk=voted.pk).preliminary_publication
    path = notice.file.path
    shutil.copyfile(path, path + ".orig")
    with open(path, "r+b") as handle:
        handle.seek(200)
        byte = handle.read(1)
        handle.seek(200)
        handle.write(bytes([byte[0] ^ 1]))

    code, _out, err = audit_verify()

    assert code == 1
    assert err.startswith(f"ANCHOR BROKEN: publication {notice.serial}: SHA-256 ")


def test_no_result_notice_is_signed_for_ballots_rewritten_after_the_count(
    voted, personas, publishing
):
    services.assembly_count(assembly=voted, actor=personas.committee)
    rewrite_ballot(voted, 1, FORGED)

    with pytest.raises(DomainError) as caught:
        services.assembly_result_publish(assembly=voted, actor=personas.committee)

    assert caught.value.code == "board_mismatch"
    stored = Assembly.objects.get(pk=voted.pk)
    assert (stored.status, stored.preliminary_publication) == ("closed", None)
    assert AuditEvent.objects.filter(action=MISMATCH_ACTION).count() == 1
