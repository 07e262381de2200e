"""A local fake of NetGSM's SMS REST v2 API, for tests and benchmarks.

The server speaks NetGSM's URL layout and JSON answers on loopback only::

    POST /sms/rest/v2/send     {"msgheader", "encoding", "iysfilter", "messages": [{"msg", "no"}]}
                               -> {"code": "00", "jobid": "...", "description": "queued"}
    POST /sms/rest/v2/report   {"jobids": [...]}
                               -> {"code": "00", "jobs": [{"jobid", "status", ...}]}, or "60"

HTTP Basic auth with the user code and password (else code 30, HTTP 406 like
NetGSM's error answers). Send answers, as documented: 20 empty or too long
text, 30 credentials, 40 header not registered, 50/51 commercial (İYS) send
without an İYS account/brand, 70 bad parameter (number), 80 more than
``rate_limit_per_second`` sends a second, 85 more than 20 sends to one
number within a minute, 100/101 system errors (injected). Report: at most
``report_limit_per_minute`` queries a minute (code 80), status 0 (waiting)
until ``deliver()`` or ``delivery`` sets the final one.

Usage in a test::

    with FakeNetgsm(usercode="8501112233", password="secret", headers={"SALON"}) as ng:
        ng.fail_next("100")                      # the next send answers 100
        ng.delivery = "1"                        # every message is delivered at once
        ng.status_by_number["905551112233"] = "16"   # İYS refused for this number
        ...  # point the code under test at ng.url
        assert ng.sent[0]["msg"] == "Randevunuz onaylandı"

Only the standard library is used; the server binds 127.0.0.1.
"""

