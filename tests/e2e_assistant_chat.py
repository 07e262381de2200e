"""WhatsApp customers chatting with the booking assistant, from outside Odoo.

Shared by ``tests/test_e2e_assistant.py`` and ``bench/assistant.py``. Each simulated
customer is a thread with its own WhatsApp number. It posts Twilio's inbound
webhook (form-encoded, ``X-Twilio-Signature`` with the account's auth token, signed
for the configured webhook URL) alternately to the Odoo servers it is given, waits
for the assistant's answer to be queued (``appointment.notify.message`` rows with
``whatsapp_reply`` = the kind watched), and answers the way a customer taps: the
choice id of one of the reply's options as ``ButtonPayload``.

One ``ReplyWatcher`` thread reads the new reply rows for everybody (one query every
``POLL`` seconds, straight from PostgreSQL to get ``create_date`` to the
microsecond) and hands each customer what was queued for their number.
"""

import json
import queue
import random
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import timezone

from e2e_support import PG, dev, sms_number
from twilio_fake import twilio_signature

INBOUND = "/appointment_notify_whatsapp/inbound"
WA_FROM = "+3197010000002"
POLL = 0.2
# Options the customer never taps: they leave the booking path.
AVOID = ("intent:human", "intent:cancel", "intent:reschedule", "intent:list", "no", "day:more")


# Two servers answering 50 customers at once: each caps its request threads and its
# database connections (as a production proxy and db_maxconn would), so that together
# they stay well under PostgreSQL's max_connections on a shared machine (above it, a
# request finds no database and gets a 404). Requests beyond the cap wait their turn.
# A request may hold two connections (its own, and one to "postgres" to wake the cron
# threads after its commit), each cron thread two: 10 threads need about 2 x 10 + 2 x 2.
SERVER_OPTIONS = {
    "extra_args": ["--db_maxconn=32"],
    "environ": {"ODOO_MAX_HTTP_THREADS": "10"},
}


def wa_number(i, block=4):
    """The WhatsApp number of simulated customer ``i`` (Dutch mobile, E.164)."""
    return sms_number(i, block=block)


# --------------------------------------------------------------------------
# the business: a service with two staff members and few free slots
# --------------------------------------------------------------------------


@dataclass
class Salon:
    service: int
    staff: list
    partners: list
    numbers: list
    capacity: int = 1


