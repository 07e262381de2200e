"""A local fake of Twilio's Programmable Messaging REST API, for tests and benchmarks.

The server speaks the real URL layout and JSON shapes on loopback only::

    POST /2010-04-01/Accounts/{AccountSid}/Messages.json        send a message
    GET  /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json  fetch a message
    GET  /2010-04-01/Accounts/{AccountSid}/Messages.json        list (To/From filter)
    POST /v1/Content                                            create a Content (JSON body)

A message naming a ContentSid this fake created is recorded with that Content's
types (``content_types``); ``tw.contents`` maps each SID to its JSON;
``tw.content_fail = True`` makes the Content API answer 500.

Usage in a test::

    with FakeTwilio(account_sid="AC" + "0" * 32, auth_token="secret") as tw:
        tw.fail_numbers["+15005550001"] = 21211   # invalid number at API time
        tw.inject_faults(rate=0.2, kinds=("429", "500"), seed=1)
        tw.rate_limit_per_second = 10
        tw.delivery = "undelivered"                # final status of callbacks
        tw.delivery_error_numbers["+905551112233"] = 30006
        ...  # point the code under test at tw.url instead of https://api.twilio.com
        tw.wait_idle()                             # all status callbacks sent
        assert tw.received_by_to()["+905551112233"] == 1

Status callbacks (``StatusCallback`` form field) and inbound messages
(``tw.send_inbound``) are form-encoded POSTs signed with ``X-Twilio-Signature``
exactly like Twilio does; ``twilio_signature()`` computes the same signature for
forging valid or invalid webhooks in tests.

As a script it serves forever, e.g. for a manually run Odoo::

    cd appointment_notify_sms/tests
    python twilio_fake.py --port 8899 --account-sid AC... --auth-token ...

Only the standard library is used; the server binds 127.0.0.1 and only ever
connects to the callback URLs it is given.
"""

import argparse
import base64
import collections
import contextlib
import hashlib
import heapq
import hmac
import itertools
import json
import random
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["FakeTwilio", "sms_segments", "twilio_signature"]

API_VERSION = "2010-04-01"
DEFAULT_ACCOUNT_SID = "AC" + "0" * 31 + "1"
DEFAULT_AUTH_TOKEN = "fake_twilio_auth_token"
DEFAULT_SERVICE_FROM = "+15005550006"

E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
PATH_RE = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages"
    r"(?:/(?P<sid>[^/]+?))?\.json$"
)

# GSM 03.38 basic character set and the extension table (escape + char = 2 septets)
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

# code -> (HTTP status, message template); {to} / {from_} are substituted
API_ERRORS = {
    20003: (401, "Authenticate"),
    20404: (404, "The requested resource {path} was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
    21211: (400, "The 'To' number {to} is not a valid phone number."),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' phone number is required."),
    21604: (400, "A 'To' phone number is required."),
    21608: (
        400,
        (
            "The number {to} is unverified. Trial accounts cannot send messages to "
            "unverified numbers; verify {to} at twilio.com/user/account/phone-numbers/"
            "verified, or purchase a Twilio number to send messages to unverified "
            "numbers."
        ),
    ),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21612: (
        400,
        (
            "The 'To' phone number: {to}, is not currently reachable using the 'From' "
            "phone number: {from_} via SMS."
        ),
    ),
    21614: (400, "'To' number {to} is not a valid mobile number"),
    21656: (400, "The ContentVariables Parameter is invalid."),
    63003: (400, "Channel could not find To address"),
    63014: (
        400,
        (
            "This message could not be delivered because the recipient has blocked "
            "messages from this sender"
        ),
    ),
    63016: (
        400,
        (
            "Failed to send freeform message because you are outside the allowed "
            "window. If you are using WhatsApp, please use a Message Template."
        ),
    ),
    63018: (429, "Rate limit exceeded for Channel"),
    63024: (400, "Invalid message recipient"),
}

DEFAULT_DELIVERY_ERRORS = {"undelivered": 30003, "failed": 30008}
FAULT_KINDS = ("429", "500", "timeout")


def twilio_signature(auth_token, url, params=None):
    """Return the ``X-Twilio-Signature`` value Twilio sends for a form POST.

    base64(HMAC-SHA1(auth_token, url + key1 + value1 + key2 + value2 ...)) with
    the keys sorted; ``params`` is a dict (values may be lists for repeated keys)
    or an iterable of ``(key, value)`` pairs.  Same algorithm as
    ``twilio.request_validator.RequestValidator.compute_signature``.
    """
    grouped = collections.defaultdict(list)
    items = params.items() if isinstance(params, dict) else (params or ())
    for key, value in items:
        values = value if isinstance(value, (list, tuple)) else [value]
        grouped[str(key)].extend(str(v) for v in values)
    data = url
    for key in sorted(grouped):
        for value in sorted(set(grouped[key])):
            data += key + value
    mac = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def sms_segments(body):
    """Return ``(encoding, segments)`` for an SMS body: ``("GSM-7"|"UCS-2", n)``.

    GSM-7: 160 septets in one segment, else 153 per segment (extension-table
    characters take 2 septets and are never split).  UCS-2: 70 UTF-16 code units
    in one segment, else 67 per segment (surrogate pairs are never split).
    """
    body = body or ""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in body):
        encoding, single, multi = "GSM-7", 160, 153
        costs = [2 if c in GSM7_EXTENSION else 1 for c in body]
    else:
        encoding, single, multi = "UCS-2", 70, 67
        costs = [2 if ord(c) > 0xFFFF else 1 for c in body]
    if sum(costs) <= single:
        return encoding, 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            segments, used = segments + 1, 0
        used += cost
    return encoding, segments


