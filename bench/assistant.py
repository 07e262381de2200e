"""WhatsApp booking assistant benchmarks (appointment_notify_whatsapp_assistant).

Run by ``bench/run.py --only assistant`` (``./dev bench --only assistant``) or alone::

    python bench/assistant.py [--customers 50] [--quick]

Unlike the other benchmarks this one drives real Odoo servers from outside, as the
end-to-end test ``tests/test_e2e_assistant.py`` does (same harness,
``tests/e2e_assistant_chat.py``): a database cloned from the cached install of the
assistant, two Odoo servers (threaded, 2 cron threads each) on it, Twilio faked on
127.0.0.1, and simulated customers posting signed inbound webhooks alternately to
both servers.

1. One at a time: 10 customers write "Hi" one after the other, each waiting for
   the reply (no contention): the cost of a webhook and of a turn by themselves.
2. A burst: N customers write at the same moment. Odoo's own
   ``/web/webclient/version_info`` (the cheapest JSON-RPC route, no database work)
   under the same burst, the existing auto-reply path (assistant off: the webhook
   queues the auto-reply itself), and the assistant on (the webhook records the
   message and triggers the runner, which queues the reply after its debounce).
3. A conversation: N customers book at once through the assistant (Hi, book,
   service, staff, day, slot, yes; alternatives when their slot was taken).

Figures: webhook response time (p50/p95/max), time from a customer's message to its
reply being queued (the reply row's create_date, the start of the runner's
transaction) and to the customer seeing it (0.2 s poll).
"""

import argparse
import configparser
import importlib.util
import json
import os
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEBHOOK_TARGET_MS = 200
REPLY_TARGET_MS = 3000


def _env_from_conf(conf):
    """The e2e harness reads the database server and addons path from AN_* variables."""
    if not conf:
        return
    parser = configparser.ConfigParser()
    parser.read(conf)
    options = parser["options"]
    for key, var in (
        ("db_host", "AN_DB_HOST"),
        ("db_port", "AN_DB_PORT"),
        ("db_user", "AN_DB_USER"),
        ("addons_path", "AN_ADDONS_PATH"),
        ("data_dir", "AN_DATA_DIR"),
    ):
        if options.get(key):
            os.environ.setdefault(var, options[key])
    os.environ.setdefault("AN_PYTHON", sys.executable)


def _harness():
    """Import the e2e harness (tests/) and the Twilio fake like tests/conftest.py does."""
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    if "twilio_fake" not in sys.modules:
        path = ROOT / "appointment_notify_sms" / "tests" / "twilio_fake.py"
        spec = importlib.util.spec_from_file_location("twilio_fake", path)
        sys.modules["twilio_fake"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules["twilio_fake"])
    import e2e_assistant_chat
    import e2e_support

    return e2e_support, e2e_assistant_chat


