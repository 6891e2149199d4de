"""``python -m voting.verifier``: chain, recount and stored result of a gongzhi-board/1 board.

Exit 0 intact and matching, 1 not (naming the ballot or motion), 2 malformed.
Pure tests: no database; the subprocess tests prove the verifier needs no Django.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voting import boardformat, verifier
from voting.counting import cents_to_area

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO.parent / "shared" / "samples" / "board-sample.json"


@pytest.fixture
def sample() -> dict:
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is not present")
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def run(capsys, tmp_path, board, *args) -> tuple[int, dict | None, str]:
    """Write ``board`` (a dict, or raw bytes) and run the verifier's main on it."""
    path = tmp_path / "board.json"
    data = board if isinstance(board, bytes) else json.dumps(board, ensure_ascii=False).encode()
    path.write_bytes(data)
    code = verifier.main([str(path), *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else None), err


def rechain(board: dict) -> dict:
    """Re-hash every ballot and the head, as someone covering their tracks would."""
    stripped = [
        {k: v for k, v in b.items() if k not in ("seq", "prev", "hash")} for b in board["ballots"]
    ]
    board["ballots"] = boardformat.chain_ballots(stripped)
    board["head"] = boardformat.chain_head(board["ballots"])
    return board


# --- the sample board ---------------------------------------------------------


def test_sample_board_verifies_and_prints_the_recount(capsys, tmp_path, sample):
    code, out, err = run(capsys, tmp_path, sample)
    assert code == 0
    assert err == ""
    assert out["valid"] is True
    assert out["errors"] == []
    assert out["head"] == "e7bbde8d850beaa752c7e633a3700702aef768ea9e880b6b3d5871e923240515"
    motions = out["motions"]
    assert motions["m1"]["outcome"] == "rejected"
    assert motions["m1"]["participating"] == {"heads": 12, "area": "2807.55"}
    assert motions["m1"]["approve"] == {"heads": 7, "area": "884.70"}
    assert motions["m2"]["outcome"] == "approved"
    assert motions["m2"]["participating"] == {"heads": 11, "area": "2729.45"}
    assert motions["m2"]["approve"] == {"heads": 10, "area": "2590.73"}
    assert motions["m2"]["abstain"] == {"heads": 1, "area": "138.72"}
    assert motions["e1"]["outcome"] == "elected"
    assert motions["e1"]["elected"] == ["c2"]
    assert motions["e1"]["tie"] is False
    assert motions["e1"]["candidates"] == {
        "c1": {"heads": 7, "area": "849.18", "passes": False},
        "c2": {"heads": 7, "area": "2264.00", "passes": True},
        "c3": {"heads": 3, "area": "344.72", "passes": False},
    }


def test_quiet_prints_nothing_and_keeps_the_exit_status(capsys, tmp_path, sample):
    code, out, err = run(capsys, tmp_path, sample, "--quiet")
    assert (code, out, err) == (0, None, "")


def test_board_read_from_standard_input(monkeypatch, capsys, sample):
    data = json.dumps(sample).encode()

    class Stdin:
        buffer = __import__("io").BytesIO(data)

    monkeypatch.setattr(sys, "stdin", Stdin)
    assert verifier.main(["-", "--quiet"]) == 0


def test_stored_result_holding_the_full_recount_matches(capsys, tmp_path, sample):
    sample["result"] = verifier.verify_board(sample).motions
    code, out, _ = run(capsys, tmp_path, sample)
    assert code == 0
    assert out["motions"] == sample["result"]


# --- tampering: exit 1, naming the ballot or motion ---------------------------


def test_changed_choice_is_reported_at_its_ballot(capsys, tmp_path, sample):
    sample["ballots"][2]["choices"]["m1"] = "approve"  # seq 3 rejected m1
    code, out, err = run(capsys, tmp_path, sample)
    assert code == 1
    assert out["valid"] is False
    assert out["errors"] == [
        f"ballot 3: hash {sample['ballots'][2]['hash']} does not match its content "
        f"({boardformat.ballot_hash(sample['ballots'][2])})"
    ]
    assert "ballot 3: hash" in err


def test_changed_choice_rehashed_in_place_breaks_the_next_link(capsys, tmp_path, sample):
    ballot = sample["ballots"][2]
    ballot["choices"]["m1"] = "approve"
    ballot["hash"] = boardformat.ballot_hash(ballot)
    code, out, _ = run(capsys, tmp_path, sample)
    assert code == 1
    assert len(out["errors"]) == 1
    assert out["errors"][0].startswith("ballot 4: prev ")


def test_changed_area_is_reported_at_its_ballot(capsys, tmp_path, sample):
    sample["ballots"][11]["area"] = "152.04"
    code, out, _ = run(capsys, tmp_path, sample)
    assert code == 1
    assert out["errors"][0].startswith("ballot 12: hash ")
    assert out["errors"][1].startswith("head: ")


def test_dropped_ballot_in_the_middle_is_reported(capsys, tmp_path, sample):
    del sample["ballots"][4]  # seq 5
    code, out, _ = run(capsys, tmp_path, sample)
    assert code == 1
    assert out["errors"][0].startswith("ballot 6: is at position 5")
    assert out["errors"][1].startswith("ballot 6: prev ")


def test_dropped_last_ballot_breaks_the_head(capsys, tmp_path, sample):
    del sample["ballots"][-1]
    code, out, _ = run(capsys, tmp_path, sample)
    assert code == 1
    assert out["errors"][0].startswith("head: ")


def test_dropped_ballot_with_a_rebuilt_chain_contradicts_the_stored_result(
    capsys, tmp_path, sample
):
    # Without the 1,520.40 m² ballot no motion reaches quorum any more: the
    # re-chained board is internally consistent, but its result is not.
    del sample["ballots"][-1]
    code, out, _ = run(capsys, tmp_path, rechain(sample))
    assert code == 1
    assert out["motions"]["m1"]["participating"] == {"heads": 11, "area": "1287.15"}
    assert out["errors"] == [
        'motion m1: result.outcome is "rejected", the recount gives "no_quorum"',
        'motion m2: result.outcome is "approved", the recount gives "no_quorum"',
        'motion e1: result.outcome is "elected", the recount gives "no_quorum"',
        'motion e1: result.elected is ["c2"], the recount gives []',
    ]


def test_changed_vote_with_a_rebuilt_chain_contradicts_the_stored_result(capsys, tmp_path, sample):
    sample["ballots"][11]["choices"]["m1"] = "approve"  # the 1,520.40 m² right
    code, out, _ = run(capsys, tmp_path, rechain(sample))
    assert code == 1
    assert out["motions"]["m1"]["approve"] == {"heads": 8, "area": "2405.10"}
    assert out["errors"] == [
        'motion m1: result.outcome is "rejected", the recount gives "approved"'
    ]


def test_edited_result_is_reported_at_its_motion(capsys, tmp_path, sample):
    sample["result"]["m1"]["outcome"] = "approved"
    code, out, err = run(capsys, tmp_path, sample)
    assert code == 1
    assert out["errors"] == [
        'motion m1: result.outcome is "approved", the recount gives "rejected"'
    ]
    assert "motion m1" in err


def test_edited_elected_list_is_reported(capsys, tmp_path, sample):
    sample["result"]["e1"]["elected"] = ["c1", "c2"]
    code, out, _ = run(capsys, tmp_path, sample)
    assert code == 1
    assert out["errors"][0].startswith("motion e1: result.elected is")


def test_wrong_nested_count_in_the_result_is_reported(capsys, tmp_path, sample):
    sample["result"]["m2"]["participating"] = {"heads": 12}
    code, out, _ = run(capsys, tmp_path, sample)
    assert code == 1
    assert out["errors"] == ["motion m2: result.participating.heads is 12, the recount gives 11"]


def test_true_in_the_recount_is_not_matched_by_1_in_the_result(capsys, tmp_path, sample):
    sample["result"]["m2"]["quorum"] = 1
    code, out, _ = run(capsys, tmp_path, sample)
    assert code == 1
    assert out["errors"] == ["motion m2: result.quorum is 1, the recount gives true"]


def test_motion_missing_from_the_result_is_a_mismatch(capsys, tmp_path, sample):
    del sample["result"]["m2"]
    code, out, _ = run(capsys, tmp_path, sample)
    assert code == 1
    assert out["errors"] == ["motion m2: missing from the stored result"]


def test_extra_motion_in_the_result_is_a_mismatch(capsys, tmp_path, sample):
    sample["result"]["m9"] = {"outcome": "approved"}
    code, out, _ = run(capsys, tmp_path, sample)
    assert code == 1
    assert out["errors"] == ["motion m9: in the stored result but not a motion of the board"]


def test_election_result_without_tie_is_a_mismatch(capsys, tmp_path, sample):
    del sample["result"]["e1"]["tie"]
    code, out, _ = run(capsys, tmp_path, sample)
    assert code == 1
    assert out["errors"] == ["motion e1: the stored result lacks 'tie'"]


def test_edited_head_is_reported(capsys, tmp_path, sample):
    sample["head"] = "f" * 64
    code, out, _ = run(capsys, tmp_path, sample)
    assert code == 1
    assert out["head"] == "e7bbde8d850beaa752c7e633a3700702aef768ea9e880b6b3d5871e923240515"
    assert out["errors"] == [f"head: {'f' * 64} is not the hash of the last ballot ({out['head']})"]


def test_repeated_tracker_is_reported(capsys, tmp_path, sample):
    sample["ballots"][5]["tracker"] = sample["ballots"][0]["tracker"]
    code, out, _ = run(capsys, tmp_path, rechain(sample))
    assert code == 1
    assert out["errors"] == ["ballot 6: tracker '73CF256D-DDA1' is also on ballot 1"]


def test_ballots_outweighing_the_roll_are_reported(capsys, tmp_path, sample):
    sample["roll"].update(rights=11, heads=11, area="2000.00")
    code, out, _ = run(capsys, tmp_path, sample)
    assert code == 1
    assert out["errors"][:3] == [
        "roll: 12 ballots but only 11 voting rights",
        "roll: ballots carry 12 heads, the roll only 11",
        "roll: ballots carry 2807.55 m², the roll only 2000.00 m²",
    ]


# --- malformed: exit 2, message on stderr -------------------------------------


def test_not_json_exits_2(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, b"{not json")
    assert (code, out) == (2, None)
    assert "not valid JSON" in err


def test_unreadable_file_exits_2(capsys, tmp_path):
    code = verifier.main([str(tmp_path / "missing.json")])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert "cannot read" in err


def test_missing_key_exits_2(capsys, tmp_path, sample):
    del sample["ballots"][3]["tracker"]
    code, out, err = run(capsys, tmp_path, sample)
    assert (code, out) == (2, None)
    assert "ballots[3] (seq 4): missing key(s) tracker" in err


def test_extra_key_on_a_ballot_exits_2(capsys, tmp_path, sample):
    sample["ballots"][0]["unit"] = "1-1-101"  # a ballot must never say whose it is
    code, _, err = run(capsys, tmp_path, sample)
    assert code == 2
    assert "ballots[0] (seq 1): unknown key(s) unit" in err


def test_float_area_exits_2(capsys, tmp_path, sample):
    data = json.dumps(sample).replace('"area": "89.50"', '"area": 89.5').encode()
    code, _, err = run(capsys, tmp_path, data)
    assert code == 2
    assert "number 89.5 is not an integer" in err


def test_area_without_two_decimals_exits_2(capsys, tmp_path, sample):
    sample["ballots"][0]["area"] = "89.5"
    code, _, err = run(capsys, tmp_path, sample)
    assert code == 2
    assert "ballots[0] (seq 1).area: must be an area string with exactly two decimals" in err


def test_duplicate_key_exits_2(capsys, tmp_path, sample):
    data = json.dumps(sample).replace('"format": ', '"format": "x", "format": ', 1).encode()
    code, _, err = run(capsys, tmp_path, data)
    assert code == 2
    assert "key 'format' appears twice" in err


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda b: b.update(format="gongzhi-board/2"), "format: must be 'gongzhi-board/1'"),
        (lambda b: b["ballots"][0].update(channel="sms"), "channel: must be one of"),
        (lambda b: b["ballots"][0].update(heads=0), "heads: must be an integer ≥ 1"),
        (lambda b: b["ballots"][0].update(heads=True), "heads: must be an integer ≥ 1"),
        (lambda b: b["ballots"][0]["choices"].update(m9="approve"), "'m9' is not a motion id"),
        (lambda b: b["ballots"][0]["choices"].update(m1="yes"), "choices.m1: must be one of"),
        (lambda b: b["ballots"][0]["choices"].update(e1="approve"), "choices.e1: an election"),
        (lambda b: b["ballots"][0]["choices"].update(e1=[1]), "choices.e1: an election"),
        (lambda b: b["motions"][0].update(kind="urgent"), "motions[0].kind: must be one of"),
        (lambda b: b["motions"][2].update(seats=None), "motions[2].seats: must be an integer"),
        (lambda b: b["motions"][0].update(seats=2), "motions[0].seats: must be null"),
        (lambda b: b["motions"][1].update(id="m1"), "motion id 'm1' is used twice"),
        (lambda b: b["roll"].pop("heads"), "roll: missing key(s) heads"),
        (lambda b: b.update(head="E7BB"), "head: must be 64 lowercase hex digits"),
        (lambda b: b["assembly"].update(opens_at="tomorrow"), "assembly.opens_at: must be"),
        (lambda b: b.update(result=[]), "result: must be an object"),
        (lambda b: b.update(ballots={}), "ballots: must be a list"),
    ],
)
def test_structural_fault_exits_2(capsys, tmp_path, sample, edit, message):
    edit(sample)
    code, out, err = run(capsys, tmp_path, sample)
    assert (code, out) == (2, None)
    assert message in err


