"""Tests of appointment_notify_sms/tests/twilio_fake.py (plain pytest, no Odoo)."""

import base64
import collections
import hashlib
import hmac
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import twilio_fake  # appointment_notify_sms/tests/twilio_fake.py (conftest.py)
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

FakeTwilio = twilio_fake.FakeTwilio

ACCOUNT_SID = "AC" + "1234567890abcdef" * 2
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
SENDER = "+15005550006"
TURKISH = "Randevunuz yarın saat 10:00'da; lütfen geç kalmayın ğüşıöç"


@pytest.fixture
def tw():
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as fake:
        fake.callback_delay = 0.005
        yield fake


@pytest.fixture
def http():
    with requests.Session() as session:
        session.trust_env = False  # never go through a proxy for loopback
        yield session


class Receiver:
    """A loopback webhook endpoint recording every POST; /fail answers 500."""

    def __init__(self):
        self.received = []
        self.cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                params = dict(urllib.parse.parse_qsl(raw.decode()))
                with receiver.cond:
                    receiver.received.append(
                        (self.path, self.headers.get("X-Twilio-Signature"), params)
                    )
                    receiver.cond.notify_all()
                status = 500 if self.path.startswith("/fail") else 200
                body = b"<Response/>"
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def wait_for(self, count, timeout=3.0):
        with self.cond:
            self.cond.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    rec = Receiver()
    yield rec
    rec.close()


def send(http, tw, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5, **form):
    form.setdefault("From", SENDER)
    form = {k: v for k, v in form.items() if v is not None}
    return http.post(tw.messages_url, data=form, auth=auth, timeout=timeout)


def free_port():
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as server:
        return server.server_address[1]


