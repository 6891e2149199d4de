"""Owners are told of every posting to their sub-ledger (RULES.md §4)."""

from __future__ import annotations

from datetime import date

from accounts.sms import SmsSender
from funds.ledger import services
from funds.models import PostingNotice
from tests.estates.helpers import make_person, sell


def test_a_deposit_writes_a_notice_for_each_owner_of_the_unit(fund):
    txn = fund.deposit("103", 901_875)

    notices = PostingNotice.objects.filter(transaction=txn).order_by("person__name")
    assert [(n.person.name, n.amount_fen) for n in notices] == [("丁", 901_875), ("丙", 901_875)]


def test_a_charge_is_notified_as_money_out(fund):
    fund.deposit("101", 10_000)
    txn = services.transaction_post(
        kind="settlement",
        lines=[(fund.sub("101"), 4_000), (fund.account("works"), -4_000)],
        memo="结算",
        key="s1",
        actor=None,
    )
    assert PostingNotice.objects.get(transaction=txn).amount_fen == -4_000


def test_the_text_goes_out_after_commit_without_name_or_unit(
    fund, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fund.deposit("101", 671_250, on=date(2024, 1, 10))

    assert [m.phone for m in outbox] == [fund.persons["甲"].phone]
    text = outbox[0].text
    assert "2024-01-10存入6,712.50元（交存）" in text
    assert "甲" not in text and "101" not in text
    assert PostingNotice.objects.get().sms_status == PostingNotice.Sms.SENT


def test_nothing_is_texted_before_commit(fund, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fund.deposit("101", 100)
    assert outbox == []
    assert len(callbacks) == 1


def test_sending_again_texts_nobody_twice(fund, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        txn = fund.deposit("103", 100)
    again = services.posting_notices_send(transaction_id=txn.pk)

    assert len(outbox) == 2
    assert again.sent == 0


class Failing(SmsSender):
    def send(self, phone, text):
        raise ConnectionError("gateway down")


def test_a_failed_text_is_retried_by_the_sweep(fund, outbox, settings):
    fund.deposit("101", 100)
    settings.GONGZHI_SMS_BACKEND = "tests.funds.test_notices.Failing"
    assert services.posting_notices_send().failed == 1
    assert PostingNotice.objects.get().sms_status == PostingNotice.Sms.FAILED

    settings.GONGZHI_SMS_BACKEND = "accounts.sms.LocmemSender"
    assert services.posting_notices_retry() == 1
    assert services.posting_notices_send().sent == 1
    assert len(outbox) == 1


def test_an_owner_without_a_phone_is_listed_but_not_texted(fund, outbox):
    person = fund.persons["甲"]
    person.phone = ""
    person.save(update_fields=["phone"])
    fund.deposit("101", 100)

    assert services.posting_notices_send().no_phone == 1
    assert outbox == []
    assert PostingNotice.objects.get().person == person


def test_a_developer_unit_without_owners_gets_no_notice(fund):
    txn = fund.deposit("901", 750_000)
    assert not PostingNotice.objects.filter(transaction=txn).exists()


def test_after_a_sale_the_new_owner_is_notified_and_the_seller_is_not(fund):
    buyer = make_person("买受人", phone="13700000001")
    sell(fund.units["101"], buyer, on=date(2024, 6, 1))

    txn = fund.deposit("101", 100)
    assert [n.person for n in PostingNotice.objects.filter(transaction=txn)] == [buyer]


def test_a_notice_claimed_by_another_sender_is_not_sent_again(fund, outbox):
    fund.deposit("101", 100)
    PostingNotice.objects.update(sms_status=PostingNotice.Sms.SENDING, sms_claim="other-run")

    assert services.posting_notices_send().sent == 0
    assert outbox == []


def test_notices_are_sent_in_batches_of_claims(fund, outbox, monkeypatch):
    from funds.ledger.services import notices

    monkeypatch.setattr(notices, "BATCH", 1)
    fund.deposit("103", 100)  # two co-owners: two batches of one
    assert services.posting_notices_send().sent == 2
    assert len({n.sms_claim for n in PostingNotice.objects.all()}) == 2