def test_top_level_array_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, tmp_path, b"[]")
    assert code == 2
    assert "board: must be an object" in err


def test_spoiled_election_list_is_counted_not_refused(capsys, tmp_path, sample):
    sample["ballots"][4]["choices"]["e1"] = ["c1", "c2", "c3"]  # 3 names for 2 seats
    code, out, _ = run(capsys, tmp_path, rechain(sample))
    assert code == 0
    assert out["motions"]["e1"]["invalid"] == {"heads": 1, "area": "78.10"}


# --- building boards ----------------------------------------------------------


def test_empty_board_has_the_genesis_head_and_no_quorum(capsys, tmp_path, sample):
    board = boardformat.build_board(
        assembly=sample["assembly"], roll=sample["roll"], motions=sample["motions"], ballots=[]
    )
    assert board["head"] == "0" * 64
    code, out, _ = run(capsys, tmp_path, board)
    assert code == 0
    assert {m: r["outcome"] for m, r in out["motions"].items()} == {
        "m1": "no_quorum",
        "m2": "no_quorum",
        "e1": "no_quorum",
    }


def test_chain_ballots_reproduces_the_sample_chain(sample):
    stripped = [
        {k: v for k, v in b.items() if k not in ("prev", "hash")} for b in sample["ballots"]
    ]
    assert boardformat.chain_ballots(stripped) == sample["ballots"]


