"""The public board built from the database verifies with the standalone verifier (subprocess).

Votes (frozen roll: 6 rights, 6 heads, 594.75 m²; 2/3 lines: 4 heads, 396.50 m²):
甲 89.50, 乙 100.00, 戊+己 110.00 approve m1 and m2; 丙 120.25 rejects both; 丁 and the
developer do not vote. Participation 4 heads, 419.75 m² — quorum met.
m1 (ordinary): 3 heads > 2 and 299.50 m² > 209.875 → approved.
m2 (special): 4·3 = 12 ≥ 3·4 = 12 by heads, but 4·299.50 = 1198 < 3·419.75 = 1259.25
by area → rejected.
m3 (election, 2 seats): c1 approved by 甲, 乙, 戊 (3 heads, 299.50 m²) passes; c2 by 甲 and
丙 (2 heads) and c3 by 丙 and 戊 (2 heads) do not (2·2 = 4 is not > 4) → elected [c1].
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.tamper import tamper
from voting import boardformat
from voting.board_store import BoardMismatch, BoardNotReady, board_build, board_bytes
from voting.models import Ballot, VotingRight

from .conftest import close, pdf_upload

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def voted(assembly, register, personas, media):
    from voting import services

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


def verify(tmp_path, board: dict | bytes) -> subprocess.CompletedProcess:
    """``python -m voting.verifier`` in a fresh interpreter that cannot import Django."""
    path = tmp_path / "board.json"
    path.write_bytes(board if isinstance(board, bytes) else board_bytes(board))
    return subprocess.run(
        [sys.executable, "-S", "-m", "voting.verifier", str(path)],
        cwd=REPO,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_board_built_from_the_database_verifies(voted, tmp_path):
    board = board_build(voted)

    result = verify(tmp_path, board)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["valid"] is True
    assert report["head"] == voted.chain_head == board["head"]
    motions = report["motions"]
    assert motions["m1"]["outcome"] == "approved"
    assert motions["m1"]["participating"] == {"heads": 4, "area": "419.75"}
    assert motions["m1"]["approve"] == {"heads": 3, "area": "299.50"}
    assert motions["m2"]["outcome"] == "rejected"
    assert motions["m3"]["outcome"] == "elected"
    assert motions["m3"]["elected"] == ["c1"]
    assert motions["m3"]["tie"] is False


def test_the_board_carries_the_frozen_roll_and_the_motions(voted):
    board = board_build(voted)
    assert board["roll"] == {
        "rights": 6,
        "heads": 6,
        "area": "594.75",
        "digest": voted.snapshot.digest,
    }
    assert [m["id"] for m in board["motions"]] == ["m1", "m2", "m3"]
    assert board["motions"][1] == {
        "id": "m2",
        "title": "筹集维修资金",
        "kind": "special",
        "seats": None,
        "options": ["approve", "reject", "abstain"],
    }
    assert board["assembly"]["candidates"] == {"m3": {"c1": "张三", "c2": "李四", "c3": "王五"}}
    assert [b["channel"] for b in board["ballots"]] == ["online", "online", "paper", "online"]


def test_the_board_keeps_the_hashes_stored_at_casting(voted):
    board = board_build(voted)
    stored = list(Ballot.objects.filter(assembly=voted).order_by("seq"))
    assert [(b["seq"], b["tracker"], b["hash"]) for b in board["ballots"]] == [
        (b.seq, b.tracker, b.hash) for b in stored
    ]


def test_the_board_never_shows_who_voted(voted, register):
    data = board_bytes(board_build(voted)).decode("utf-8")
    for ballot in board_build(voted)["ballots"]:
        assert set(ballot) == boardformat.BALLOT_KEYS
    for right in VotingRight.objects.filter(assembly=voted):
        assert right.key not in data
        for code in right.unit_codes:
            assert code not in data
    for owner in register.owners.values():
        assert owner.person.phone not in data
        assert owner.person.id_hmac not in data


def test_changing_one_choice_makes_the_verifier_exit_1(voted, tmp_path):
    board = board_build(voted)
    board["ballots"][1]["choices"]["m1"] = "reject"

    result = verify(tmp_path, board)

    assert result.returncode == 1
    assert "ballot 2" in result.stderr


def test_dropping_a_ballot_makes_the_verifier_exit_1(voted, tmp_path):
    board = board_build(voted)
    del board["ballots"][2]

    result = verify(tmp_path, board)

    assert result.returncode == 1
    assert "ballot 4" in result.stderr


def test_editing_the_result_makes_the_verifier_exit_1(voted, tmp_path):
    board = board_build(voted)
    board["result"]["m2"]["outcome"] = "approved"

    result = verify(tmp_path, board)

    assert result.returncode == 1
    assert "motion m2" in result.stderr


def test_an_open_assembly_has_no_board_yet(assembly, register):
    with pytest.raises(BoardNotReady):
        board_build(assembly)


def test_a_ballot_edited_in_the_database_is_not_published(voted):
    # Bypass the model (which refuses updates) as someone with database access would.
    ballot = Ballot.objects.get(assembly=voted, seq=3)
    tamper(
        "UPDATE voting_ballot SET choices = %s WHERE id = %s",
        [json.dumps({"m1": "approve", "m2": "approve", "m3": ["c2", "c3"]}), ballot.pk],
    )
    with pytest.raises(BoardMismatch, match="ballot 3"):
        board_build(voted)


def test_the_command_writes_a_board_the_verifier_accepts(voted, tmp_path):
    out = tmp_path / "board-cmd.json"
    call_command("assembly_board", str(voted.pk), "--out", str(out))
    data = out.read_bytes()
    assert data == board_bytes(board_build(voted))
    assert verify(tmp_path, data).returncode == 0