def _strip_channel(number):
    return (number or "").removeprefix("whatsapp:")


def _rfc2822(ts):
    # formatdate() spells UTC "-0000"; Twilio spells it "+0000"
    return formatdate(ts).replace("-0000", "+0000")


def _error_body(code, status=None, **fmt):
    default_status, template = API_ERRORS.get(code, (400, "Error {code}"))
    fmt.setdefault("to", "")
    fmt.setdefault("from_", "")
    fmt.setdefault("path", "")
    return status or default_status, {
        "code": code,
        "message": template.format(code=code, **fmt),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status or default_status,
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, *args, **kwargs):
        self.connections = set()
        self.connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def close_connections(self):
        """Drop kept-alive client connections (their threads then exit)."""
        with self.connections_lock:
            connections, self.connections = self.connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = -1  # one write per response: no Nagle/delayed-ACK stalls
    disable_nagle_algorithm = True
    server_version = "FakeTwilio/1.0"
    sys_version = ""

    def setup(self):
        result = super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)
        return result

    def finish(self):
        try:
            return super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, format, *args):
        if self.server.fake.verbose:
            return super().log_message(format, *args)
        return None

    def do_GET(self):
        self.server.fake._handle(self, "GET")

    def do_POST(self):
        self.server.fake._handle(self, "POST")

    def do_DELETE(self):
        self.server.fake._handle(self, "DELETE")

    def send_json(self, status, payload):
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Twilio-Request-Id", "RQ" + uuid.uuid4().hex)
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="Twilio API"')
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (ConnectionError, TimeoutError, OSError):
            self.close_connection = True