import argparse
import base64
import contextlib
import itertools
import json
import random
import re
import sys
import threading
import time
from collections import Counter, defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SEND_PATH = "/sms/rest/v2/send"
REPORT_PATH = "/sms/rest/v2/report"
STATS_PATH = "/fake/stats"  # not NetGSM's: how many messages this fake accepted
MAX_CHARS = 1000  # the fake's own limit for code 20 (NetGSM: "over the maximum length")
# Turkish mobiles (905xxxxxxxxx) or 00 + an international number.
NUMBER_RE = re.compile(r"^(905\d{9}|00[1-9]\d{6,14})$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = -1  # one write per response: no Nagle/delayed-ACK stalls
    disable_nagle_algorithm = True
    server_version = "FakeNetgsm/1.0"

    def log_message(self, format, *args):
        return None

    def do_POST(self):
        self.server.fake._handle(self)

    def do_GET(self):
        if self.path == STATS_PATH:  # the fake's own, for a benchmark in another process
            fake = self.server.fake
            self.send_json(200, {"sent": len(fake.sent), "report_queries": fake.report_queries})
        else:
            self.send_json(405, {"code": "70", "description": "POST only"})

    def send_json(self, status, payload):
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # the dispatcher's parallel calls must not overflow the backlog


class FakeNetgsm:
    def __init__(self, usercode="8501112233", password="netgsm-test", headers=("SALON",)):
        self.usercode = usercode
        self.password = password
        self.headers = set(headers)
        self.iys_account = True  # False: commercial sends answer 50
        self.iys_brand = True  # False: commercial sends answer 51
        self.rate_limit_per_second = 0  # 0: no limit
        self.report_limit_per_minute = 10
        self.per_number_limit = 20  # sends to one number within a minute (code 85); 0: none
        self.delivery = None  # final report status given at send time, None: "0"
        self.status_by_number = {}
        self.delay = 0.0  # seconds before answering any send
        self.timeout_sleep = 12.0  # seconds a "timeout" fault holds its answer
        self._server = None
        self._thread = None
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        with self._lock:
            self.sent = []  # accepted messages, dicts with jobid, no, msg, header, ...
            self.jobs = {}  # jobid -> message dict
            self.requests = []  # (path, status, answer code) of every call
            self.report_queries = 0
            self._forced = deque()
            self._ids = itertools.count(1_700_000_001)
            self._send_times = deque()
            self._report_times = deque()
            self._per_number = defaultdict(deque)
            self._fault_rate, self._fault_kinds, self._random = 0.0, (), random.Random()
            self.faults = Counter()  # kind -> how many were injected
            self.timed_out = []  # job ids accepted after a "timeout" fault

    def fail_next(self, *codes):
        """The next sends answer these codes, in order (e.g. "100", "80")."""
        with self._lock:
            self._forced.extend(codes)

    def inject_faults(self, rate=0.3, kinds=("100", "80", "timeout"), seed=None):
        """Answer a share ``rate`` of the sends with a fault drawn from ``kinds``.

        A code is answered instead of sending; "timeout" sends the message but
        answers only after ``timeout_sleep`` seconds (the client gave up by then).
        """
        with self._lock:
            self._fault_rate, self._fault_kinds = rate, tuple(kinds)
            self._random = random.Random(seed)

    def clear_faults(self):
        with self._lock:
            self._fault_rate, self._fault_kinds = 0.0, ()

    def received_by_no(self):
        """{number: how many messages NetGSM accepted for it}."""
        with self._lock:
            return Counter(record["no"] for record in self.sent)

    def deliver(self, jobid, status):
        """Set the report status of a message (e.g. "1" delivered, "12" not delivered)."""
        with self._lock:
            self.jobs[str(jobid)]["status"] = str(status)

    # ------------------------------------------------------------ lifecycle
    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self, port=0):
        if self._server is None:
            self._server = _Server(("127.0.0.1", port), _Handler)
            self._server.fake = self
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # ------------------------------------------------------------ HTTP side
    def _authorized(self, header):
        if not header or not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except ValueError:
            return False
        return decoded == f"{self.usercode}:{self.password}"

    def _handle(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        path = handler.path.split("?")[0].rstrip("/")
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        if path == SEND_PATH and self.delay:
            time.sleep(self.delay)
        timeout = False
        with self._lock:
            if not self._authorized(handler.headers.get("Authorization")):
                status, answer = 406, {"code": "30", "description": "invalid credentials"}
            elif not isinstance(body, dict):
                status, answer = 406, {"code": "70", "description": "invalid JSON"}
            elif path == SEND_PATH:
                fault = self._roll_fault()
                if fault == "timeout":
                    status, answer = self._send(body)
                    timeout = answer.get("code") == "00"
                    if timeout:
                        self.timed_out.append(answer["jobid"])
                elif fault:
                    status, answer = 406, {"code": fault, "description": "injected"}
                else:
                    status, answer = self._send(body)
            elif path == REPORT_PATH:
                status, answer = self._report(body)
            else:
                status, answer = 404, {"code": "70", "description": "unknown path"}
            self.requests.append((path, status, answer.get("code")))
        if timeout:
            time.sleep(self.timeout_sleep)
        handler.send_json(status, answer)

    def _roll_fault(self):
        if not self._fault_kinds or self._random.random() >= self._fault_rate:
            return None
        kind = self._random.choice(self._fault_kinds)
        self.faults[kind] += 1
        return kind

    @staticmethod
    def _within(times, window, now):
        while times and times[0] <= now - window:
            times.popleft()
        return len(times)

    def _send(self, body):
        if self._forced:
            code = self._forced.popleft()
            return 406, {"code": code, "description": "forced"}
        messages = body.get("messages")
        if not isinstance(messages, list) or len(messages) != 1:
            return 406, {"code": "70", "description": "messages"}
        message = messages[0] if isinstance(messages[0], dict) else {}
        text, number = message.get("msg") or "", str(message.get("no") or "")
        header = body.get("msgheader") or ""
        if not text.strip() or len(text) > MAX_CHARS:
            return 406, {"code": "20", "description": "message text"}
        if header not in self.headers:
            return 406, {"code": "40", "description": "msgheader"}
        if not NUMBER_RE.match(number):
            return 406, {"code": "70", "description": "number"}
        commercial = str(body.get("iysfilter") or "0") in ("11", "12")
        if commercial and not self.iys_account:
            return 406, {"code": "50", "description": "iys account"}
        if commercial and not self.iys_brand:
            return 406, {"code": "51", "description": "iys brand"}
        now = time.monotonic()
        rate = self.rate_limit_per_second
        if rate and self._within(self._send_times, 1.0, now) >= rate:
            return 406, {"code": "80", "description": "limit"}
        limit = self.per_number_limit
        if limit and self._within(self._per_number[number], 60.0, now) >= limit:
            return 406, {"code": "85", "description": "duplicate"}
        self._send_times.append(now)
        self._per_number[number].append(now)
        jobid = str(next(self._ids))
        record = {
            "jobid": jobid,
            "no": number,
            "msg": text,
            "header": header,
            "encoding": body.get("encoding"),
            "iysfilter": str(body.get("iysfilter") or "0"),
            "status": self.status_by_number.get(number, self.delivery or "0"),
        }
        self.sent.append(record)
        self.jobs[jobid] = record
        return 200, {"code": "00", "jobid": jobid, "description": "queued"}

    def _report(self, body):
        now = time.monotonic()
        if self._within(self._report_times, 60.0, now) >= self.report_limit_per_minute:
            return 406, {"code": "80", "description": "query limit"}
        self._report_times.append(now)
        self.report_queries += 1
        jobids = body.get("jobids")
        if not isinstance(jobids, list) or not jobids:
            return 406, {"code": "70", "description": "jobids"}
        jobs = [
            {
                "jobid": jobid,
                "status": int(self.jobs[jobid]["status"]),
                "telno": self.jobs[jobid]["no"],
                "errorCode": 0,
            }
            for jobid in map(str, jobids)
            if jobid in self.jobs
        ]
        if not jobs:
            return 200, {"code": "60", "description": "no records"}
        return 200, {"code": "00", "jobs": jobs}


def main(argv=None):
    parser = argparse.ArgumentParser(description="A local fake of NetGSM's SMS REST v2 API.")
    parser.add_argument("--port", type=int, default=8898)
    parser.add_argument("--usercode", default="8501112233")
    parser.add_argument("--password", default="netgsm-test")
    parser.add_argument("--header", action="append", default=None)
    parser.add_argument("--delivery", default="1", help="report status of every message")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per send")
    parser.add_argument(
        "--per-number-limit", type=int, default=20, help="code 85 after this many a minute"
    )
    args = parser.parse_args(argv)
    fake = FakeNetgsm(args.usercode, args.password, headers=args.header or ["SALON"])
    fake.delivery = args.delivery
    fake.delay = args.latency
    fake.per_number_limit = args.per_number_limit
    fake.start(args.port)
    sys.stdout.write(f"{fake.url}\n")
    sys.stdout.flush()
    with contextlib.suppress(KeyboardInterrupt):
        while True:
            time.sleep(3600)


if __name__ == "__main__":
    main()
