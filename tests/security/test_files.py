"""Stored files reach only those allowed (issue #9 item 5): assembly attachments, paper
ballot scans, revenue vouchers. Each test shows the allowed caller gets the bytes, so a
refusal elsewhere is a refusal and not a broken link; and that no file is served from
MEDIA_ROOT by its storage path."""

from __future__ import annotations

import importlib

import pytest
from django.test import Client, override_settings
from django.urls import Resolver404, clear_url_caches, resolve, reverse

from .conftest import ATTACHMENT_BYTES, SCAN_BYTES, VOUCHER_BYTES, body

pytestmark = pytest.mark.django_db


def _as(user, login_with_totp=None) -> Client:
    client = Client()
    if user is not None:
        if login_with_totp is not None:
            login_with_totp(client, user)
        else:
            client.force_login(user)
    return client


def _refused(response, secret: bytes) -> bool:
    # A login redirect, a 403 or a 404: never the file, never a crash.
    return response.status_code in (302, 403, 404) and secret not in body(response)


# --------------------------------------------------------------------------- attachments


def test_an_assembly_attachment_reaches_the_owners_and_committee_of_its_area(world):
    url = reverse(
        "voting:attachment", kwargs={"pk": world.assembly.pk, "attachment": world.attachment.pk}
    )

    for user in (world.user("甲"), world.user("丙"), world.personas.committee):
        response = _as(user).get(url)
        assert (response.status_code, body(response)) == (200, ATTACHMENT_BYTES)


def test_an_assembly_attachment_is_refused_outside_its_area(world):
    url = reverse(
        "voting:attachment", kwargs={"pk": world.assembly.pk, "attachment": world.attachment.pk}
    )
    p = world.personas

    for user in (None, world.user("庚"), p.other_committee, p.other_street_officer, p.outsider):
        assert _refused(_as(user).get(url), ATTACHMENT_BYTES), user


def test_an_attachment_id_under_another_assembly_is_not_found(world):
    # 庚 may open his own assembly; the attachment of a1's must not come through it.
    url = reverse(
        "voting:attachment",
        kwargs={"pk": world.other_assembly.pk, "attachment": world.attachment.pk},
    )

    response = _as(world.user("庚")).get(url)

    assert response.status_code == 404
    assert ATTACHMENT_BYTES not in body(response)


def test_the_conveners_copy_of_an_attachment_is_the_committees_only(world):
    url = reverse(
        "voting:manage_attachment_file",
        kwargs={"pk": world.assembly.pk, "attachment": world.attachment.pk},
    )

    allowed = _as(world.personas.committee).get(url)
    assert (allowed.status_code, body(allowed)) == (200, ATTACHMENT_BYTES)
    for user in (world.user("甲"), world.personas.other_committee, world.personas.property_staff):
        assert _refused(_as(user).get(url), ATTACHMENT_BYTES), user


# --------------------------------------------------------------------------- ballot scans


def _trace_file(client, world, which="scan"):
    return client.post(
        reverse("voting:manage_trace_file"),
        {
            "assembly": world.assembly.pk,
            "tracker": world.paper_ballot.tracker,
            "file": which,
        },
    )


def test_a_paper_ballot_scan_reaches_the_bureau_through_a_trace(world, login_with_totp):
    response = _trace_file(_as(world.personas.reviewer), world)

    assert (response.status_code, body(response)) == (200, SCAN_BYTES)


def test_a_paper_ballot_scan_is_refused_to_everyone_else_even_the_committee_that_entered_it(
    world,
):
    p = world.personas
    # The scan shows who signed; its tracker is public on the board (RULES.md §3).
    for user in (None, p.committee, p.street_officer, world.user("乙"), world.user("甲")):
        assert _refused(_trace_file(_as(user), world), SCAN_BYTES), user


def test_the_scan_name_does_not_lead_from_the_public_tracker_or_the_unit(world):
    name = world.paper_ballot.scan.name
    unit = world.unit("乙")

    assert world.paper_ballot.tracker not in name
    assert unit.code not in name
    assert unit.number not in name.rsplit("/", 1)[-1]


# --------------------------------------------------------------------------- vouchers


def test_a_voucher_reaches_the_owners_and_staff_of_its_area(world):
    url = reverse("revenue:voucher", kwargs={"pk": world.entry.pk})
    p = world.personas

    for user in (world.user("甲"), p.committee, p.property_staff, p.street_officer):
        response = _as(user).get(url)
        assert (response.status_code, body(response)) == (200, VOUCHER_BYTES), user
        assert response["Cache-Control"] == "private, no-store"


def test_a_voucher_is_refused_outside_its_area(world):
    url = reverse("revenue:voucher", kwargs={"pk": world.entry.pk})
    p = world.personas

    for user in (None, world.user("庚"), p.other_committee, p.other_street_officer, p.outsider):
        assert _refused(_as(user).get(url), VOUCHER_BYTES), user


# --------------------------------------------------------------------------- storage paths


def _stored_names(world) -> list[str]:
    return [world.attachment.file.name, world.paper_ballot.scan.name, world.entry.voucher.name]


def test_no_stored_file_is_served_by_its_path_under_media_url(world, settings):
    client = _as(world.personas.committee)

    for name in _stored_names(world):
        response = client.get(settings.MEDIA_URL + name)
        assert response.status_code == 404, name


def test_even_with_debug_on_no_url_serves_media_root(settings):
    import gongzhi.urls

    try:
        with override_settings(DEBUG=True):
            importlib.reload(gongzhi.urls)
            clear_url_caches()
            with pytest.raises(Resolver404):
                resolve(settings.MEDIA_URL + "voting/1/scans/x.pdf")
    finally:
        importlib.reload(gongzhi.urls)
        clear_url_caches()