def test_chain_ballots_refuses_a_seq_out_of_place():
    with pytest.raises(ValueError, match="seq 3 is not its position"):
        boardformat.chain_ballots([{"seq": 3}])


def test_canonical_json_is_sorted_compact_utf8():
    assert (
        boardformat.canonical_json({"b": "业主", "a": [1, 2]}) == '{"a":[1,2],"b":"业主"}'.encode()
    )


# --- no Django ----------------------------------------------------------------


def _python(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )


def test_verifier_module_does_not_import_django():
    proc = _python(
        "-c",
        "import sys, voting.verifier; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_verifier_runs_as_a_module_where_django_is_not_installed(sample):
    # -S leaves site-packages (and with it Django) off the path.
    assert _python("-S", "-c", "import django").returncode == 1
    proc = _python("-S", "-m", "voting.verifier", str(SAMPLE))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["motions"]["e1"]["elected"] == ["c2"]


def test_verifier_subprocess_exit_status_for_a_broken_board(tmp_path, sample):
    sample["head"] = "0" * 64
    path = tmp_path / "board.json"
    path.write_text(json.dumps(sample), encoding="utf-8")
    proc = _python("-S", "-m", "voting.verifier", "--quiet", str(path))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith("head: ")


# --- random boards ------------------------------------------------------------

CANDIDATES = ["c1", "c2", "c3"]


@st.composite
def boards(draw):
    motions = [
        {"id": "m1", "title": "议题一", "kind": "ordinary", "seats": None,
         "options": ["approve", "reject", "abstain"]},
        {"id": "m2", "title": "议题二", "kind": "special", "seats": None,
         "options": ["approve", "reject", "abstain"]},
        {"id": "e1", "title": "选举", "kind": "election", "seats": draw(st.integers(1, 3)),
         "options": CANDIDATES},
    ]  # fmt: skip
    plain = st.sampled_from(["approve", "reject", "abstain", "invalid", None])
    listed = st.one_of(
        st.none(), st.sampled_from(["abstain", "invalid"]), st.lists(st.sampled_from(CANDIDATES))
    )
    ballots, heads, cents = [], 0, 0
    for index in range(draw(st.integers(0, 10))):
        area = draw(st.integers(1, 30_000))
        choices = {m: draw(s) for m, s in (("m1", plain), ("m2", plain), ("e1", listed))}
        ballots.append(
            {
                "tracker": f"T{index:04d}",
                "heads": 1,
                "area": cents_to_area(area),
                "channel": draw(st.sampled_from(boardformat.CHANNELS)),
                "choices": {m: c for m, c in choices.items() if c is not None},
            }
        )
        heads, cents = heads + 1, cents + area
    extra = draw(st.integers(0, 5))
    roll = {
        "rights": heads + extra,
        "heads": heads + extra,
        "area": cents_to_area(cents + draw(st.integers(0, 50_000)) if extra else cents),
        "digest": "ab" * 32,
    }
    assembly = {"id": "a", "title": "大会", "opens_at": "2026-10-01T00:00:00+08:00",
                "closes_at": "2026-10-16T00:00:00+08:00"}  # fmt: skip
    return boardformat.build_board(assembly=assembly, roll=roll, motions=motions, ballots=ballots)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(board=boards(), data=st.data())
def test_random_built_boards_verify_and_any_single_edit_is_caught(board, data):
    encoded = boardformat.canonical_json(board)
    report = verifier.verify_bytes(encoded)
    assert report.errors == []
    assert report.head == board["head"]
    assert report.motions == board["result"]

    if not board["ballots"]:
        return
    index = data.draw(st.integers(0, len(board["ballots"]) - 1))
    tampered = copy.deepcopy(board)
    ballot = tampered["ballots"][index]
    ballot["tracker"] += "x"
    errors = verifier.verify_board(tampered).errors
    assert errors[0].startswith(f"ballot {index + 1}: hash ")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=3)
    | st.sampled_from(["89.50", "approve", "c1", "online", "0" * 64, "election"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


def _paths(node, path=()):
    yield path
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in children:
        yield from _paths(child, (*path, key))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_edit_of_the_sample_is_malformed_invalid_or_valid_never_a_crash(data):
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is not present")
    board = json.loads(SAMPLE.read_text(encoding="utf-8"))
    path = data.draw(st.sampled_from(list(_paths(board))[1:]))
    parent = board
    for key in path[:-1]:
        parent = parent[key]
    if data.draw(st.booleans()):
        parent[path[-1]] = data.draw(JSON_VALUES)
    elif isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent.pop(path[-1])
    try:
        report = verifier.verify_bytes(json.dumps(board).encode())
    except boardformat.BoardMalformed as exc:
        assert exc.errors
    else:
        assert isinstance(report.valid, bool)
