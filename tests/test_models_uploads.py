"""The uploaded-file bases in ``core.uploads``: one declaration of what every upload keeps."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from core.uploads import NamedUploadModel
from emergency.models import Evidence
from funds.models import ApplicationAttachment
from voting.models import AssemblyAttachment

NAMED_UPLOADS = [Evidence, ApplicationAttachment]


@pytest.mark.parametrize("model", NAMED_UPLOADS)
@pytest.mark.parametrize(
    ("original_name", "is_image"),
    [("site.jpg", True), ("crack.PNG", True), ("quote.pdf", False), ("REPORT.PDF", False)],
)
def test_a_named_upload_is_an_image_unless_it_is_a_pdf(model, original_name, is_image):
    assert issubclass(model, NamedUploadModel)
    assert model(original_name=original_name).is_image is is_image


def test_each_upload_keeps_its_own_uploader_rule():
    assert Evidence._meta.get_field("uploaded_by").null
    assert AssemblyAttachment._meta.get_field("uploaded_by").null
    assert not ApplicationAttachment._meta.get_field("uploaded_by").null


@pytest.mark.django_db
def test_the_models_match_their_migrations():
    # The shared bases must not change any table: no migration is missing.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