class FakeTwilio:
    """A Twilio Messages API fake on ``127.0.0.1``; see the module docstring.

    Behaviour attributes (may be changed while the server runs):
      latency, fail_numbers, rate_limit_per_second, rate_limit_window,
      timeout_sleep, delivery, delivery_error_numbers, delivery_errors,
      callback_delay, deliver_callbacks, read_status, callback_timeout,
      default_service_from.
    Recording attributes: messages, requests, callback_log, faults.
    """

    def __init__(
        self,
        account_sid=DEFAULT_ACCOUNT_SID,
        auth_token=DEFAULT_AUTH_TOKEN,
        latency=0.0,
        port=0,
        callback_workers=8,
        verbose=False,
    ):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.port = port
        self.verbose = verbose
        self.callback_workers = callback_workers
        self.api_keys = {}
        self._initial_latency = latency
        self._lock = threading.RLock()
        self._cv = threading.Condition(self._lock)
        self._stop_event = threading.Event()
        self._server = None
        self._thread = None
        self._workers = []
        self._heap = []
        self._seq = itertools.count()
        self._active_chains = 0
        self._generation = 0
        # loopback only: never route callbacks through an environment proxy
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._reset_state()

    # ------------------------------------------------------------------ state
    def _reset_state(self):
        with self._lock:
            self.latency = self._initial_latency
            self.fail_numbers = {}
            self.rate_limit_per_second = None
            self.rate_limit_window = 1.0
            self.timeout_sleep = 10.0
            self.delivery = "delivered"
            self.delivery_error_numbers = {}
            self.delivery_errors = dict(DEFAULT_DELIVERY_ERRORS)
            self.callback_delay = 0.05
            self.deliver_callbacks = True
            self.read_status = False
            self.callback_timeout = 5.0
            self.default_service_from = DEFAULT_SERVICE_FROM
            self.messages = []
            self.requests = 0
            self.contents = {}
            self.content_fail = False
            self.callback_log = []
            self.faults = collections.Counter()
            self._by_sid = {}
            self._rate_windows = collections.defaultdict(collections.deque)
            self._fault_rate = 0.0
            self._fault_kinds = ()
            self._fault_rng = random.Random()
            self._generation += 1
            self._heap.clear()
            self._active_chains = 0
            self._cv.notify_all()

    def reset(self):
        """Clear recordings, pending callbacks and behaviour (API keys are kept)."""
        self._reset_state()

    def add_api_key(self, sid, secret):
        """Accept basic auth with API key ``sid`` ("SK...") and ``secret``."""
        with self._lock:
            self.api_keys[sid] = secret

    def inject_faults(self, rate=0.3, kinds=FAULT_KINDS, seed=None):
        """Make a ``rate`` fraction of message POSTs fail with one of ``kinds``.

        Kinds: "429" (code 20429), "500" (code 20500), "timeout" (sleep
        ``timeout_sleep`` seconds, then answer normally; an accepted message is
        recorded with ``timed_out=True``).  Deterministic for a given seed and
        request order.
        """
        kinds = tuple(str(k) for k in kinds)
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown or not kinds:
            raise ValueError(f"fault kinds must be among {FAULT_KINDS}: {kinds}")
        with self._lock:
            self._fault_rate = float(rate)
            self._fault_kinds = kinds
            self._fault_rng = random.Random(seed)

    def clear_faults(self):
        with self._lock:
            self._fault_rate = 0.0
            self._fault_kinds = ()

    def received_by_to(self):
        """Counter of accepted messages by their ``To``."""
        with self._lock:
            return collections.Counter(m.get("To") for m in self.messages)

    def callback_errors(self):
        """The ``callback_log`` entries that did not get a 2xx answer."""
        with self._lock:
            return [
                entry
                for entry in self.callback_log
                if not (isinstance(entry[2], int) and 200 <= entry[2] < 300)
            ]

    def get_message(self, sid):
        """The Twilio JSON resource of an accepted message, or None."""
        with self._lock:
            record = self._by_sid.get(sid)
            return self._resource(record) if record else None

    def wait_idle(self, timeout=5.0):
        """Wait until every scheduled status callback has been processed."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while self._active_chains:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cv.wait(remaining)
        return True

    # -------------------------------------------------------------- lifecycle
    @property
    def url(self):
        if self._server is None:
            raise RuntimeError("FakeTwilio is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def messages_url(self):
        return f"{self.url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    def start(self):
        if self._server is not None:
            return self
        self._stop_event.clear()
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-twilio-http",
            daemon=True,
        )
        self._thread.start()
        self._workers = [
            threading.Thread(target=self._callback_worker, name=f"fake-twilio-cb-{i}", daemon=True)
            for i in range(max(1, self.callback_workers))
        ]
        for worker in self._workers:
            worker.start()
        return self

    def stop(self):
        if self._server is None:
            return
        self._stop_event.set()
        with self._cv:
            self._cv.notify_all()
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self._thread.join(timeout=5)
        for worker in self._workers:
            worker.join(timeout=1)
        self._server = None
        self._thread = None
        self._workers = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def serve_forever(self):
        self.start()
        try:
            with contextlib.suppress(KeyboardInterrupt):
                while not self._stop_event.wait(3600):
                    pass
        finally:
            self.stop()

    # ------------------------------------------------------------ HTTP side
    def _check_auth(self, header):
        if not header or not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:].strip()).decode()
        except ValueError:
            return False
        username, _, password = decoded.partition(":")
        if username == self.account_sid:
            expected = self.auth_token
        else:
            expected = self.api_keys.get(username)
        return expected is not None and hmac.compare_digest(password.encode(), expected.encode())

    def _handle(self, handler, method):
        parsed = urllib.parse.urlsplit(handler.path)
        path = parsed.path
        form = []
        raw = b""
        if method == "POST":
            length = int(handler.headers.get("Content-Length") or 0)
            raw = handler.rfile.read(length) if length else b""
            form = urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True)
            with self._lock:
                self.requests += 1
            if self.latency:
                self._stop_event.wait(self.latency)
        if not self._check_auth(handler.headers.get("Authorization")):
            return handler.send_json(*_error_body(20003))
        if path == "/v1/Content" and method == "POST":
            return handler.send_json(*self._create_content(raw))
        match = PATH_RE.match(path)
        if not match or match["account"] != self.account_sid:
            return handler.send_json(*_error_body(20404, path=path))
        if method == "GET" and match["sid"]:
            resource = self.get_message(match["sid"])
            if resource is None:
                return handler.send_json(*_error_body(20404, path=path))
            return handler.send_json(200, resource)
        if method == "GET":
            query = dict(urllib.parse.parse_qsl(parsed.query))
            return handler.send_json(200, self._list(path, query))
        if method != "POST" or match["sid"]:
            return handler.send_json(*_error_body(20404, path=path))
        fault = self._roll_fault()
        if fault == "429":
            return handler.send_json(*_error_body(20429))
        if fault == "500":
            return handler.send_json(*_error_body(20500))
        status, payload = self._create_message(form, timed_out=fault == "timeout")
        if fault == "timeout":
            self._stop_event.wait(self.timeout_sleep)
        return handler.send_json(status, payload)

    def _create_content(self, raw):
        """Twilio's Content API: a JSON body with ``types``; answers its HX SID."""
        try:
            payload = json.loads(raw.decode() or "null")
        except ValueError:
            payload = None
        if self.content_fail:
            return _error_body(20500)
        if not isinstance(payload, dict) or not isinstance(payload.get("types"), dict):
            return 400, {"code": 20001, "message": "Invalid Content: types required", "status": 400}
        sid = "HX" + uuid.uuid4().hex
        with self._lock:
            self.contents[sid] = payload
        return 201, {
            "sid": sid,
            "account_sid": self.account_sid,
            "friendly_name": payload.get("friendly_name"),
            "language": payload.get("language"),
            "variables": payload.get("variables") or {},
            "types": payload["types"],
            "url": f"{self.url}/v1/Content/{sid}",
        }

    def _roll_fault(self):
        with self._lock:
            if not self._fault_kinds or self._fault_rate <= 0:
                return None
            if self._fault_rng.random() >= self._fault_rate:
                return None
            kind = self._fault_rng.choice(self._fault_kinds)
            self.faults[kind] += 1
            return kind

    def _rate_limited(self, key):
        limit = self.rate_limit_per_second
        if not limit:
            return False
        now = time.monotonic()
        with self._lock:
            window = self._rate_windows[key]
            while window and now - window[0] >= self.rate_limit_window:
                window.popleft()
            if len(window) >= limit:
                return True
            window.append(now)
            return False

    def _create_message(self, form, timed_out=False):
        params = {}
        media = []
        for key, value in form:
            if key == "MediaUrl":
                media.append(value)
            else:
                params.setdefault(key, value)
        to = params.get("To", "")
        from_ = params.get("From", "")
        service = params.get("MessagingServiceSid", "")
        if not to:
            return _error_body(21604)
        if not from_ and not service:
            return _error_body(21603)
        if not params.get("Body") and not params.get("ContentSid") and not media:
            return _error_body(21602)
        if not E164_RE.match(_strip_channel(to)):
            return _error_body(21211, to=to)
        if params.get("ContentVariables"):
            try:
                variables = json.loads(params["ContentVariables"])
            except ValueError:
                variables = None
            if not isinstance(variables, dict):
                return _error_body(21656)
        if self._rate_limited(service or from_):
            return _error_body(20429)
        with self._lock:
            code = self.fail_numbers.get(to) or self.fail_numbers.get(_strip_channel(to))
        if code and not (code == 63016 and params.get("ContentSid")):
            return _error_body(int(code), to=to, from_=from_)

        now = time.time()
        sid = ("MM" if media else "SM") + uuid.uuid4().hex
        record = dict(params)
        with self._lock:
            content = self.contents.get(params.get("ContentSid"))
        if content:
            record["content_types"] = sorted(content["types"])
        if media:
            record["MediaUrl"] = media
        record.update(
            sid=sid,
            account_sid=self.account_sid,
            status="accepted" if service else "queued",
            timestamp=now,
            date_updated=now,
            date_sent=None,
            timed_out=timed_out,
            num_segments=sms_segments(params.get("Body", ""))[1],
            num_media=len(media),
            error_code=None,
        )
        with self._lock:
            self.messages.append(record)
            self._by_sid[sid] = record
            resource = self._resource(record)
            self._schedule_statuses(record)
        return 201, resource

    def _resource(self, record):
        sid = record["sid"]
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json"
        error_code = record["error_code"]
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": record.get("Body", ""),
            "date_created": _rfc2822(record["timestamp"]),
            "date_sent": _rfc2822(record["date_sent"]) if record["date_sent"] else None,
            "date_updated": _rfc2822(record["date_updated"]),
            "direction": "outbound-api",
            "error_code": error_code,
            "error_message": None,
            "from": record.get("From") or None,
            "messaging_service_sid": record.get("MessagingServiceSid") or None,
            "num_media": str(record["num_media"]),
            "num_segments": str(record["num_segments"]),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": record["status"],
            "subresource_uris": {"media": uri[: -len(".json")] + "/Media.json"},
            "to": record["To"],
            "uri": uri,
        }

    def _list(self, path, query):
        with self._lock:
            found = [
                self._resource(m)
                for m in reversed(self.messages)
                if ("To" not in query or m.get("To") == query["To"])
                and ("From" not in query or m.get("From") == query["From"])
            ]
        return {
            "messages": found,
            "end": max(len(found) - 1, 0),
            "first_page_uri": path,
            "next_page_uri": None,
            "page": 0,
            "page_size": len(found),
            "previous_page_uri": None,
            "start": 0,
            "uri": path,
        }

    # ------------------------------------------------------- status callbacks
    def _schedule_statuses(self, record):
        """Plan the status chain of a new message (caller holds the lock)."""
        delivery = self.delivery
        if delivery is None:
            return
        to = record["To"]
        error_code = self.delivery_error_numbers.get(to) or self.delivery_error_numbers.get(
            _strip_channel(to)
        )
        if error_code:
            final = delivery if delivery in DEFAULT_DELIVERY_ERRORS else "undelivered"
        else:
            final = delivery
            error_code = self.delivery_errors.get(final)
        steps = [("queued", None)]
        if final != "failed":
            steps.append(("sent", None))
        steps.append((final, error_code))
        if final == "delivered" and self.read_status:
            steps.append(("read", None))
        chain = {
            "record": record,
            "steps": steps,
            "url": record.get("StatusCallback"),
            "generation": self._generation,
        }
        self._active_chains += 1
        self._push(chain, time.monotonic() + self.callback_delay)

    def _push(self, chain, due):
        heapq.heappush(self._heap, (due, next(self._seq), chain))
        self._cv.notify()

    def _callback_worker(self):
        while not self._stop_event.is_set():
            with self._cv:
                chain = None
                while chain is None and not self._stop_event.is_set():
                    now = time.monotonic()
                    if self._heap and self._heap[0][0] <= now:
                        chain = heapq.heappop(self._heap)[2]
                    else:
                        wait = self._heap[0][0] - now if self._heap else None
                        self._cv.wait(wait)
            if chain is None:
                return
            try:
                self._run_step(chain)
            except Exception:  # noqa: BLE001 - keep the worker alive
                chain["steps"] = []
            finally:
                with self._cv:
                    if chain["generation"] == self._generation:
                        if chain["steps"]:
                            self._push(chain, time.monotonic() + self.callback_delay)
                        else:
                            self._active_chains -= 1
                            self._cv.notify_all()

    def _run_step(self, chain):
        record = chain["record"]
        with self._lock:
            if chain["generation"] != self._generation:
                chain["steps"] = []
                return
            status, error_code = chain["steps"].pop(0)
            now = time.time()
            record["status"] = status
            record["date_updated"] = now
            if status == "sent":
                record["date_sent"] = now
            if error_code:
                record["error_code"] = int(error_code)
            post = bool(chain["url"]) and self.deliver_callbacks
            params = {
                "ApiVersion": API_VERSION,
                "AccountSid": self.account_sid,
                "From": record.get("From") or self.default_service_from,
                "MessageSid": record["sid"],
                "MessageStatus": status,
                "SmsSid": record["sid"],
                "SmsStatus": status,
                "To": record["To"],
            }
            if record.get("MessagingServiceSid"):
                params["MessagingServiceSid"] = record["MessagingServiceSid"]
            if error_code:
                params["ErrorCode"] = str(error_code)
        if post:
            self._post_callback(chain["url"], params)

    def _post_callback(self, url, params, auth_token=None, sign=True):
        """POST a signed form to ``url``; return (status or None, text or error)."""
        data = urllib.parse.urlencode(params, doseq=True).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "User-Agent": "TwilioProxy/1.1",
            "Accept": "*/*",
        }
        if sign:
            token = self.auth_token if auth_token is None else auth_token
            headers["X-Twilio-Signature"] = twilio_signature(token, url, params)
        request = urllib.request.Request(url, data=data, headers=headers)
        try:
            with self._opener.open(request, timeout=self.callback_timeout) as response:
                outcome = response.status
                text = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            outcome = exc.code
            text = exc.read().decode("utf-8", "replace")
        except Exception as exc:  # noqa: BLE001 - callbacks must never crash us
            outcome = f"{type(exc).__name__}: {exc}"
            text = outcome
        with self._lock:
            self.callback_log.append((url, dict(params), outcome))
        return (outcome if isinstance(outcome, int) else None), text

    # ---------------------------------------------------------------- inbound
    def send_inbound(self, url, from_, to, body, extra=None, auth_token=None, sign=True):
        """POST a signed inbound-message webhook to ``url`` like Twilio does.

        ``extra`` adds/overrides fields (ButtonPayload, ProfileName, WaId,
        NumMedia, MediaUrl0...); a value of None removes a field.
        ``auth_token`` signs with another token (forgery); ``sign=False`` omits
        the header.  Returns ``(status_code, response_text)``; the status is None
        when the URL could not be reached (the text then holds the error).
        """
        sid = "SM" + uuid.uuid4().hex
        params = {
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "SmsSid": sid,
            "SmsStatus": "received",
            "Body": body,
            "To": to,
            "NumSegments": str(sms_segments(body)[1]),
            "MessageSid": sid,
            "AccountSid": self.account_sid,
            "From": from_,
            "ApiVersion": API_VERSION,
        }
        for key, value in (extra or {}).items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return self._post_callback(url, params, auth_token=auth_token, sign=sign)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8899)
    parser.add_argument("--account-sid", default=DEFAULT_ACCOUNT_SID)
    parser.add_argument("--auth-token", default=DEFAULT_AUTH_TOKEN)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument(
        "--delivery",
        default="delivered",
        choices=("delivered", "undelivered", "failed", "none"),
    )
    parser.add_argument("--callback-delay", type=float, default=0.5)
    parser.add_argument("--read-status", action="store_true")
    parser.add_argument(
        "--fail",
        action="append",
        default=[],
        metavar="NUMBER=CODE",
        help="make messages to NUMBER fail with Twilio error CODE (repeatable)",
    )
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--fault-kinds", default="429,500")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--rate-limit", type=int, default=None)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)

    fake = FakeTwilio(
        account_sid=args.account_sid,
        auth_token=args.auth_token,
        latency=args.latency,
        port=args.port,
        verbose=args.verbose,
    )
    fake.delivery = None if args.delivery == "none" else args.delivery
    fake.callback_delay = args.callback_delay
    fake.read_status = args.read_status
    fake.rate_limit_per_second = args.rate_limit
    for item in args.fail:
        number, _, code = item.partition("=")
        fake.fail_numbers[number] = int(code)
    if args.fault_rate:
        fake.inject_faults(args.fault_rate, args.fault_kinds.split(","), args.seed)
    fake.start()
    # The first line is the URL: whoever started the script reads it.
    sys.stdout.write(f"{fake.url}\n")
    sys.stdout.write(f"account_sid={fake.account_sid} messages_url={fake.messages_url}\n")
    sys.stdout.flush()
    fake.serve_forever()


if __name__ == "__main__":
    main()
