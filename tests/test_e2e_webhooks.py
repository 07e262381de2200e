"""Twilio's webhooks, end to end: status callbacks and customers' replies.

A real Odoo server (cron threads) sends SMS through the fake Twilio, which posts
signed status callbacks to the webhook URL (``appointment_notify_sms.webhook_url``)
+ ``/appointment_notify_sms/status/<id>`` like Twilio does. The tests also post
webhooks themselves (urllib, from outside): unsigned, forged, with another body,
signed for another URL, from another account; those must get 403 and change
nothing, while a valid one applies once however often it comes.
Inbound STOP / START (``/appointment_notify_sms/inbound``) turn the customer's SMS
consent off and on (START only after a STOP); read back over XML-RPC.
"""

import urllib.error
import urllib.parse
import urllib.request

import pytest
from e2e_support import (
    SMS_FROM,
    book_each,
    make_sms_customers,
    make_sms_rule,
    set_param,
    sms_messages,
    sms_number,
    states_summary,
    wait_sms_settled,
    wait_until,
)
from twilio_fake import twilio_signature

pytest_plugins = ["e2e_fixtures"]

STATUS = "/appointment_notify_sms/status"
INBOUND = "/appointment_notify_sms/inbound"
OTHER_ACCOUNT = "AC" + "0b" * 16
OTHER_TOKEN = "another-accounts-auth-token"


@pytest.fixture(scope="module")
def e2e(e2e_sms):
    """The module's world: a database with the SMS addon, Twilio faked."""
    return e2e_sms


@pytest.fixture
def tw(twilio, rpc):
    twilio.reset()
    twilio.callback_timeout = 60
    set_param(rpc, "retry_delay_minutes", 0)
    set_param(rpc, "max_attempts", 5)
    set_param(rpc, "lease_minutes", 1)
    yield twilio


