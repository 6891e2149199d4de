"""The admin shows publications read-only; the log chain's pure core; the seal drawing."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from publications import logchain
from publications.models import Publication, PublicationLogEntry
from publications.seal import SealFontError, seal_drawing
from tests.conftest import pass_totp
from tests.factories import UserFactory


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Publication, PublicationLogEntry])
def test_nobody_may_add_change_or_delete_in_the_admin(superuser, model):
    request = RequestFactory().get("/")
    request.user = superuser
    model_admin = admin.site._registry[model]

    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_delete_permission(request) is False
    assert model_admin.get_actions(request) == {}


@pytest.mark.django_db
def test_the_admin_list_opens_with_the_publications(client, superuser, issue):
    publication = issue()
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    pass_totp(client, superuser)

    response = client.get(reverse("admin:publications_publication_changelist"))

    assert response.status_code == 200
    assert publication.serial in response.content.decode()


def chain(titles: list[str]) -> list[dict]:
    entries, prev = [], logchain.GENESIS
    for seq, title in enumerate(titles, start=1):
        entry = {
            "seq": seq,
            "at": "2026-01-01T00:00:00.000000+00:00",
            "serial": f"YQ-2026-{seq:06d}",
            "kind": "other",
            "area": "",
            "period": "2026",
            "title": title,
            "sha256": "a" * 64,
            "supersedes": "",
            "prev": prev,
        }
        entry["hash"] = logchain.entry_hash(entry)
        prev = entry["hash"]
        entries.append(entry)
    return entries


@given(st.lists(st.text(max_size=20), min_size=1, max_size=8), st.data())
def test_any_single_rewritten_title_is_found_at_its_entry(titles, data):
    entries = chain(titles)
    index = data.draw(st.integers(min_value=0, max_value=len(entries) - 1))
    new_title = data.draw(st.text(max_size=20).filter(lambda t: t != titles[index]))

    entries[index]["title"] = new_title
    count, bad, reason = logchain.first_break(entries)

    assert count == index
    assert bad["seq"] == index + 1


@given(st.lists(st.text(max_size=20), min_size=1, max_size=8))
def test_an_untouched_chain_verifies_completely(titles):
    assert logchain.first_break(chain(titles)) == (len(titles), None, "")


def test_the_seal_is_drawn_as_red_paths_without_text_operators():
    drawing = seal_drawing(name="埇桥区住房和城乡建设局", size=119)

    assert drawing.startswith(b"q 0.85 0.08 0.08 rg")
    assert b" Tj" not in drawing and b" Tf" not in drawing
    # 11 name characters + 5 subtitle characters, each one filled glyph.
    assert drawing.count(b" f Q") == 16


def test_a_seal_name_the_font_cannot_draw_is_refused():
    with pytest.raises(SealFontError):
        seal_drawing(name="测试\U0003134a局", size=119)
