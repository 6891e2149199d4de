"""The pluggable SMS sender (accounts.sms)."""

from __future__ import annotations

import logging

import pytest

from accounts import sms


def test_console_sender_logs_the_text_with_the_phone_masked(settings, caplog):
    settings.GONGZHI_SMS_BACKEND = "accounts.sms.ConsoleSender"
    with caplog.at_level(logging.INFO, logger="gongzhi.sms"):
        sms.sms_send(phone="13912345678", text="【共治】您的登录验证码是123456")
    [record] = caplog.records
    assert record.name == "gongzhi.sms"
    assert record.getMessage() == "SMS to 139****5678: 【共治】您的登录验证码是123456"
    assert "13912345678" not in caplog.text


def test_locmem_sender_appends_to_the_outbox(outbox):
    sms.sms_send(phone="13912345678", text="hello")
    sms.sms_send(phone="13912345679", text="again")
    assert outbox == [
        sms.SmsMessage(phone="13912345678", text="hello"),
        sms.SmsMessage(phone="13912345679", text="again"),
    ]


def test_get_sender_loads_the_class_named_in_settings(settings):
    settings.GONGZHI_SMS_BACKEND = "accounts.sms.LocmemSender"
    assert type(sms.get_sender()) is sms.LocmemSender


def test_get_sender_refuses_a_class_that_is_not_a_sender(settings):
    settings.GONGZHI_SMS_BACKEND = "collections.OrderedDict"
    with pytest.raises(TypeError, match="is not an SmsSender"):
        sms.get_sender()


def test_base_sender_must_be_subclassed():
    with pytest.raises(NotImplementedError):
        sms.SmsSender().send("13912345678", "x")


def test_sms_task_sends_through_the_configured_sender(outbox):
    from accounts.tasks import sms_send

    sms_send.delay("13912345678", "notice")
    assert outbox == [sms.SmsMessage(phone="13912345678", text="notice")]