def post_form(url, params, signature=None):
    """POST ``params`` form-encoded to ``url``; (HTTP status, body)."""
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    if signature:
        headers["X-Twilio-Signature"] = signature
    data = urllib.parse.urlencode(params).encode()
    request = urllib.request.Request(url, data=data, headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def status_params(message, status, account, **extra):
    return {
        "AccountSid": account,
        "ApiVersion": "2010-04-01",
        "From": SMS_FROM,
        "MessageSid": message["provider_ref"],
        "MessageStatus": status,
        "SmsSid": message["provider_ref"],
        "SmsStatus": status,
        "To": message["destination"],
        **extra,
    }


def failure_notes(rpc, event):
    """The chatter notes of ``event`` telling an SMS failed."""
    return rpc(
        "mail.message",
        "search_count",
        [("model", "=", "calendar.event"), ("res_id", "=", event), ("body", "ilike", "failed")],
    )


def sent_sms(rpc, tw, tag, numbers):
    """SMS sent to ``numbers`` with status callbacks off: 'sent', with their SID."""
    tw.delivery = None
    customers = make_sms_customers(rpc, tag, numbers)
    make_sms_rule(rpc, "confirmed")
    events = book_each(rpc, customers)
    rows = wait_sms_settled(rpc, tw, events, len(numbers), timeout=120)
    assert [row["state"] for row in rows] == ["sent"] * len(numbers), states_summary(rows)
    assert all(row["provider_ref"] for row in rows), rows
    return events, rows


def test_status_callbacks_deliver_or_fail(e2e, rpc, tw):
    numbers = [sms_number(i, block=5) for i in range(4)]
    unreachable = numbers[3]
    tw.delivery_error_numbers[unreachable] = 30003  # this phone: 'undelivered'
    customers = make_sms_customers(rpc, "whstatus", numbers)
    make_sms_rule(rpc, "confirmed")
    events = book_each(rpc, customers)

    rows = wait_sms_settled(rpc, tw, events, len(numbers), timeout=120)
    by_number = {row["destination"]: row for row in rows}
    assert not tw.callback_errors(), tw.callback_errors()[:3]
    statuses = {}
    for _url, params, _outcome in tw.callback_log:
        statuses.setdefault(params["To"], []).append(params["MessageStatus"])
    assert statuses[unreachable] == ["queued", "sent", "undelivered"]
    for number in numbers[:3]:
        assert statuses[number] == ["queued", "sent", "delivered"]
        row = by_number[number]
        assert (row["state"], row["reason"]) == ("delivered", False), row
        assert (
            row["provider_ref"] == tw.messages[[m["To"] for m in tw.messages].index(number)]["sid"]
        )
    row = by_number[unreachable]
    assert row["state"] == "failed", row
    assert row["reason"] == (
        "Not delivered (undelivered, Twilio error 30003): "
        "The phone is unreachable (switched off or out of coverage)."
    ), row
    event = events[customers.index(by_number[unreachable]["partner_id"][0])]
    assert failure_notes(rpc, event) == 1


def test_forged_status_callbacks_are_refused(e2e, rpc, tw):
    events, (message, other) = sent_sms(
        rpc, tw, "whforged", [sms_number(i, block=6) for i in (0, 1)]
    )
    url = f"{e2e.servers[0].url}{STATUS}/{message['id']}"
    account, token = tw.account_sid, tw.auth_token
    delivered = status_params(message, "delivered", account)
    undelivered = status_params(message, "undelivered", account, ErrorCode="30003")
    other_url = f"{e2e.servers[0].url}{STATUS}/{other['id']}"
    forged = {
        "unsigned": (url, undelivered, None),
        "wrong token": (url, undelivered, twilio_signature("not-the-token", url, undelivered)),
        # A captured valid signature (of 'delivered') on a changed body.
        "changed body": (url, undelivered, twilio_signature(token, url, delivered)),
        # A valid signature of this message's callback replayed to another message.
        "other message": (other_url, delivered, twilio_signature(token, url, delivered)),
        "other account": (
            url,
            status_params(message, "undelivered", OTHER_ACCOUNT, ErrorCode="30003"),
            twilio_signature(
                OTHER_TOKEN,
                url,
                status_params(message, "undelivered", OTHER_ACCOUNT, ErrorCode="30003"),
            ),
        ),
        "other account, our token": (
            url,
            status_params(message, "undelivered", OTHER_ACCOUNT, ErrorCode="30003"),
            twilio_signature(
                token, url, status_params(message, "undelivered", OTHER_ACCOUNT, ErrorCode="30003")
            ),
        ),
        "signed for another host": (
            url,
            undelivered,
            twilio_signature(token, url.replace("127.0.0.1", "localhost"), undelivered),
        ),
    }
    answers = {
        name: post_form(target, params, signature)[0]
        for name, (target, params, signature) in forged.items()
    }
    assert answers == dict.fromkeys(forged, 403)
    fields = ("state", "reason", "provider_ref")
    untouched = [{key: row[key] for key in ("id", *fields)} for row in (message, other)]
    assert sms_messages(rpc, events, fields) == untouched

    # The real callback, delivered twice (Twilio retries): applied once, no error.
    signature = twilio_signature(token, url, delivered)
    assert post_form(url, delivered, signature)[0] == 200
    assert post_form(url, delivered, signature)[0] == 200
    row = sms_messages(rpc, events, fields)[0]
    assert (row["state"], row["reason"]) == ("delivered", False), row
    # A late or contradicting status never reopens it.
    for params in (
        status_params(message, "sent", account),
        undelivered,
        status_params(message, "delivered", account, MessageSid="SM" + "f" * 32),
    ):
        assert post_form(url, params, twilio_signature(token, url, params))[0] == 200
    row, other_row = sms_messages(rpc, events, fields)
    assert (row["state"], row["reason"]) == ("delivered", False), row
    assert other_row == untouched[1]
    assert failure_notes(rpc, events[0]) == 0


def test_failure_callback_twice_applies_once(e2e, rpc, tw):
    events, (message,) = sent_sms(rpc, tw, "whtwice", [sms_number(2, block=6)])
    url = f"{e2e.servers[0].url}{STATUS}/{message['id']}"
    failed = status_params(message, "failed", tw.account_sid, ErrorCode="30008")
    signature = twilio_signature(tw.auth_token, url, failed)
    assert [post_form(url, failed, signature)[0] for _i in range(2)] == [200, 200]
    (row,) = sms_messages(rpc, events)
    assert row["state"] == "failed", row
    assert row["reason"] == (
        "Not delivered (failed, Twilio error 30008): The carrier reported an unknown error."
    )
    assert failure_notes(rpc, events[0]) == 1, "the failure is logged once"


def test_inbound_stop_and_start(e2e, rpc, tw):
    number = sms_number(10, block=6)
    (customer,) = make_sms_customers(rpc, "whinbound", ["06 6000 0010"])
    url = f"{e2e.servers[0].url}{INBOUND}"

    def consent():
        (partner,) = rpc(
            "res.partner",
            "read",
            [customer],
            ["notify_consent_sms", "notify_consent_sms_source", "phone_sanitized"],
        )
        return partner

    assert consent()["phone_sanitized"] == number
    assert consent()["notify_consent_sms"] is True
    status, body = tw.send_inbound(url, number, SMS_FROM, "STOP")
    assert status == 200 and "<Response></Response>" in body, (status, body)
    after_stop = consent()
    assert after_stop["notify_consent_sms"] is False
    assert after_stop["notify_consent_sms_source"] == f"SMS reply STOP from {number}"

    # Unsigned or forged START: refused, consent stays off.
    assert tw.send_inbound(url, number, SMS_FROM, "START", sign=False)[0] == 403
    assert tw.send_inbound(url, number, SMS_FROM, "START", auth_token="forged")[0] == 403
    assert consent()["notify_consent_sms"] is False

    # With consent off, the next booking's SMS is skipped; Twilio gets nothing.
    make_sms_rule(rpc, "confirmed")
    events = book_each(rpc, [customer])
    (row,) = wait_sms_settled(rpc, tw, events, 1)
    assert row["state"] == "skipped", row
    assert row["reason"] == "No consent for sms.", row
    assert not tw.received_by_to()

    # Signed START (any case, spaces): consent on again.
    assert tw.send_inbound(url, number, SMS_FROM, " start ")[0] == 200
    wait_until(lambda: consent()["notify_consent_sms"], timeout=10, what="consent back on")
    assert (
        consent()["notify_consent_sms_source"]
        == f"SMS reply START from {number} (after an opt-out)"
    )

    # An unsigned STOP changes nothing.
    assert tw.send_inbound(url, number, SMS_FROM, "STOP", sign=False)[0] == 403
    assert consent()["notify_consent_sms"] is True

    # Any other reply is a note on the customer, consent untouched.
    assert tw.send_inbound(url, number, SMS_FROM, "Can I come at 3 instead?")[0] == 200
    notes = rpc(
        "mail.message",
        "search_count",
        [("model", "=", "res.partner"), ("res_id", "=", customer), ("body", "ilike", "come at 3")],
    )
    assert notes == 1
    assert consent()["notify_consent_sms"] is True


def test_wrong_account_of_another_company_is_refused(e2e, rpc, tw):
    """A second company's Twilio account cannot report on the first company's SMS."""
    events, (message,) = sent_sms(rpc, tw, "whcompany", [sms_number(3, block=6)])
    rpc(
        "res.company",
        "create",
        {
            "name": "e2e other company",
            "sms_twilio_account_sid": OTHER_ACCOUNT,
            "sms_twilio_auth_token": OTHER_TOKEN,
        },
    )
    url = f"{e2e.servers[0].url}{STATUS}/{message['id']}"
    params = status_params(message, "undelivered", OTHER_ACCOUNT, ErrorCode="30003")
    status, _body = post_form(url, params, twilio_signature(OTHER_TOKEN, url, params))
    (row,) = sms_messages(rpc, events)
    assert (row["state"], row["reason"]) == ("sent", False), (status, row)
    assert status == 403, status


def test_callbacks_while_the_pool_is_still_sending(e2e, rpc, tw):
    """Twilio's callbacks may come before the dispatcher stored the send's outcome.

    At 2 SMS per second (the addon's default is 1), the first SMS of a pool-full is
    answered and reported delivered seconds before the last one of the pool-full
    leaves; each must still end delivered, with its SID, sent once.
    """
    companies = rpc("res.company", "search", [("sms_twilio_account_sid", "=", tw.account_sid)])
    rpc("res.company", "write", companies, {"notify_sms_rate": 2})
    try:
        numbers = [sms_number(i, block=8) for i in range(8)]
        customers = make_sms_customers(rpc, "whrace", numbers)
        make_sms_rule(rpc, "confirmed")
        events = book_each(rpc, customers)
        rows = wait_sms_settled(rpc, tw, events, len(numbers), timeout=180)
    finally:
        rpc("res.company", "write", companies, {"notify_sms_rate": 0})
    received = tw.received_by_to()
    assert received == dict.fromkeys(numbers, 1), received
    expected = {m["To"]: ("delivered", m["sid"]) for m in tw.messages}
    outcome = {row["destination"]: (row["state"], row["provider_ref"]) for row in rows}
    assert outcome == expected
    assert [row["attempts"] for row in rows] == [1] * len(numbers)


def test_base_url_change_keeps_callbacks_and_stop(e2e, rpc, tw):
    """An administrator logging in from another address rewrites web.base.url.

    Twilio still calls the webhook URL the SMS named, and signed it for that URL:
    the pending callbacks and the customer's STOP are accepted all the same.
    """
    number = sms_number(4, block=6)
    (customer,) = make_sms_customers(rpc, "whbaseurl", [number])
    make_sms_rule(rpc, "confirmed")
    tw.delivery = "delivered"
    rpc("ir.config_parameter", "set_param", "web.base.url", "http://10.9.8.7:8069")
    try:
        events = book_each(rpc, [customer])
        (row,) = wait_sms_settled(rpc, tw, events, 1, timeout=120)
        assert row["state"] == "delivered", row
        assert not tw.callback_errors(), tw.callback_errors()[:3]
        (sent,) = [m for m in tw.messages if m["To"] == number]
        assert sent["StatusCallback"] == f"{e2e.servers[0].url}{STATUS}/{row['id']}"
        status, _body = tw.send_inbound(f"{e2e.servers[0].url}{INBOUND}", number, SMS_FROM, "STOP")
        assert status == 200, status
        (partner,) = rpc("res.partner", "read", [customer], ["notify_consent_sms"])
        assert partner["notify_consent_sms"] is False
    finally:
        rpc("ir.config_parameter", "set_param", "web.base.url", e2e.servers[0].url)