# ------------------------------------------------------------------ sending
def test_send_success_json_shape(tw, http):
    before = time.time()
    resp = send(http, tw, To="+905321234567", Body="Hello")
    assert resp.status_code == 201
    assert resp.headers["Content-Type"].startswith("application/json")
    msg = resp.json()
    assert re.fullmatch(r"SM[0-9a-f]{32}", msg["sid"])
    assert msg["account_sid"] == ACCOUNT_SID
    assert (msg["to"], msg["from"], msg["body"]) == ("+905321234567", SENDER, "Hello")
    assert msg["messaging_service_sid"] is None
    assert msg["status"] == "queued"
    assert msg["direction"] == "outbound-api"
    assert msg["num_segments"] == "1"
    assert msg["num_media"] == "0"
    assert msg["price"] is None
    assert msg["error_code"] is None and msg["error_message"] is None
    assert msg["api_version"] == "2010-04-01"
    assert msg["uri"] == (f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{msg['sid']}.json")
    created = parsedate_to_datetime(msg["date_created"])
    assert msg["date_created"].endswith("+0000")
    assert abs(created.timestamp() - before) < 5

    assert tw.requests == 1
    assert len(tw.messages) == 1
    record = tw.messages[0]
    assert record["sid"] == msg["sid"]
    assert record["Body"] == "Hello" and record["To"] == "+905321234567"
    assert record["status"] in ("queued", "sent", "delivered")
    assert record["timed_out"] is False
    assert record["timestamp"] >= before
    assert tw.received_by_to() == collections.Counter({"+905321234567": 1})


def test_get_and_list_message(tw, http):
    tw.delivery = None
    sid = send(http, tw, To="+14155550100", Body="x").json()["sid"]
    base = f"{tw.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages"
    resp = http.get(f"{base}/{sid}.json", auth=(ACCOUNT_SID, AUTH_TOKEN))
    assert resp.status_code == 200
    assert resp.json()["sid"] == sid and resp.json()["status"] == "queued"
    missing = http.get(f"{base}/SM{'0' * 32}.json", auth=(ACCOUNT_SID, AUTH_TOKEN))
    assert missing.status_code == 404 and missing.json()["code"] == 20404
    listed = http.get(f"{base}.json", params={"To": "+14155550100"}, auth=(ACCOUNT_SID, AUTH_TOKEN))
    assert [m["sid"] for m in listed.json()["messages"]] == [sid]


def test_messaging_service_and_media(tw, http):
    service = "MG" + "a" * 32
    resp = send(http, tw, From=None, MessagingServiceSid=service, To="+14155550100", Body="hi")
    assert resp.status_code == 201
    msg = resp.json()
    assert msg["status"] == "accepted"
    assert msg["from"] is None
    assert msg["messaging_service_sid"] == service

    resp = send(
        http,
        tw,
        To="whatsapp:+905321234567",
        From="whatsapp:+14155238886",
        MediaUrl=["https://example.com/a.jpg", "https://example.com/b.jpg"],
    )
    assert resp.status_code == 201
    msg = resp.json()
    assert re.fullmatch(r"MM[0-9a-f]{32}", msg["sid"])
    assert msg["num_media"] == "2"
    assert tw.messages[-1]["MediaUrl"] == [
        "https://example.com/a.jpg",
        "https://example.com/b.jpg",
    ]


@pytest.mark.parametrize(
    ("body", "encoding", "segments"),
    [
        ("", "GSM-7", 1),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension table: 2 septets each
        ("€" * 81, "GSM-7", 2),
        ("Çà@£{}[]~", "GSM-7", 1),
        (TURKISH, "UCS-2", 1),
        ("ı" * 70, "UCS-2", 1),
        ("ı" * 71, "UCS-2", 2),
        ("ı" * 134, "UCS-2", 2),
        ("ı" * 135, "UCS-2", 3),
        ("😀" * 35, "UCS-2", 1),  # surrogate pairs: 2 code units each
        ("😀" * 36, "UCS-2", 2),
    ],
)
def test_sms_segments(body, encoding, segments):
    assert twilio_fake.sms_segments(body) == (encoding, segments)


def test_segment_counts_in_api(tw, http):
    gsm = "Randevunuz yarin saat 10:00'da; lutfen gec kalmayin. " * 4  # 212 chars
    turkish = TURKISH + " " + TURKISH  # 117 chars, UCS-2
    segments = [
        send(http, tw, To="+905321234567", Body=body).json()["num_segments"]
        for body in (TURKISH, turkish, gsm, gsm[:160])
    ]
    assert segments == ["1", "2", "2", "1"]
    assert tw.messages[1]["num_segments"] == 2


# --------------------------------------------------------------------- auth
@pytest.mark.parametrize(
    "auth", [(ACCOUNT_SID, "wrong-token"), ("AC" + "f" * 32, AUTH_TOKEN), None]
)
def test_bad_auth_is_401(tw, http, auth):
    resp = send(http, tw, auth=auth, To="+14155550100", Body="x")
    assert resp.status_code == 401
    assert resp.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }
    assert tw.messages == []
    assert tw.requests == 1


def test_api_key_auth_and_account_mismatch(tw, http):
    key, secret = "SK" + "b" * 32, "api-key-secret"
    resp = send(http, tw, auth=(key, secret), To="+14155550100", Body="x")
    assert resp.status_code == 401  # not registered yet
    tw.add_api_key(key, secret)
    assert send(http, tw, auth=(key, "bad"), To="+14155550100").status_code == 401
    resp = send(http, tw, auth=(key, secret), To="+14155550100", Body="x")
    assert resp.status_code == 201
    other = f"{tw.url}/2010-04-01/Accounts/AC{'e' * 32}/Messages.json"
    resp = http.post(
        other,
        data={"To": "+14155550100", "From": SENDER, "Body": "x"},
        auth=(key, secret),
    )
    assert resp.status_code == 404
    assert resp.json()["code"] == 20404
    assert len(tw.messages) == 1


