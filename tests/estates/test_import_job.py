"""The register import as a Celery job (estates.jobs, estates.tasks, the upload and job pages).

Celery runs eagerly in tests (no broker), as in the default local run: the
task runs when the upload's transaction commits, which the tests trigger with
``django_capture_on_commit_callbacks(execute=True)``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.urls import reverse
from kombu.exceptions import OperationalError

from accounts import permissions
from accounts.models import Role, RoleAssignment
from audit.models import AuditEvent
from estates import jobs, tasks
from estates.models import Building, ImportJob, Ownership, Person, Unit
from estates.selectors import area_roll
from estates.services import importing

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"
SAMPLE_CSV = SAMPLES / "register-sample.csv"
SAMPLE_ROLL = {"rights": 44, "heads": 44, "area": "5341.67", "units": 48}
SAMPLE_COUNTS = {
    "rows": 48,
    "units_created": 48,
    "units_updated": 0,
    "units_unchanged": 0,
    "persons_created": 60,
    "persons_updated": 0,
    "sales": 0,
    "not_in_file": 0,
}
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Line 2 of the sample: 1栋,1单元,101, one owner 吕斌建.
LINE2_ID = "341302196301034446"
CRASH_MESSAGE = "导入时发生内部错误，未写入任何数据。请稍后重试；如仍失败，请联系系统管理员。"
REGISTER_MODELS = (Building, Unit, Person, Ownership)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def sample() -> bytes:
    if not SAMPLE_CSV.is_file():
        pytest.skip(f"sample register not found at {SAMPLE_CSV}")
    return SAMPLE_CSV.read_bytes()


def edited(sample: bytes, line: int, **cells: str) -> bytes:
    """The sample with the cells of file line ``line`` (header = line 1) replaced."""
    reader = csv.reader(io.StringIO(sample.decode("utf-8-sig")))
    header = next(reader)
    rows = [dict(zip(header, cells_, strict=True)) for cells_ in reader]
    rows[line - 2].update(cells)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[row[name] for name in header] for row in rows])
    return out.getvalue().encode()


def login(client, user):
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def post_upload(client, area, data: bytes, *, mode: str = "import", name: str = "台账.csv"):
    return client.post(
        reverse("estates:import"),
        {
            "area": area.pk,
            "file": SimpleUploadedFile(name, data, content_type="application/octet-stream"),
            "mode": mode,
        },
    )


def queued_job(area, data: bytes, actor, *, dry_run: bool = False) -> ImportJob:
    """A job created by the service whose task has not been delivered yet."""
    return jobs.import_job_create(
        area=area, data=data, filename="台账.csv", dry_run=dry_run, actor=actor
    )


def register_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in REGISTER_MODELS}


def table_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def roll_totals(area) -> dict:
    return {key: value for key, value in area_roll(area).as_json().items() if key != "digest"}


# --- upload → job → report -----------------------------------------------------------------


def test_an_upload_creates_a_queued_job_and_redirects_to_its_page(
    client, personas, district, sample
):
    response = post_upload(login(client, personas.reviewer), district.a1, sample)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("estates:import_job", args=[job.pk])
    assert (job.status, job.dry_run, job.area, job.created_by) == (
        "queued",
        False,
        district.a1,
        personas.reviewer,
    )
    assert job.original_filename == "台账.csv"
    assert job.sha256 == hashlib.sha256(sample).hexdigest()
    assert job.size == len(sample)
    assert job.file.name.startswith("imports/")
    assert Unit.objects.count() == 0


def test_an_uploaded_file_is_imported_by_the_task_with_the_counts_and_the_roll(
    client, personas, district, sample, django_capture_on_commit_callbacks
):
    login(client, personas.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(client, district.a1, sample)

    job = ImportJob.objects.get()
    assert job.status == "done"
    assert job.report["ok"] is True
    assert job.report["counts"] == SAMPLE_COUNTS
    assert job.report["errors"] == []
    assert job.report["file_sha256"] == hashlib.sha256(sample).hexdigest()
    assert roll_totals(district.a1) == SAMPLE_ROLL
    assert job.started_at is not None
    assert job.finished_at >= job.started_at
    page = client.get(response["Location"]).content.decode()
    assert "导入完成" in page
    assert '<tr><th>数据行</th><td class="num">48</td></tr>' in page
    assert 'value="100"' in page
    assert 'http-equiv="refresh"' not in page


def test_a_dry_run_job_reports_the_counts_and_writes_nothing(
    client, personas, district, sample, django_capture_on_commit_callbacks
):
    login(client, personas.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(client, district.a1, sample, mode="check")

    job = ImportJob.objects.get()
    assert (job.status, job.dry_run) == ("done", True)
    assert job.report["dry_run"] is True
    assert job.report["counts"] == SAMPLE_COUNTS
    assert register_counts() == {"Building": 0, "Unit": 0, "Person": 0, "Ownership": 0}
    assert "预检通过（未写入）" in client.get(response["Location"]).content.decode()


def test_a_bad_file_job_is_done_with_the_errors_by_line_and_imports_nothing(
    client, personas, district, sample, django_capture_on_commit_callbacks
):
    bad = edited(edited(sample, 3, 用途="商业"), 42, 手机号="123")
    login(client, personas.reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(client, district.a1, bad)

    job = ImportJob.objects.get()
    assert job.status == "done"
    assert job.report["ok"] is False
    assert job.report["errors"] == [
        [3, "用途“商业”无效，只能填“住宅”或“非住宅”"],
        [42, "第 1 个手机号不是有效的11位中国大陆手机号码"],
    ]
    assert job.report["errors_total"] == 2
    assert register_counts() == {"Building": 0, "Unit": 0, "Person": 0, "Ownership": 0}
    page = client.get(response["Location"]).content.decode()
    assert "文件有误，未写入任何数据" in page
    assert 'class="import-errors"' in page
    assert '<td class="num">42</td>' in page


def test_only_the_first_thousand_errors_are_kept_with_the_total(
    personas, district, sample, django_capture_on_commit_callbacks
):
    header = sample.decode("utf-8-sig").splitlines()[0]
    rows = "".join(f"1栋,1单元,{100 + n},商业,80.00,,,是,是,,,\n" for n in range(1001))
    with django_capture_on_commit_callbacks(execute=True):
        job = queued_job(district.a1, (header + "\n" + rows).encode(), personas.reviewer)

    job.refresh_from_db()
    assert job.report["errors_total"] == 1001
    assert len(job.report["errors"]) == 1000
    assert job.report["errors"][-1] == [1001, "用途“商业”无效，只能填“住宅”或“非住宅”"]


def test_the_job_records_each_transition_in_the_audit_chain(
    personas, district, sample, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = queued_job(district.a1, sample, personas.reviewer)

    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.action for e in events] == [
        "register.import_job_create",
        "register.import_job_running",
        "register.import",
        "register.import_job_done",
    ]
    assert events[0].actor == personas.reviewer
    assert events[0].object_id == str(job.pk)
    assert events[3].summary == {"job": job.pk, "from": "running", "to": "done"}
    # The import itself is the uploader's act (its permission is checked at run time).
    assert events[2].actor == personas.reviewer


# --- idempotency and failure ----------------------------------------------------------------


def test_a_second_delivery_of_the_task_changes_nothing(personas, district, sample):
    job = queued_job(district.a1, sample, personas.reviewer)

    first = tasks.register_import_job.delay(job.pk).get()
    after_first = table_counts()
    audit_after_first = list(AuditEvent.objects.values_list("hash", flat=True))
    second = tasks.register_import_job.delay(job.pk).get()

    assert (first, second) == ("done", None)
    assert table_counts() == after_first
    assert list(AuditEvent.objects.values_list("hash", flat=True)) == audit_after_first
    assert Unit.objects.filter(area=district.a1).count() == 48


def test_a_crash_fails_the_job_with_a_plain_message_and_rolls_the_import_back(
    client, personas, district, sample, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def import_then_crash(**kwargs):
        # The real import writes everything, then the run breaks before it ends.
        importing.register_import(**kwargs)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs, "register_import", import_then_crash)
    login(client, personas.reviewer)

    with (
        caplog.at_level(logging.ERROR, logger="gongzhi.estates.import"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post_upload(client, district.a1, sample)

    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.message == CRASH_MESSAGE
    assert job.report is None
    assert register_counts() == {"Building": 0, "Unit": 0, "Person": 0, "Ownership": 0}
    assert not AuditEvent.objects.filter(action="register.import").exists()
    crash = [r for r in caplog.records if r.exc_info and r.exc_info[0] is RuntimeError]
    assert len(crash) == 1
    page = client.get(response["Location"]).content.decode()
    assert CRASH_MESSAGE in page
    assert "disk on fire" not in page
    assert "Traceback" not in page


def test_an_uploader_who_lost_the_right_before_the_run_gets_a_failed_job(
    personas, district, sample
):
    job = queued_job(district.a1, sample, personas.reviewer)
    RoleAssignment.objects.filter(user=personas.reviewer, role=Role.BUREAU_REVIEWER).delete()

    tasks.register_import_job.delay(job.pk)

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message == "您没有权限执行此操作：维护台账（导入、企业、业委会）。"
    assert Unit.objects.count() == 0


def test_a_stored_file_that_no_longer_matches_its_digest_fails_the_job(personas, district, sample):
    job = queued_job(district.a1, sample, personas.reviewer)
    Path(job.file.path).write_bytes(b"something else")

    tasks.register_import_job.delay(job.pk)

    job.refresh_from_db()
    assert job.status == "failed"
    assert (
        job.message == "保存的台账文件无法读取或已损坏（校验值不符），未写入任何数据。请重新上传。"
    )
    assert Unit.objects.count() == 0


def test_a_job_that_cannot_be_queued_is_failed_and_says_so(personas, district, sample, monkeypatch):
    job = queued_job(district.a1, sample, personas.reviewer)

    def broker_down(*args, **kwargs):
        # What kombu raises when the broker refuses the connection.
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.register_import_job, "delay", broker_down)
    jobs._enqueue(job.pk)

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message == "后台任务无法提交，未写入任何数据。请稍后重新上传。"
    assert job.finished_at is not None


def test_finished_jobs_do_not_move_again():
    table = ImportJob.TRANSITIONS

    assert table == {
        "queued": frozenset({"running", "failed"}),
        "running": frozenset({"done", "failed"}),
        "done": frozenset(),
        "failed": frozenset(),
    }


# --- the kept file and personal data --------------------------------------------------------


def test_the_uploaded_file_is_kept_encrypted_and_decrypts_to_the_upload(personas, district, sample):
    job = queued_job(district.a1, sample, personas.reviewer)

    stored = Path(job.file.path).read_bytes()
    assert LINE2_ID.encode() not in stored
    assert "吕斌建".encode() not in stored
    assert jobs.import_job_file(job) == sample


def test_an_import_job_cannot_be_deleted(personas, district, sample):
    job = queued_job(district.a1, sample, personas.reviewer)

    with pytest.raises(ImportJob.KeptError):
        job.delete()
    with pytest.raises(ImportJob.KeptError):
        ImportJob.objects.all().delete()
    assert Path(job.file.path).is_file()


def test_an_id_number_quoted_in_an_error_reason_is_masked_in_the_stored_report(
    personas, district, sample, django_capture_on_commit_callbacks
):
    # An ID number typed into the 用途 column is quoted back by the parser.
    with django_capture_on_commit_callbacks(execute=True):
        job = queued_job(district.a1, edited(sample, 3, 用途=LINE2_ID), personas.reviewer)

    job.refresh_from_db()
    assert job.report["errors"] == [[3, "用途“3413**********4446”无效，只能填“住宅”或“非住宅”"]]
    assert LINE2_ID not in json.dumps(job.report, ensure_ascii=False)


def test_redact_masks_phones_and_id_numbers_but_not_areas_or_rooms():
    assert jobs.redact("手机 13800138000、+8613800138000") == "手机 138****8000、+8613*****8000"
    assert jobs.redact("身份证 34130219630103444X 与 341302630103444") == (
        "身份证 3413**********444X 与 3413*******3444"
    )
    assert jobs.redact("登记面积“1234567890.12”超出范围，房号 1203") == (
        "登记面积“1234567890.12”超出范围，房号 1203"
    )


def test_a_phone_number_in_the_file_name_is_masked(personas, district, sample):
    job = jobs.import_job_create(
        area=district.a1,
        data=sample,
        filename="张三13800138000.csv",
        dry_run=True,
        actor=personas.reviewer,
    )

    assert job.original_filename == "张三138****8000.csv"


# --- progress -------------------------------------------------------------------------------


def test_the_task_leaves_100_percent_in_the_cache_and_on_the_job(
    personas, district, sample, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = queued_job(district.a1, sample, personas.reviewer)

    job.refresh_from_db()
    assert cache.get(jobs.progress_key(job.pk)) == {"done": 48, "total": 48}
    assert (job.progress_done, job.progress_total) == (48, 48)
    assert jobs.import_job_progress(job) == jobs.JobProgress(done=48, total=48, percent=100)


def test_progress_is_written_at_most_every_two_percent_and_always_at_the_end(
    personas, district, sample
):
    job = queued_job(district.a1, sample, personas.reviewer)
    progress = jobs.ImportProgress(job.pk)
    written = []

    for done in [*range(1, 100), 99, 100]:
        progress(done, 100)
        progress.flush()
        value = cache.get(jobs.progress_key(job.pk))
        if value and (not written or written[-1] != value["done"]):
            written.append(value["done"])
    progress.close()

    assert written == list(range(2, 101, 2))


def test_a_running_job_page_shows_the_cached_progress_and_refreshes(
    client, personas, district, sample
):
    job = queued_job(district.a1, sample, personas.reviewer)
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    progress = jobs.ImportProgress(job.pk)
    progress(3000, 20000)
    progress.close()

    page = login(client, personas.reviewer).get(reverse("estates:import_job", args=[job.pk]))

    text = page.content.decode()
    assert page.context["progress"] == jobs.JobProgress(done=3000, total=20000, percent=15)
    assert 'value="15"' in text
    assert "15%（3000 / 20000 行）" in text
    assert '<meta http-equiv="refresh" content="2">' in text


def test_a_queued_job_page_waits_and_refreshes(client, personas, district, sample):
    job = queued_job(district.a1, sample, personas.reviewer)

    page = login(client, personas.reviewer).get(reverse("estates:import_job", args=[job.pk]))

    text = page.content.decode()
    assert "排队等待处理" in text
    assert page.context["progress"].percent is None
    assert '<meta http-equiv="refresh" content="2">' in text


# --- who sees what --------------------------------------------------------------------------


@pytest.fixture
def street_officers_edit_the_register(monkeypatch):
    """A policy where street officers keep the register of their own street.

    Today only district-wide bureau roles have ``register.edit``; the job
    pages must still follow the scope, whatever roles the table grants.
    """
    rule = permissions.ACTIONS["register.edit"]
    monkeypatch.setitem(
        permissions.ACTIONS,
        "register.edit",
        replace(rule, roles=rule.roles | {Role.STREET_OFFICER}),
    )


def test_a_job_in_another_area_is_not_found_for_a_user_without_its_scope(
    client, personas, district, sample, street_officers_edit_the_register
):
    own = queued_job(district.a1, sample, personas.reviewer)
    other = queued_job(district.b1, sample, personas.reviewer)
    login(client, personas.street_officer)

    assert client.get(reverse("estates:import_job", args=[own.pk])).status_code == 200
    assert client.get(reverse("estates:import_job", args=[other.pk])).status_code == 404
    listed = client.get(reverse("estates:import")).context["jobs"]
    assert [job.pk for job in listed] == [own.pk]


def test_a_user_without_the_register_right_gets_403_on_a_job_page(
    client, personas, district, sample
):
    job = queued_job(district.a1, sample, personas.reviewer)

    response = login(client, personas.committee).get(reverse("estates:import_job", args=[job.pk]))

    assert response.status_code == 403


def test_an_anonymous_visitor_of_a_job_page_is_sent_to_the_login_page(
    client, personas, district, sample
):
    job = queued_job(district.a1, sample, personas.reviewer)

    response = client.get(reverse("estates:import_job", args=[job.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_upload_page_lists_recent_jobs_newest_first_with_their_outcome(
    client, personas, district, sample, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        good = queued_job(district.a1, sample, personas.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        bad = queued_job(district.a2, edited(sample, 3, 用途="商业"), personas.reviewer)

    response = login(client, personas.reviewer).get(reverse("estates:import"))

    assert [job.pk for job in response.context["jobs"]] == [bad.pk, good.pk]
    page = response.content.decode()
    assert reverse("estates:import_job", args=[good.pk]) in page
    assert page.count('<span class="badge">已完成</span>') == 1
    assert page.count('<span class="badge">文件有误，未写入</span>') == 1


# --- PostgreSQL: progress is visible while the import's transaction is open -----------------


def _read_in_another_thread(key: str):
    seen = {}

    def read():
        try:
            seen["value"] = cache.get(key)
        finally:
            connections.close_all()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return seen["value"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_other_connections_during_the_import_transaction(
    personas, district, sample
):
    job = queued_job(district.a1, sample, personas.reviewer)
    key = jobs.progress_key(job.pk)
    # Another key: the helper thread would wait on this transaction's uncommitted row.
    plain_key = f"{key}:plain"
    try:
        with transaction.atomic():
            # What a plain cache write inside the import's transaction would do: stay hidden.
            cache.set(plain_key, {"done": 1, "total": 2})
            assert _read_in_another_thread(plain_key) is None
            progress = jobs.ImportProgress(job.pk)
            progress(500, 1000)
            progress.close()
            assert _read_in_another_thread(key) == {"done": 500, "total": 1000}
            transaction.set_rollback(True)
    finally:
        cache.delete_many([key, plain_key])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_task_imports_and_leaves_100_percent(personas, district, sample):
    job = queued_job(district.a1, sample, personas.reviewer)  # committed: on_commit ran
    try:
        job.refresh_from_db()
        assert job.status == "done"
        assert cache.get(jobs.progress_key(job.pk)) == {"done": 48, "total": 48}
        assert roll_totals(district.a1) == SAMPLE_ROLL
    finally:
        cache.delete(jobs.progress_key(job.pk))
