"""audit.chain.first_break on random chains: intact chains pass whole, and any single
change, removal, swap or insertion is found at the exact position it was made."""

from __future__ import annotations

import copy

from hypothesis import assume, given
from hypothesis import strategies as st

from audit.chain import FIELDS, GENESIS, canonical, event_hash, first_break

text = st.text(max_size=12)
json_scalars = st.none() | st.booleans() | st.integers() | text
summaries = st.dictionaries(text, json_scalars, max_size=4)
hexes = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)

FIELD_VALUES = {
    "seq": st.integers(min_value=-5, max_value=10_000),
    "at": st.datetimes().map(lambda d: d.isoformat(timespec="microseconds") + "+00:00"),
    "actor": st.none() | st.integers(min_value=1, max_value=10_000),
    "actor_label": text,
    "action": text,
    "object_type": text,
    "object_id": text,
    "before_digest": st.just("") | hexes,
    "after_digest": st.just("") | hexes,
    "summary": summaries,
    "prev": hexes,
    "hash": hexes,
}


@st.composite
def contents(draw):
    return {field: draw(FIELD_VALUES[field]) for field in FIELDS if field not in ("seq", "prev")}


def link(bodies: list[dict]) -> list[dict]:
    """Chain event bodies the way audit_record does: seq 1..n, prev, hash."""
    chain, prev = [], GENESIS
    for seq, body in enumerate(bodies, start=1):
        event = {**body, "seq": seq, "prev": prev}
        event["hash"] = event_hash(event)
        chain.append(event)
        prev = event["hash"]
    return chain


chains = st.lists(contents(), min_size=1, max_size=8).map(link)


@given(chains)
def test_an_intact_chain_verifies_whole(chain):
    assert first_break(chain) == (len(chain), None, "")


@given(chains, st.data())
def test_changing_any_field_of_any_event_is_found_at_that_event(chain, data):
    index = data.draw(st.integers(min_value=0, max_value=len(chain) - 1))
    field = data.draw(st.sampled_from([*FIELDS, "hash"]))
    value = data.draw(FIELD_VALUES[field])
    assume(canonical(value) != canonical(chain[index][field]))
    tampered = copy.deepcopy(chain)
    tampered[index][field] = value

    count, bad, _ = first_break(tampered)

    assert (count, bad) == (index, tampered[index])


@given(chains, st.data())
def test_removing_any_event_but_the_last_is_found_where_it_was(chain, data):
    assume(len(chain) >= 2)
    index = data.draw(st.integers(min_value=0, max_value=len(chain) - 2))
    tampered = chain[:index] + chain[index + 1 :]

    count, bad, _ = first_break(tampered)

    assert (count, bad) == (index, chain[index + 1])


@given(chains, st.data())
def test_swapping_two_neighbouring_events_is_found_at_the_first_of_them(chain, data):
    assume(len(chain) >= 2)
    index = data.draw(st.integers(min_value=0, max_value=len(chain) - 2))
    tampered = list(chain)
    tampered[index], tampered[index + 1] = tampered[index + 1], tampered[index]

    count, bad, _ = first_break(tampered)

    assert (count, bad) == (index, chain[index + 1])


@given(chains, st.data(), contents())
def test_inserting_a_well_formed_event_anywhere_but_the_end_is_found_there(chain, data, body):
    # The intruder is hashed correctly and links to its predecessor; only the
    # next link (or its seq) gives it away.
    index = data.draw(st.integers(min_value=0, max_value=len(chain) - 1))
    intruder = {**body, "seq": index + 1, "prev": chain[index - 1]["hash"] if index else GENESIS}
    intruder["hash"] = event_hash(intruder)
    tampered = chain[:index] + [intruder] + chain[index:]

    count, bad, _ = first_break(tampered)

    assert (count, bad) == (index + 1, chain[index])


def test_the_first_event_links_to_sixty_four_zeros():
    chain = link(
        [
            {
                "at": "t",
                "actor": None,
                "actor_label": "",
                "action": "a",
                "object_type": "o",
                "object_id": "1",
                "before_digest": "",
                "after_digest": "",
                "summary": {},
            }
        ]
    )

    assert chain[0]["prev"] == "0" * 64
    assert first_break([{**chain[0], "prev": "1" * 64}])[2] == (
        "prev does not match the previous event's hash"
    )