# --------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("form", "code", "fragment"),
    [
        ({"Body": "x"}, 21604, "'To' phone number is required"),
        ({"To": "+14155550100", "From": None, "Body": "x"}, 21603, "'From'"),
        ({"To": "+14155550100"}, 21602, "body is required"),
        ({"To": "05321234567", "Body": "x"}, 21211, "not a valid phone number"),
        ({"To": "+0123456789", "Body": "x"}, 21211, "'To' number +0123456789"),
        ({"To": "+1 415 555 0100", "Body": "x"}, 21211, "not a valid phone number"),
        ({"To": "whatsapp:+12", "Body": "x"}, 21211, "not a valid phone number"),
        (
            {"To": "+14155550100", "ContentSid": "HX1", "ContentVariables": "[1]"},
            21656,
            "ContentVariables",
        ),
    ],
)
def test_validation_errors(tw, http, form, code, fragment):
    resp = send(http, tw, **form)
    assert resp.status_code == 400
    data = resp.json()
    assert data["code"] == code and data["status"] == 400
    assert fragment in data["message"]
    assert data["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert tw.messages == []


def test_content_template_without_body_is_accepted(tw, http):
    resp = send(
        http,
        tw,
        To="whatsapp:+905321234567",
        From="whatsapp:+14155238886",
        ContentSid="HX" + "c" * 32,
        ContentVariables='{"1": "12/1", "2": "3pm"}',
    )
    assert resp.status_code == 201
    assert tw.messages[0]["ContentVariables"] == '{"1": "12/1", "2": "3pm"}'


def test_content_api_create_and_send(tw, http):
    """POST /v1/Content answers an HX SID; a message naming it records its types."""
    quick = {
        "friendly_name": "assistant_1",
        "language": "tr",
        "types": {
            "twilio/quick-reply": {
                "body": "Hangi hizmet?",
                "actions": [{"title": "Saç kesimi", "id": "svc:1"}],
            },
            "twilio/text": {"body": "Hangi hizmet?\n\n1. Saç kesimi"},
        },
    }
    resp = http.post(f"{tw.url}/v1/Content", json=quick, auth=(ACCOUNT_SID, AUTH_TOKEN))
    assert resp.status_code == 201
    sid = resp.json()["sid"]
    assert re.fullmatch(r"HX[0-9a-f]{32}", sid)
    assert tw.contents[sid]["types"]["twilio/quick-reply"]["actions"][0]["id"] == "svc:1"
    sent = send(http, tw, To="whatsapp:+905321234567", From="whatsapp:+14155238886", ContentSid=sid)
    assert sent.status_code == 201
    assert tw.messages[0]["content_types"] == ["twilio/quick-reply", "twilio/text"]
    assert "Body" not in tw.messages[0]
    # no types, bad auth, a failing API: refused
    bad = http.post(f"{tw.url}/v1/Content", json={"language": "en"}, auth=(ACCOUNT_SID, AUTH_TOKEN))
    assert bad.status_code == 400
    assert http.post(f"{tw.url}/v1/Content", json=quick, auth=(ACCOUNT_SID, "x")).status_code == 401
    tw.content_fail = True
    assert (
        http.post(f"{tw.url}/v1/Content", json=quick, auth=(ACCOUNT_SID, AUTH_TOKEN)).status_code
        == 500
    )
    assert len(tw.contents) == 1
    tw.reset()
    assert tw.contents == {} and tw.content_fail is False


@pytest.mark.parametrize(
    ("code", "status", "fragment"),
    [
        (21211, 400, "not a valid phone number"),
        (21614, 400, "not a valid mobile number"),
        (21610, 400, "Attempt to send to unsubscribed recipient"),
        (21608, 400, "unverified"),
        (21612, 400, "not currently reachable"),
        (63016, 400, "outside the allowed window"),
        (63003, 400, "Channel could not find To address"),
        (63024, 400, "Invalid message recipient"),
        (63014, 400, "blocked"),
        (63018, 429, "Rate limit exceeded"),
        (20429, 429, "Too Many Requests"),
    ],
)
def test_fail_numbers(tw, http, code, status, fragment):
    tw.fail_numbers["+905320000001"] = code
    resp = send(http, tw, To="+905320000001", Body="x")
    assert resp.status_code == status
    assert resp.json()["code"] == code
    assert fragment in resp.json()["message"]
    assert send(http, tw, To="+905320000002", Body="x").status_code == 201
    assert tw.received_by_to() == collections.Counter({"+905320000002": 1})


def test_63016_only_for_free_text(tw, http):
    tw.fail_numbers["whatsapp:+905320000001"] = 63016
    wa = {"To": "whatsapp:+905320000001", "From": "whatsapp:+14155238886"}
    assert send(http, tw, Body="free text", **wa).json()["code"] == 63016
    resp = send(http, tw, ContentSid="HX" + "d" * 32, **wa)
    assert resp.status_code == 201


def test_twilio_client_against_fake(tw):
    class LocalHttpClient(TwilioHttpClient):
        def request(self, method, url, **kwargs):
            url = url.replace("https://api.twilio.com", tw.url)
            return super().request(method, url, **kwargs)

    http_client = LocalHttpClient()
    http_client.session.trust_env = False
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=http_client)
    msg = client.messages.create(to="+905321234567", from_=SENDER, body=TURKISH)
    assert msg.sid.startswith("SM") and msg.num_segments == "1"
    assert msg.status == "queued"
    assert client.messages(msg.sid).fetch().body == TURKISH

    tw.fail_numbers["+905320000001"] = 21610
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to="+905320000001", from_=SENDER, body="x")
    assert info.value.code == 21610 and info.value.status == 400

    key = "SK" + "1" * 32
    tw.add_api_key(key, "s3cret")
    keyed = Client(key, "s3cret", ACCOUNT_SID, http_client=http_client)
    assert keyed.messages.create(to="+14155550100", from_=SENDER, body="k").sid
    assert len(tw.messages) == 2