def new_customer_name(index):
    """A name without digits (the assistant does not take "Customer 7" for a name)."""
    letters = chr(ord("a") + index % 26) + chr(ord("a") + index // 26 % 26)
    return f"Ayla Kaya{letters}"


def make_salon(rpc, customers, *, hours=(8, 18), max_days=4, tag="wa", block=4, new=0):
    """Two stylists working ``hours`` (UTC) every day, a 1 h service with one place
    per stylist bookable ``max_days`` ahead and chosen by the customer, and
    ``customers`` customers with a WhatsApp number each, the last ``new`` of them
    unknown to the business (no contact). Other services are archived: the
    customers book this one."""
    others = rpc("appointment.notify.service", "search", [])
    if others:
        rpc("appointment.notify.service", "write", others, {"active": False})
    calendar = rpc(
        "resource.calendar",
        "create",
        {
            "name": f"{tag} every day",
            "tz": "UTC",
            "attendance_ids": [(5, 0, 0)]
            + [
                (
                    0,
                    0,
                    {
                        "name": f"day {day}",
                        "dayofweek": str(day),
                        "hour_from": hours[0],
                        "hour_to": hours[1],
                        "day_period": "morning",
                    },
                )
                for day in range(7)
            ],
        },
    )
    staff = []
    for i in range(2):
        user = rpc(
            "res.users",
            "create",
            {
                "name": f"{tag} Stylist {i}",
                "login": f"{tag}_stylist_{i}",
                "email": f"{tag}-stylist-{i}@e2e.example.com",
            },
        )
        staff.append(
            rpc(
                "resource.resource",
                "create",
                {
                    "name": f"{tag} Stylist {i}",
                    "resource_type": "user",
                    "user_id": user,
                    "calendar_id": calendar,
                    "tz": "UTC",
                },
            )
        )
    service = rpc(
        "appointment.notify.service",
        "create",
        {
            "name": f"{tag} Haircut",
            "duration": 1.0,
            "slot_step": 1.0,
            "capacity": 1,
            "max_days_ahead": max_days,
            "min_notice_hours": 1,
            "assignment": "customer",
            "staff_ids": [(6, 0, staff)],
        },
    )
    partners, numbers = make_wa_customers(rpc, customers - new, tag=tag, block=block)
    numbers += [wa_number(i, block) for i in range(customers - new, customers)]
    return Salon(service, staff, partners, numbers)


def make_wa_customers(rpc, count, *, tag="wa", block=4):
    """``count`` known customers, each with a WhatsApp number; (partner ids, numbers)."""
    numbers = [wa_number(i, block) for i in range(count)]
    partners = rpc(
        "res.partner",
        "create",
        [
            {
                "name": f"{tag} customer {i}",
                "phone": number,
                "country_id": rpc.ref("base.nl"),
                "lang": "en_US",
                "notify_consent_whatsapp": True,
            }
            for i, number in enumerate(numbers)
        ],
    )
    return partners, numbers


def prepare_whatsapp(rpc, assistant=True, content_url=None):
    """The companies' WhatsApp sender (the Twilio account is prepare_sms's) and the
    assistant on or off; the default auto-reply text. ``content_url``: where the
    assistant creates its interactive messages (Twilio's Content API, faked)."""
    if content_url:
        rpc(
            "ir.config_parameter",
            "set_param",
            "appointment_notify_whatsapp_assistant.twilio_content_url",
            content_url,
        )
    companies = rpc("res.company", "search", [])
    rpc(
        "res.company",
        "write",
        companies,
        {
            "notify_whatsapp_sender_type": "number",
            "notify_whatsapp_from_number": f"whatsapp:{WA_FROM}",
            "notify_whatsapp_rate": 0,
            "notify_whatsapp_auto_reply": False,
            "notify_assistant_enabled": assistant,
        },
    )


def assistant_runner_missing(rpc):
    """Why the assistant cannot chat on this database yet, or None (its runner is built)."""
    fields = rpc("appointment.notify.message", "fields_get", ["whatsapp_options"], ["type"])
    if "whatsapp_options" not in fields:
        return (
            "the assistant's runner is not built yet: appointment.notify.message has no "
            "whatsapp_options (queued replies carry no choices)"
        )
    return None


# --------------------------------------------------------------------------
# watching the queued replies
# --------------------------------------------------------------------------


def _options(row):
    """The reply's options as a list of {id, title, ...}, whatever the column is called."""
    value = row.get("whatsapp_options")
    if value is None:
        for key, candidate in row.items():
            if key.endswith("options") and candidate:
                value = candidate
                break
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if isinstance(value, dict):
        value = value.get("options") or value.get("items")
    return [o for o in value or () if isinstance(o, dict) and o.get("id")]


@dataclass
class Turn:
    """The reply rows one transaction queued for a customer."""

    rows: list
    seen_at: float  # wall clock (time.time()) when the watcher first saw them

    @property
    def queued_at(self):
        """create_date of the rows (the creating transaction's start), as epoch seconds."""
        return min(r["create_ts"] for r in self.rows)

    @property
    def options(self):
        for row in reversed(self.rows):
            opts = _options(row)
            if opts:
                return opts
        return []

    @property
    def text(self):
        return "\n".join(r.get("body") or "" for r in self.rows)


class ReplyWatcher(threading.Thread):
    """Reads the queued WhatsApp replies of ``kinds`` and routes them per number."""

    def __init__(self, db, kinds=("assistant",), numbers_by_partner=None):
        super().__init__(daemon=True, name="reply-watcher")
        self.db = db
        self.kinds = list(kinds)
        self.numbers_by_partner = numbers_by_partner or {}
        self.queues = {}
        self.lock = threading.Lock()
        self.seen = set()
        self.rows = []
        self.top = 0
        self.stopping = threading.Event()
        self.error = None

    def queue_for(self, number):
        with self.lock:
            return self.queues.setdefault(number, queue.Queue())

    def run(self):
        conn = dev.pg_connect(PG, self.db)
        conn.autocommit = True
        try:
            with conn.cursor() as cr:
                while not self.stopping.is_set():
                    self._poll(cr)
                    self.stopping.wait(POLL)
                self._poll(cr)
        except Exception as exc:  # noqa: BLE001 - reported by the customers' waits
            self.error = exc
        finally:
            conn.close()

    def _poll(self, cr):
        # Rows commit out of id order (concurrent transactions): look back a little
        # below the highest id seen and skip what was seen.
        cr.execute(
            """
            SELECT m.id, extract(epoch FROM m.create_date AT TIME ZONE 'UTC'), to_jsonb(m)
              FROM appointment_notify_message m
             WHERE m.channel = 'whatsapp' AND m.whatsapp_reply = ANY(%s) AND m.id > %s
             ORDER BY m.id
            """,
            [self.kinds, self.top - 2000],
        )
        now = time.time()
        batches = {}
        for row_id, create_ts, data in cr.fetchall():
            if row_id in self.seen:
                continue
            self.seen.add(row_id)
            self.top = max(self.top, row_id)
            data["create_ts"] = float(create_ts)
            data["seen_at"] = now
            number = data.get("destination") or self.numbers_by_partner.get(data.get("partner_id"))
            # One transaction queues a turn's rows together: group them by create_date.
            batches.setdefault((number, data["create_date"]), []).append(data)
        for (number, _created), rows in sorted(batches.items(), key=lambda kv: kv[1][0]["id"]):
            self.rows.extend(rows)
            self.queue_for(number).put(Turn(rows, now))

    def stop(self):
        self.stopping.set()
        self.join(timeout=10)


# --------------------------------------------------------------------------
# webhooks
# --------------------------------------------------------------------------


@dataclass
class Sent:
    sid: str
    body: str
    choice: str | None
    server: int
    sent_at: float  # wall clock before the POST
    seconds: float  # HTTP round trip
    status: int | None
    duplicate: bool = False


def post_inbound(url, signed_url, auth_token, params):
    """POST a Twilio inbound webhook to ``url``, signed for ``signed_url``; (status, s)."""
    headers = {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "User-Agent": "TwilioProxy/1.1",
        "X-Twilio-Signature": twilio_signature(auth_token, signed_url, params),
    }
    data = urllib.parse.urlencode(params).encode()
    request = urllib.request.Request(url, data=data, headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = None
    return status, time.perf_counter() - started


# --------------------------------------------------------------------------
# customers
# --------------------------------------------------------------------------


@dataclass
class Customer:
    index: int
    number: str
    partner: int | None  # None: a number the business does not know yet
    sent: list = field(default_factory=list)
    turns: list = field(default_factory=list)
    outcome: str = "running"  # booked | replied | stuck | no_reply | error
    taken: int = 0  # times a confirm (or a pick) came back with alternatives
    error: str = ""

    def transcript(self, last=6):
        lines = []
        events = [("in", s.sent_at, s) for s in self.sent if not s.duplicate]
        events += [("out", t.seen_at, t) for t in self.turns]
        for kind, _at, item in sorted(events, key=lambda e: e[1])[-last:]:
            if kind == "in":
                lines.append(f"  > {item.choice or item.body!r}")
            else:
                ids = [o["id"] for o in item.options]
                lines.append(f"  < {item.text[:120]!r} {ids}")
        return f"customer {self.index} ({self.number}, {self.outcome}):\n" + "\n".join(lines)


class Chat:
    """The customers of one run: their threads, webhooks and what they got."""

    def __init__(self, servers, db, account_sid, auth_token, signed_base, salon, kind):
        self.servers = servers
        self.urls = [s.url for s in servers]
        self.db = db
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.signed_url = signed_base + INBOUND
        self.salon = salon
        self.kind = kind
        self.customers = [
            Customer(i, number, salon.partners[i] if i < len(salon.partners) else None)
            for i, number in enumerate(salon.numbers)
        ]
        self.watcher = ReplyWatcher(
            db,
            kinds=(kind,),
            numbers_by_partner=dict(zip(salon.partners, salon.numbers, strict=False)),
        )
        # Which messages Twilio delivers twice: (customer, its message number) -> bool.
        self.duplicate = lambda customer, count: False
        self.max_turns = 20
        self.reply_timeout = 30.0
        # Seconds a customer reads before tapping (min, max); the bench also runs
        # a human pace next to this near-instant one.
        self.think = (0.0, 0.3)
        self.elapsed = 0.0
        self.logs = {}  # server name -> what it logged during the run

    # one message -----------------------------------------------------------

    def send(self, customer, body, choice=None, title=None):
        server = (customer.index + len(customer.sent)) % len(self.urls)
        sid = "SM" + uuid.uuid4().hex
        params = {
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "ProfileName": f"Customer {customer.index}",
            "SmsSid": sid,
            "WaId": customer.number.lstrip("+"),
            "SmsStatus": "received",
            "Body": title if choice else body,
            "To": f"whatsapp:{WA_FROM}",
            "NumSegments": "1",
            "MessageType": "button" if choice else "text",
            "MessageSid": sid,
            "AccountSid": self.account_sid,
            "From": f"whatsapp:{customer.number}",
            "ApiVersion": "2010-04-01",
        }
        if choice:
            params["ButtonPayload"] = choice
            params["ButtonText"] = title or choice
        sent_at = time.time()
        url = self.urls[server] + INBOUND
        status, seconds = post_inbound(url, self.signed_url, self.auth_token, params)
        customer.sent.append(Sent(sid, body, choice, server, sent_at, seconds, status))
        count = len([s for s in customer.sent if not s.duplicate])
        if self.duplicate(customer, count):
            # Twilio retries a webhook with the same MessageSid: here at once, to the
            # other server, while the first delivery is being handled.
            other = (server + 1) % len(self.urls)
            url = self.urls[other] + INBOUND
            status2, seconds2 = post_inbound(url, self.signed_url, self.auth_token, params)
            customer.sent.append(
                Sent(sid, body, choice, other, time.time(), seconds2, status2, duplicate=True)
            )
        if status != 200:
            raise RuntimeError(f"webhook answered {status}")

    def wait_turn(self, customer):
        try:
            turn = self.watcher.queue_for(customer.number).get(timeout=self.reply_timeout)
        except queue.Empty:
            if self.watcher.error:
                raise RuntimeError(f"reply watcher failed: {self.watcher.error!r}") from None
            return None
        customer.turns.append(turn)
        return turn

    # one conversation --------------------------------------------------------

    def choose(self, options, rng):
        """The choice id a customer who wants any slot of the service taps."""
        ids = [o["id"] for o in options if o["id"] not in AVOID]

        def starting(prefix):
            return [i for i in ids if i.startswith(prefix)]

        if "intent:book" in ids:
            return "intent:book"
        service = f"svc:{self.salon.service}"
        if service in ids:
            return service
        for prefix, spread in (("staff:", None), ("day:", 2), ("slot:", None)):
            found = starting(prefix)
            if found:
                # Everybody wants the first days: the customers compete for them.
                return rng.choice(found[:spread] if spread else found)
        if "yes" in ids:
            return "yes"
        return ids[0] if ids else None

    def converse(self, customer):
        rng = random.Random(customer.index)
        self.send(customer, "Hi")
        confirming = named = False
        while len(customer.turns) < self.max_turns:
            turn = self.wait_turn(customer)
            if turn is None:
                customer.outcome = "no_reply"
                return
            ids = [o["id"] for o in turn.options]
            if customer.partner is None and not ids and not named:
                # A new number is asked its name once (a question without choices).
                named = True
                self.send(customer, new_customer_name(customer.index))
                continue
            slots = [i for i in ids if i.startswith("slot:")]
            if confirming and slots:
                customer.taken += 1  # taken meanwhile: alternatives offered
            if confirming and not slots and "yes" not in ids:
                customer.outcome = "booked"
                return
            choice = self.choose(turn.options, rng)
            if choice is None:
                customer.outcome = "stuck"
                return
            title = next(o.get("title") or choice for o in turn.options if o["id"] == choice)
            confirming = choice == "yes"
            time.sleep(rng.uniform(*self.think))  # a customer reads before tapping
            self.send(customer, title, choice=choice, title=title)
        customer.outcome = "stuck"

    def say_hi(self, customer):
        """The auto-reply path: one "Hi", one answer."""
        self.send(customer, "Hi")
        customer.outcome = "replied" if self.wait_turn(customer) else "no_reply"

    def run(self, conversation=None, one_at_a_time=False):
        """All customers at once (a thread each), or ``one_at_a_time`` (no contention)."""
        conversation = conversation or self.converse
        self.watcher.start()

        def target(customer):
            try:
                conversation(customer)
            except Exception as exc:  # noqa: BLE001 - reported by the caller
                customer.outcome, customer.error = "error", repr(exc)

        threads = [threading.Thread(target=target, args=(c,)) for c in self.customers]
        offsets = {s.name: _log_size(s) for s in self.servers}
        started = time.monotonic()
        for thread in threads:
            thread.start()
            if one_at_a_time:
                thread.join(timeout=self.max_turns * self.reply_timeout)
        for thread in threads:
            thread.join(timeout=self.max_turns * self.reply_timeout)
        self.elapsed = time.monotonic() - started
        # Late rows (a reply nobody waited for) still land in watcher.rows.
        time.sleep(1)
        self.watcher.stop()
        for server in self.servers:
            with open(server.log_path, errors="replace") as log:
                log.seek(offsets[server.name])
                self.logs[server.name] = log.read()
        return self

    # figures -------------------------------------------------------------------

    def webhook_seconds(self):
        return [s.seconds for c in self.customers for s in c.sent]

    def reply_latencies(self):
        """(queued: create_date - send, seen: watcher saw it - send) per answered message."""
        queued, seen = [], []
        for customer in self.customers:
            sent = [s for s in customer.sent if not s.duplicate]
            for turn in customer.turns:
                before = [s for s in sent if s.sent_at <= turn.seen_at]
                if not before:
                    continue
                last = before[-1].sent_at
                queued.append(turn.queued_at - last)
                seen.append(turn.seen_at - last)
        return queued, seen

    def runner_runs(self):
        """{server: (runs, turns, seconds)} of the assistant's cron during the run."""
        runs = {}
        for name, text in self.logs.items():
            for done, seconds in RUNNER_DONE.findall(text):
                count, turns, total = runs.get(name, (0, 0, 0.0))
                runs[name] = (count + 1, turns + int(done), round(total + float(seconds), 2))
        return runs

    def figures(self):
        hooks = self.webhook_seconds()
        queued, seen = self.reply_latencies()
        outcomes = {}
        for customer in self.customers:
            outcomes[customer.outcome] = outcomes.get(customer.outcome, 0) + 1
        return {
            "customers": len(self.customers),
            "outcomes": outcomes,
            "webhooks": len(hooks),
            "webhook ms": stats_ms(hooks),
            "reply queued after last message, ms": stats_ms(queued),
            "reply seen by the customer (0.2 s poll), ms": stats_ms(seen),
            "taken then alternatives": sum(c.taken for c in self.customers),
            "customers who met a taken slot": sum(1 for c in self.customers if c.taken),
            "seconds": round(self.elapsed, 1),
            "runner (server: runs, turns, seconds)": self.runner_runs(),
            "errors": sorted({c.error for c in self.customers if c.error})[:3],
            "serialization retries": sum(
                text.count("SERIALIZATION_FAILURE") for text in self.logs.values()
            ),
        }


RUNNER_DONE = re.compile(
    r"Job 'Notifications: WhatsApp booking assistant' \(\d+\) fully done "
    r"\(#loop \d+; done (\d+); remaining \d+; duration ([\d.]+)s\)"
)


def _log_size(server):
    try:
        return server.log_path.stat().st_size
    except OSError:
        return 0


def percentile(values, pct):
    ordered = sorted(values)
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def stats_ms(values):
    if not values:
        return {}
    return {
        "p50": round(statistics.median(values) * 1000),
        "p95": round(percentile(values, 95) * 1000),
        "max": round(max(values) * 1000),
    }


def utc_ts(dt):
    """A naive UTC datetime as epoch seconds."""
    return dt.replace(tzinfo=timezone.utc).timestamp()


def overlaps_over_capacity(events, capacity):
    """Events (dicts with start, stop, staff) that overlap more than ``capacity`` others
    of the same staff member at one moment: [(staff, moment, count)]."""
    bad = []
    by_staff = {}
    for event in events:
        by_staff.setdefault(event["staff"], []).append(event)
    for staff, rows in by_staff.items():
        points = sorted(
            [(r["start"], 1) for r in rows] + [(r["stop"], -1) for r in rows],
            key=lambda p: (p[0], p[1]),
        )
        running = 0
        for moment, delta in points:
            running += delta
            if running > capacity:
                bad.append((staff, moment, running))
    return bad


__all__ = [
    "INBOUND",
    "SERVER_OPTIONS",
    "WA_FROM",
    "Chat",
    "ReplyWatcher",
    "Salon",
    "assistant_runner_missing",
    "make_salon",
    "make_wa_customers",
    "overlaps_over_capacity",
    "prepare_whatsapp",
    "stats_ms",
    "utc_ts",
    "wa_number",
]
