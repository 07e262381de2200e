"""Two Odoo servers dispatch the same due messages: each is sent exactly once.

Both servers run cron threads on the same database. Odoo runs one cron job on one
worker at a time, so besides the crons each server also runs the dispatcher from two
HTTP requests at once (a server action calling ``_cron_dispatch()``, as an
administrator's "run" would): up to six dispatchers claim from the same queue with a
small batch size, which is what FOR UPDATE SKIP LOCKED and the lease must make safe.

N = 300 messages by default, ``AN_E2E_SCALE=7`` for 2100.
"""

import threading
import time
from datetime import timedelta

from e2e_support import (
    MAIL_DOMAIN,
    address,
    book,
    event_vals,
    make_customers,
    make_rule,
    messages,
    now_utc,
    scaled,
    set_param,
    settle,
    wait_until,
)

pytest_plugins = ["e2e_fixtures"]

N = scaled(300)
RUNNERS_PER_SERVER = 2


def dispatch_until_idle(server, action, results, key):
    """Run the dispatcher over XML-RPC on ``server`` until it finds nothing due."""
    client = server.rpc()
    total = 0
    while True:
        processed = client("ir.actions.server", "run", [action])["processed"]
        total += processed
        if not processed:
            break
    results[key] = total


def test_two_servers_send_each_message_exactly_once(e2e, rpc):
    e2e.start_server("s2")
    set_param(rpc, "batch_size", 10)
    model = rpc("ir.model", "search", [("model", "=", "appointment.notify.message")])[0]
    action = rpc(
        "ir.actions.server",
        "create",
        {
            "name": "e2e: dispatch now",
            "model_id": model,
            "state": "code",
            "code": "action = {'processed': model._cron_dispatch()}",
        },
    )
    tag = "conc"
    customers = make_customers(rpc, tag, N)
    make_rule(rpc, "confirmed")
    start = now_utc() + timedelta(days=3)
    started = time.monotonic()
    # One transaction: all N messages become due at once, and the crons wake up.
    events = book(rpc, [event_vals([customer], start=start) for customer in customers])
    results, threads = {}, []
    for server in e2e.servers:
        for i in range(RUNNERS_PER_SERVER):
            key = (server.name, i)
            args = (server, action, results, key)
            threads.append(threading.Thread(target=dispatch_until_idle, args=args))
    for thread in threads:
        thread.start()

    domain = [("res_model", "=", "calendar.event"), ("res_id", "in", events)]
    rows = settle(rpc, domain, count=N, timeout=120 + N // 5)
    for thread in threads:
        thread.join(timeout=60)
    wait_until(lambda: len(e2e.sink.received()) >= N, timeout=60, what=f"{N} e-mails in the sink")
    time.sleep(2)  # a duplicate would follow at once
    print(f"[e2e] {N} messages dispatched and mailed in {time.monotonic() - started:.1f} s")
    print(f"[e2e] processed by the XML-RPC dispatchers: {results}")

    # Never twice: one claim per message, one e-mail per customer.
    attempts = messages(rpc, domain, fields=("attempts",))
    assert sorted({row["attempts"] for row in attempts}) == [1]
    counts = e2e.sink.count_by_rcpt(MAIL_DOMAIN)
    expected = {address(tag, i) for i in range(N)}
    missing = sorted(expected - set(counts))
    duplicates = {rcpt: n for rcpt, n in counts.items() if n > 1}
    assert not missing, f"{len(missing)} customers got no e-mail: {missing[:10]}"
    assert not duplicates, f"{len(duplicates)} customers got duplicates: {duplicates}"
    assert set(counts) == expected
    # Both servers took part (their request dispatchers claimed some messages).
    per_server = {name: 0 for name in ("s1", "s2")}
    for (name, _i), processed in results.items():
        per_server[name] += processed
    assert len(results) == len(threads), f"a dispatcher request failed: {results}"
    assert all(per_server.values()), per_server
    assert sum(per_server.values()) <= N
    # And the log says so: every message sent.
    states = {}
    for row in rows:
        states.setdefault(row["state"], []).append(row)
    assert list(states) == ["sent"], {
        state: (len(group), group[0]["reason"]) for state, group in states.items()
    }