# ------------------------------------------------------- faults and limits
def test_fault_injection_ratio_and_determinism(tw, http):
    def run():
        tw.inject_faults(rate=0.3, kinds=("429", "500"), seed=1234)
        return [send(http, tw, To="+14155550100", Body="x") for _ in range(150)]

    responses = run()
    codes = [r.status_code for r in responses]
    faulted = [r for r in responses if r.status_code != 201]
    assert 0.2 <= len(faulted) / len(codes) <= 0.4
    assert {r.status_code for r in faulted} == {429, 500}
    assert all(r.json()["code"] == 20429 for r in faulted if r.status_code == 429)
    assert all(r.json()["code"] == 20500 for r in faulted if r.status_code == 500)
    assert sum(tw.faults.values()) == len(faulted)
    assert tw.faults["429"] == codes.count(429)
    assert len(tw.messages) == codes.count(201)
    assert tw.requests == 150

    tw.reset()
    assert [r.status_code for r in run()] == codes  # same seed, same sequence

    tw.clear_faults()
    assert all(send(http, tw, To="+14155550100", Body="x").status_code == 201 for _ in range(20))


def test_timeout_fault_records_message(tw, http):
    tw.timeout_sleep = 0.5
    tw.inject_faults(rate=1.0, kinds=("timeout",), seed=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        send(http, tw, To="+14155550100", Body="x", timeout=0.1)
    assert len(tw.messages) == 1 and tw.messages[0]["timed_out"] is True
    assert tw.faults == collections.Counter({"timeout": 1})
    with pytest.raises(ValueError):
        tw.inject_faults(kinds=("boom",))


def test_rate_limit_sliding_window(tw, http):
    tw.rate_limit_per_second = 3
    tw.rate_limit_window = 0.3
    codes = [send(http, tw, To="+14155550100", Body="x").status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    limited = send(http, tw, To="+14155550100", Body="x")
    assert limited.json() == {
        "code": 20429,
        "message": "Too Many Requests",
        "more_info": "https://www.twilio.com/docs/errors/20429",
        "status": 429,
    }
    other = send(http, tw, From="+15005550007", To="+14155550100", Body="x")
    assert other.status_code == 201  # the limit is per sender
    time.sleep(0.35)
    assert send(http, tw, To="+14155550100", Body="x").status_code == 201


def test_latency(tw, http):
    tw.latency = 0.2
    start = time.monotonic()
    assert send(http, tw, To="+14155550100", Body="x").status_code == 201
    assert time.monotonic() - start >= 0.2


def test_concurrent_sends(tw, http):
    tw.delivery = None
    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(
            pool.map(
                lambda i: requests.post(
                    tw.messages_url,
                    data={"To": f"+1415555{i % 5:04d}", "From": SENDER, "Body": "x"},
                    auth=(ACCOUNT_SID, AUTH_TOKEN),
                    timeout=5,
                ),
                range(60),
            )
        )
    assert all(r.status_code == 201 for r in responses)
    assert len({r.json()["sid"] for r in responses}) == 60
    assert tw.requests == 60 and len(tw.messages) == 60
    assert sorted(tw.received_by_to().values()) == [12] * 5


# ----------------------------------------------------------- status callbacks
def test_status_callbacks_signed_and_ordered(tw, http, receiver):
    callback = f"{receiver.url}/sms/status?token=abc"
    sid = send(http, tw, To="+905321234567", Body="x", StatusCallback=callback).json()["sid"]
    received = receiver.wait_for(3)
    assert tw.wait_idle()
    assert [p["MessageStatus"] for _, _, p in received] == [
        "queued",
        "sent",
        "delivered",
    ]
    validator = RequestValidator(AUTH_TOKEN)
    for path, signature, params in received:
        assert path == "/sms/status?token=abc"
        assert params["MessageSid"] == params["SmsSid"] == sid
        assert params["SmsStatus"] == params["MessageStatus"]
        assert params["AccountSid"] == ACCOUNT_SID
        assert (params["From"], params["To"]) == (SENDER, "+905321234567")
        assert params["ApiVersion"] == "2010-04-01"
        assert "ErrorCode" not in params
        assert validator.validate(callback, params, signature) is True
        assert signature == twilio_fake.twilio_signature(AUTH_TOKEN, callback, params)
        tampered = dict(params, MessageStatus="failed")
        assert validator.validate(callback, tampered, signature) is False
        assert RequestValidator("other").validate(callback, params, signature) is False
    assert tw.get_message(sid)["status"] == "delivered"
    assert tw.get_message(sid)["date_sent"] is not None
    assert all(status == 200 for _, _, status in tw.callback_log)


@pytest.mark.parametrize(
    ("delivery", "error_numbers", "expected", "error_code"),
    [
        ("undelivered", {}, ["queued", "sent", "undelivered"], "30003"),
        ("failed", {}, ["queued", "failed"], "30008"),
        (
            "delivered",
            {"+905321234567": 30006},
            ["queued", "sent", "undelivered"],
            "30006",
        ),
        ("failed", {"+905321234567": 30005}, ["queued", "failed"], "30005"),
    ],
)
def test_failed_deliveries(tw, http, receiver, delivery, error_numbers, expected, error_code):
    tw.delivery = delivery
    tw.delivery_error_numbers.update(error_numbers)
    callback = f"{receiver.url}/status"
    sid = send(http, tw, To="+905321234567", Body="x", StatusCallback=callback).json()["sid"]
    assert tw.wait_idle()
    received = receiver.wait_for(len(expected))
    assert [p["MessageStatus"] for _, _, p in received] == expected
    assert received[-1][2]["ErrorCode"] == error_code
    assert all("ErrorCode" not in p for _, _, p in received[:-1])
    resource = tw.get_message(sid)
    assert resource["status"] == expected[-1]
    assert resource["error_code"] == int(error_code)


def test_read_status_and_switches(tw, http, receiver):
    tw.read_status = True
    wa = {"To": "whatsapp:+905321234567", "From": "whatsapp:+14155238886"}
    send(http, tw, Body="x", StatusCallback=f"{receiver.url}/a", **wa)
    assert tw.wait_idle()
    statuses = [p["MessageStatus"] for _, _, p in receiver.wait_for(4)]
    assert statuses == ["queued", "sent", "delivered", "read"]

    tw.deliver_callbacks = False
    sid = send(http, tw, Body="y", StatusCallback=f"{receiver.url}/b", **wa)
    assert tw.wait_idle()
    assert tw.get_message(sid.json()["sid"])["status"] == "read"

    tw.deliver_callbacks = True
    tw.delivery = None
    sid = send(http, tw, Body="z", StatusCallback=f"{receiver.url}/c", **wa)
    assert tw.wait_idle()
    time.sleep(0.05)
    assert tw.get_message(sid.json()["sid"])["status"] == "queued"
    assert len(receiver.received) == 4


def test_callback_failures_are_logged(tw, http, receiver):
    dead = f"http://127.0.0.1:{free_port()}/status"
    send(http, tw, To="+14155550100", Body="x", StatusCallback=dead)
    send(http, tw, To="+14155550100", Body="y", StatusCallback=receiver.url + "/fail")
    assert tw.wait_idle()
    errors = tw.callback_errors()
    assert len(errors) == 6
    assert {status for url, _, status in errors if url == dead} != {500}
    assert all(isinstance(s, str) for url, _, s in errors if url == dead)
    assert [s for url, _, s in errors if url.endswith("/fail")] == [500] * 3
    assert len(receiver.received) == 3
    # the server keeps working
    assert send(http, tw, To="+14155550100", Body="z").status_code == 201


def test_reset_clears_everything(tw, http, receiver):
    tw.fail_numbers["+14155550100"] = 21610
    tw.rate_limit_per_second = 1
    tw.inject_faults(rate=0.5, seed=1)
    for _ in range(4):
        send(http, tw, To="+14155550101", Body="x", StatusCallback=receiver.url)
    tw.reset()
    assert tw.messages == [] and tw.requests == 0 and tw.callback_log == []
    assert tw.fail_numbers == {} and tw.rate_limit_per_second is None
    assert not tw.faults
    assert tw.wait_idle(timeout=0.1)
    assert send(http, tw, To="+14155550100", Body="x").status_code == 201
    assert tw.requests == 1


# ------------------------------------------------------------------ inbound
def test_send_inbound_signed(tw, receiver):
    url = f"{receiver.url}/sms/inbound"
    status, text = tw.send_inbound(
        url,
        "whatsapp:+905321234567",
        "whatsapp:+14155238886",
        "Evet",
        extra={
            "ButtonPayload": "confirm",
            "ProfileName": "Ayşe",
            "WaId": "905321234567",
        },
    )
    assert (status, text) == (200, "<Response/>")
    (path, signature, params) = receiver.wait_for(1)[0]
    assert path == "/sms/inbound"
    assert params["Body"] == "Evet" and params["NumMedia"] == "0"
    assert params["From"] == "whatsapp:+905321234567"
    assert params["To"] == "whatsapp:+14155238886"
    assert params["ProfileName"] == "Ayşe" and params["ButtonPayload"] == "confirm"
    assert re.fullmatch(r"SM[0-9a-f]{32}", params["MessageSid"])
    assert params["AccountSid"] == ACCOUNT_SID
    validator = RequestValidator(AUTH_TOKEN)
    assert validator.validate(url, params, signature) is True
    assert validator.validate(url, dict(params, Body="Hayır"), signature) is False

    status, _ = tw.send_inbound(receiver.url + "/fail", "+1415", "+1416", "x")
    assert status == 500
    tw.send_inbound(url, "+14155550100", SENDER, "forged", auth_token="wrong")
    forged = receiver.wait_for(3)[-1]
    assert validator.validate(url, forged[2], forged[1]) is False


def test_twilio_signature_matches_library():
    url = "https://example.com/hook?foo=1&bar=2"
    params = {"To": "+18005551212", "From": "+14158675309", "Body": "ğüş €", "A": ""}
    expected = RequestValidator("12345").compute_signature(url, params)
    assert twilio_fake.twilio_signature("12345", url, params) == expected
    assert twilio_fake.twilio_signature("12345", url, list(params.items())) == expected
    manual = twilio_fake.twilio_signature("12345", url, {"MediaUrl": ["b", "a"]})
    raw = url + "MediaUrla" + "MediaUrlb"
    digest = hmac.new(b"12345", raw.encode(), hashlib.sha1).digest()
    assert manual == base64.b64encode(digest).decode()


# ------------------------------------------------------------------- script
def test_script_mode_serves(http):
    script = Path(twilio_fake.__file__)
    proc = subprocess.Popen(
        [
            sys.executable,
            str(script),
            "--port",
            "0",
            "--account-sid",
            ACCOUNT_SID,
            "--auth-token",
            AUTH_TOKEN,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        resp = http.post(
            f"{url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
            data={"To": "+14155550100", "From": SENDER, "Body": "x"},
            auth=(ACCOUNT_SID, AUTH_TOKEN),
            timeout=5,
        )
        assert resp.status_code == 201
    finally:
        proc.terminate()
        proc.wait(timeout=5)
