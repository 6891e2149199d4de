"""Files do not vanish on a validation error in the fund-use forms (issue 16 item 4;
core.upload_drafts): the acceptance report and photos survive a forgotten tick, a quote
survives a missing category; the next submit uses them without choosing them again."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone

from core.models import KeptUpload
from funds.models import FundApplication

from .app_helpers import (
    approved,
    estate_fixture,  # noqa: F401
    pdf,
    png,
    propose,
)


def token_of(response) -> str:
    return re.search(r'name="upload_token" value="([0-9a-f]{32})"', response.content.decode())[1]


def test_the_acceptance_files_survive_a_forgotten_tick(client, estate, personas, verified):
    from funds.procedure import services

    application = approved(estate, personas, verified)
    services.application_works_done(
        application=application, actor=personas.property_staff, done_on=timezone.localdate()
    )
    client.force_login(personas.committee)
    target = reverse("funds:application_accept", args=[application.pk])
    day = timezone.localdate().isoformat()
    first = client.post(
        target,
        {
            "accepted_on": day,
            "note": "合格",
            "report": pdf("验收报告.pdf"),
            "photos": [png("屋面.png")],
        },
    )
    assert first.status_code == 400
    page = first.content.decode()
    assert "已保留：验收报告.pdf（可更换）" in page and "已保留：屋面.png（可更换）" in page

    done = client.post(
        target,
        {"accepted_on": day, "note": "合格", "confirmed": "1", "upload_token": token_of(first)},
    )
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == FundApplication.Status.ACCEPTED
    names = set(application.attachments.values_list("original_name", flat=True))
    assert {"验收报告.pdf", "屋面.png"} <= names
    assert not KeptUpload.objects.exists()


def test_a_quote_survives_a_missing_category_and_nobody_else_gets_it(client, estate, personas):
    application = propose(estate, personas.property_staff)
    before = application.attachments.count()
    client.force_login(personas.property_staff)
    target = reverse("funds:application_attach", args=[application.pk])
    first = client.post(target, {"kind": "", "title": "报价", "file": pdf("第二份报价.pdf")})
    assert first.status_code == 400
    assert "已保留：第二份报价.pdf（可更换）" in first.content.decode()
    token = token_of(first)

    client.force_login(personas.committee)  # may attach too, but not with another's file
    forged = client.post(target, {"kind": "quote", "title": "报价", "upload_token": token})
    assert forged.status_code == 400
    assert application.attachments.count() == before

    client.force_login(personas.property_staff)
    done = client.post(target, {"kind": "quote", "title": "报价", "upload_token": token})
    assert done.status_code == 302
    assert application.attachments.count() == before + 1
    assert application.attachments.filter(original_name="第二份报价.pdf").exists()
