"""The audit chain readable by a person (issue 16 item 11): event kinds and summary fields
in words, the raw JSON one toggle away, nothing wider than the window."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from audit.labels import ACTIONS, FIELDS, action_label, object_label, summary_items, value_text

pytestmark = pytest.mark.django_db


def page_of(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_known_event_kind_and_its_fields_are_shown_in_words(client, personas, record):
    record(
        1,
        actor=personas.committee,
        action="fund.deposit",
        object_type="funds.transaction",
        summary={"memo": "交存 101", "units": 1, "value_date": "2024-01-10", "kind": "deposit"},
    )
    body = page_of(client, personas.reviewer, reverse("audit:events"))
    row = body[body.index('data-seq="1"') :]
    assert "交存维修资金" in row and "fund.deposit" in row  # the words, and the code beside them
    assert "<dt>摘要</dt><dd>交存 101</dd>" in row
    assert "<dt>记账日期</dt><dd>2024-01-10</dd>" in row
    # The JSON is there, behind a <details> toggle.
    details = re.search(r"<details><summary>([^<]*)</summary><pre[^>]*>(.*?)</pre>", row, re.S)
    assert details and "查看原始记录（JSON）" in details.group(1)
    assert "&quot;memo&quot;: &quot;交存 101&quot;" in details.group(2)


def test_an_unknown_event_kind_shows_its_code_once(client, personas, record):
    record(1, actor=personas.committee, action="test.change")
    body = page_of(client, personas.reviewer, reverse("audit:events"))
    assert '<span class="action">test.change</span>' in body
    assert '<span class="mono code">test.change</span>' not in body


def test_the_list_shows_four_fields_and_counts_the_rest(client, personas, record):
    summary = {f"k{i}": i for i in range(6)}
    record(1, actor=personas.committee, summary=summary)
    body = page_of(client, personas.reviewer, reverse("audit:events"))
    assert body.count("<dt>k") == 4
    assert "另有 2 项" in body


def test_the_event_page_labels_every_field(client, personas, record):
    record(1, actor=personas.committee, action="role.grant", summary={"role": "owner", "x": 1})
    body = page_of(client, personas.reviewer, reverse("audit:event", args=[1]))
    assert "授予角色" in body and "role.grant" in body
    assert "<dt>角色</dt><dd>owner</dd>" in body and "<dt>x</dt><dd>1</dd>" in body


def test_the_table_no_longer_forces_a_width_wider_than_a_laptop(client, personas, record):
    record(1, actor=personas.committee)
    body = page_of(client, personas.reviewer, reverse("audit:events"))
    assert "min-width: 760px" not in body
    assert 'class="audit-events cards"' in body


def test_every_action_code_the_apps_record_has_a_label():
    """A new event kind without words shows its code: list each kind recorded in the code."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = set()
    for app in ("accounts", "publications", "estates", "voting", "funds", "emergency", "revenue"):
        for path in (root / app).rglob("*.py"):
            found |= set(re.findall(r'action="([a-z_]+\.[a-z_.]+)"', path.read_text("utf-8")))
    assert found - set(ACTIONS) == set()


def test_labels_on_both_sides():
    assert action_label("ballot.online") == "网上投票"
    assert action_label("ballot.unknown") == "ballot.unknown"
    assert object_label("voting.ballot") != "voting.ballot"
    assert object_label("no.such") == "no.such"
    assert object_label("nonsense") == "nonsense"
    assert value_text(True) == "是" and value_text(False) == "否"
    assert value_text(None) == "—" and value_text("") == "—" and value_text(0) == "0"
    assert value_text("x" * 60) == "x" * 60
    assert value_text("x" * 61) == "x" * 60 + "…"
    assert value_text({"b": 1, "a": [1]}) == '{"a": [1], "b": 1}'
    assert summary_items({"zz": 1, "memo": "m"}) == [(str(FIELDS["memo"]), "m"), ("zz", "1")]
    assert summary_items(None) == [] and summary_items(["not", "a", "dict"]) == []