def burst_version_info(url, clients, rounds=3):
    """``clients`` threads POST /web/webclient/version_info at once, ``rounds`` times."""
    times = []
    lock = threading.Lock()
    data = json.dumps({"jsonrpc": "2.0", "method": "call", "params": {}}).encode()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def one():
        request = urllib.request.Request(
            f"{url}/web/webclient/version_info",
            data=data,
            headers={"Content-Type": "application/json"},
        )
        started = time.perf_counter()
        with opener.open(request, timeout=60) as response:
            response.read()
        with lock:
            times.append(time.perf_counter() - started)

    for _ in range(rounds):
        threads = [threading.Thread(target=one) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return times


def _met(figures, key, target):
    p95 = figures.get(key, {}).get("p95")
    return p95 is not None and p95 < target


def _extra_runner(server, rpc, stop):
    """A what-if, not a shipped setting: one more runner in parallel, a copy of the
    runner cron run again and again in an HTTP thread (``method_direct_trigger``)
    until ``stop``. The runner's claim (SKIP LOCKED) lets runners share the work."""
    client = server.rpc()
    cron = client("ir.cron", "copy", [rpc.ref(RUNNER_CRON)])
    cron = cron[0] if isinstance(cron, list) else cron
    while not stop.is_set():
        started = time.monotonic()
        client("ir.cron", "method_direct_trigger", [cron])
        if time.monotonic() - started < 0.5:
            stop.wait(0.3)  # nothing was pending


RUNNER_CRON = "appointment_notify_whatsapp_assistant.ir_cron_assistant_run"


def run(customers=50, keep=False, runners=1):
    """Both scenarios on a fresh clone; {section title: figures}."""
    support, chat_mod = _harness()
    from twilio_fake import FakeTwilio

    sink = support.SmtpSink().start()
    twilio = FakeTwilio(
        account_sid=support.SMS_ACCOUNT_SID, auth_token=support.SMS_AUTH_TOKEN
    ).start()
    env = support.E2eEnv("bench_assistant", sink)
    try:
        support.clone_db(support.assistant_base_db(), env.db)
        rpc = env.start_server(**chat_mod.SERVER_OPTIONS).rpc()
        support.prepare_db(rpc, sink)
        support.prepare_sms(rpc, twilio)
        env.start_server("s2", **chat_mod.SERVER_OPTIONS)
        signed_base = rpc("ir.config_parameter", "get_param", "appointment_notify_sms.webhook_url")

        def chat(salon, kind):
            return chat_mod.Chat(
                env.servers,
                env.db,
                twilio.account_sid,
                twilio.auth_token,
                signed_base,
                salon,
                kind,
            )

        # 1a. Odoo's own cheapest route, the same burst on both servers.
        odoo_times = burst_version_info(env.servers[0].url, customers // 2)
        odoo_times += burst_version_info(env.servers[1].url, customers - customers // 2)
        odoo = chat_mod.stats_ms(odoo_times)

        odoo_alone = chat_mod.stats_ms(burst_version_info(env.servers[0].url, 1, ALONE))

        # 1b. Assistant off: the existing auto-reply, queued by the webhook; one
        # customer at a time first (no contention), then all at once.
        chat_mod.prepare_whatsapp(rpc, assistant=False)
        partners, numbers = chat_mod.make_wa_customers(rpc, ALONE, tag="off1", block=1)
        auto_alone = chat(chat_mod.Salon(None, [], partners, numbers), "auto")
        auto_alone.run(auto_alone.say_hi, one_at_a_time=True)
        auto_alone = auto_alone.figures()
        partners, numbers = chat_mod.make_wa_customers(rpc, customers, tag="off", block=5)
        auto = chat(chat_mod.Salon(None, [], partners, numbers), "auto")
        auto.reply_timeout = 30
        auto.run(auto.say_hi)
        auto_figures = auto.figures()

        missing = chat_mod.assistant_runner_missing(rpc)
        first_figures = booking_figures = paced_figures = alone = None
        if not missing:
            # 1c. Assistant on: one at a time, then the same burst of first messages.
            chat_mod.prepare_whatsapp(rpc, assistant=True, content_url=twilio.url)
            partners, numbers = chat_mod.make_wa_customers(rpc, ALONE, tag="on1", block=2)
            alone = chat(chat_mod.Salon(None, [], partners, numbers), "assistant")
            alone.run(alone.say_hi, one_at_a_time=True)
            alone = alone.figures()
            partners, numbers = chat_mod.make_wa_customers(rpc, customers, tag="on", block=3)
            first = chat(chat_mod.Salon(None, [], partners, numbers), "assistant")
            first.reply_timeout = 120
            first.run(first.say_hi)
            first_figures = first.figures()

            # 2. Assistant on: everybody books.
            salon = chat_mod.make_salon(rpc, customers, tag="bench", block=4)
            booking = chat(salon, "assistant")
            booking.reply_timeout = 120
            stop = threading.Event()
            extra = [
                threading.Thread(target=_extra_runner, args=(env.servers[i % 2], rpc, stop))
                for i in range(runners - 1)
            ]
            for thread in extra:
                thread.start()
            try:
                booking.run()
            finally:
                stop.set()
                for thread in extra:
                    thread.join()
            booking_figures = booking.figures()
            booking_figures["runners"] = runners
            booking_figures["appointments"] = rpc(
                "calendar.event", "search_count", [("notify_service_id", "=", salon.service)]
            )
            booking_figures["turns"] = sum(len(c.turns) for c in booking.customers)

            # 3. The same at a human pace: each customer reads 2-6 s before a tap.
            salon = chat_mod.make_salon(rpc, customers, tag="pace", block=6)
            paced = chat(salon, "assistant")
            paced.reply_timeout = 120
            paced.think = HUMAN_PACE
            paced.run()
            paced_figures = paced.figures()
            paced_figures["runners"] = 1
            paced_figures["appointments"] = rpc(
                "calendar.event", "search_count", [("notify_service_id", "=", salon.service)]
            )
            paced_figures["turns"] = sum(len(c.turns) for c in paced.customers)
    finally:
        if keep:
            support.KEEP = True
        env.close()
        twilio.stop()
        sink.stop()

    return {
        ALONE_TITLE: _alone_section(odoo_alone, auto_alone, alone, missing),
        BURST: _burst_section(customers, odoo, auto_figures, first_figures, missing),
        CONVERSATION: _conversation_section(customers, booking_figures, missing),
        PACED: _conversation_section(customers, paced_figures, missing),
    }


def _ratio(a, b, key="p50"):
    a, b = a.get(key), b.get(key)
    return round(a / b, 1) if a and b else None


TARGET = f"webhook < {WEBHOOK_TARGET_MS} ms; reply queued < {REPLY_TARGET_MS} ms (p95)"
QUEUED = "reply queued after last message, ms"


def _alone_section(odoo, auto, alone, missing):
    section = {
        "customers, one after the other": ALONE,
        "Odoo /web/webclient/version_info (ms p50/p95/max)": _triple(odoo),
        "webhook, assistant off: auto-reply (ms p50/p95/max)": _triple(auto["webhook ms"]),
        "reply queued after the message, assistant off (ms p50/p95/max)": _triple(auto[QUEUED]),
    }
    if not alone:
        section["assistant on"] = f"not measured: {missing}"
        return section
    section.update(
        {
            "webhook, assistant on (ms p50/p95/max)": _triple(alone["webhook ms"]),
            "webhook p50: assistant on / off": _ratio(alone["webhook ms"], auto["webhook ms"]),
            "webhook p50: assistant on / Odoo version_info": _ratio(alone["webhook ms"], odoo),
            "reply queued after the message, assistant on (ms p50/p95/max)": _triple(alone[QUEUED]),
            "runner cron (server: runs, turns, seconds)": alone[RUNNER],
            "target": TARGET,
            "met": _met(alone, "webhook ms", WEBHOOK_TARGET_MS)
            and _met(alone, QUEUED, REPLY_TARGET_MS),
        }
    )
    return section


def _burst_section(customers, odoo, auto, first, missing):
    section = {
        "customers writing at the same moment": customers,
        "servers": 2,
        "Odoo /web/webclient/version_info (ms p50/p95/max)": _triple(odoo),
        "webhook, assistant off: auto-reply (ms p50/p95/max)": _triple(auto["webhook ms"]),
        "webhook p50: assistant off / Odoo version_info": _ratio(auto["webhook ms"], odoo),
        "reply queued after the message, assistant off (ms p50/p95/max)": _triple(auto[QUEUED]),
    }
    if not first:
        section["assistant on"] = f"not measured: {missing}"
        return section
    section.update(
        {
            "webhook, assistant on (ms p50/p95/max)": _triple(first["webhook ms"]),
            "webhook p50: assistant on / off": _ratio(first["webhook ms"], auto["webhook ms"]),
            "webhook p50: assistant on / Odoo version_info": _ratio(first["webhook ms"], odoo),
            "reply queued after the message, assistant on (ms p50/p95/max)": _triple(first[QUEUED]),
            "reply queued p50: assistant on / off": _ratio(first[QUEUED], auto[QUEUED]),
            "runner cron (server: runs, turns, seconds)": first[RUNNER],
            "first replies": first["outcomes"],
            "target": TARGET,
            "met": _met(first, "webhook ms", WEBHOOK_TARGET_MS)
            and _met(first, QUEUED, REPLY_TARGET_MS),
        }
    )
    return section


def _conversation_section(customers, booking, missing):
    if not booking:
        return {"customers booking at once": customers, "not measured": missing}
    seconds = booking["seconds"]
    return {
        "customers booking at once": customers,
        **({"runners in parallel (what-if)": booking["runners"]} if booking["runners"] > 1 else {}),
        "outcomes": booking["outcomes"],
        "appointments made": booking["appointments"],
        **({"errors": booking["errors"]} if booking["errors"] else {}),
        "turns answered": booking["turns"],
        "webhooks": booking["webhooks"],
        "webhook (ms p50/p95/max)": _triple(booking["webhook ms"]),
        "reply queued after the last message (ms p50/p95/max)": _triple(booking[QUEUED]),
        "reply seen by the customer, 0.2 s poll (ms p50/p95/max)": _triple(
            booking["reply seen by the customer (0.2 s poll), ms"]
        ),
        "slot taken meanwhile, alternatives offered": booking["taken then alternatives"],
        "seconds until everybody was answered": seconds,
        "turns/s": round(booking["turns"] / seconds, 1) if seconds else None,
        "runner cron (server: runs, turns, seconds)": booking[RUNNER],
        "runner cron time per turn, its debounce waits included (ms)": _per_turn(booking[RUNNER]),
        "webhook serialization retries": booking["serialization retries"],
        "target": TARGET,
        "met": _met(booking, "webhook ms", WEBHOOK_TARGET_MS)
        and _met(booking, QUEUED, REPLY_TARGET_MS),
    }


RUNNER = "runner (server: runs, turns, seconds)"


def _per_turn(runs):
    turns = sum(r[1] for r in runs.values())
    seconds = sum(r[2] for r in runs.values())
    return round(seconds / turns * 1000) if turns else None


def _triple(figures):
    if not figures:
        return "-"
    return f"{figures['p50']} / {figures['p95']} / {figures['max']}"


ALONE = 10  # customers of the measurement without contention
ALONE_TITLE = "7. WhatsApp assistant: first messages one at a time (two servers)"
BURST = "8. WhatsApp assistant: a burst of first messages (two servers)"
CONVERSATION = "9. WhatsApp assistant: customers booking at once (two servers)"
PACED = "10. WhatsApp assistant: customers booking at once, at a human pace (two servers)"
HUMAN_PACE = (2.0, 6.0)  # seconds a customer reads before tapping


def drive(conf, quick):
    """bench/run.py's entry point: {section title: figures}."""
    _env_from_conf(conf)
    return run(customers=20 if quick else 50)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conf", help="an Odoo config file (database server, addons path)")
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--runners",
        type=int,
        default=1,
        help="what-if: runners in parallel while customers book (copies of the cron)",
    )
    args = parser.parse_args()
    _env_from_conf(args.conf)
    results = run(args.customers, keep=args.keep, runners=args.runners)
    for title, figures in results.items():
        print(f"## {title}")
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
