"""A dispatcher killed mid-batch (SIGKILL, the whole server): nothing lost, nothing doubled.

One server with cron threads sends N due messages (200 by default, ``AN_E2E_SCALE``
multiplies); while some but not all are sent, the server is killed. The messages it
had claimed stay ``sending`` under a lease (``appointment_notify.lease_minutes`` set
to 1 so the test takes about a minute and a half); the restarted server sends the rest
and, once the lease expired, the claimed ones. docs/ARCHITECTURE.md promises each
e-mail queued exactly once, and at most one delivered again by Odoo's mail queue per
killed worker.
"""

from e2e_support import (
    FINAL_STATES,
    MAIL_DOMAIN,
    address,
    book,
    event_vals,
    make_customers,
    make_rule,
    messages,
    scaled,
    set_param,
    settle,
    sql,
    wait_until,
)

pytest_plugins = ["e2e_fixtures"]

N = scaled(200)


def test_killed_dispatcher_loses_nothing_and_sends_once(e2e, rpc):
    server = e2e.servers[0]
    set_param(rpc, "lease_minutes", 1)
    set_param(rpc, "batch_size", 25)
    tag = "crash"
    customers = make_customers(rpc, tag, N)
    make_rule(rpc, "confirmed")
    events = book(rpc, [event_vals([customer]) for customer in customers])

    def progress():
        rows = sql(
            e2e.db,
            "SELECT state, count(*) FROM appointment_notify_message"
            " WHERE res_model = 'calendar.event' AND res_id = ANY(%s) GROUP BY state",
            [events],
        )
        return dict(rows)

    def processed(counts):
        return sum(n for state, n in counts.items() if state in FINAL_STATES)

    def mid_dispatch():
        counts = progress()
        return counts if processed(counts) >= N // 4 and counts.get("sending") else None

    wait_until(mid_dispatch, timeout=120, interval=0.02, what="dispatching under way")
    server.kill()
    at_kill = progress()
    print(f"[e2e] killed with {at_kill}")
    assert processed(at_kill) < N, f"the batch ended before the kill: {at_kill}"
    assert at_kill.get("sending"), f"no claimed message at the kill: {at_kill}"
    claimed = [
        row[0]
        for row in sql(
            e2e.db,
            "SELECT id FROM appointment_notify_message"
            " WHERE state = 'sending' AND res_model = 'calendar.event' AND res_id = ANY(%s)",
            [events],
        )
    ]

    server.start()
    rpc = server.rpc()
    domain = [("res_model", "=", "calendar.event"), ("res_id", "in", events)]
    rows = settle(rpc, domain, count=N, timeout=240 + N // 5)
    wait_until(lambda: len(e2e.sink.received()) >= N, timeout=60, what=f"{N} e-mails in the sink")

    # Never lost: every message reached a final state, the claimed ones after their lease.
    assert len(rows) == N and all(row["state"] in FINAL_STATES for row in rows)
    recovered = messages(rpc, [("id", "in", claimed)], fields=("attempts", "state"))
    assert len(recovered) == len(claimed)
    assert all(row["attempts"] == 2 for row in recovered), recovered
    # docs/ARCHITECTURE.md: the dispatcher queues each e-mail exactly once (one
    # Message-Id per customer); Odoo's own mail queue, killed between the SMTP
    # server's answer and its commit, may deliver that same e-mail once more.
    counts = e2e.sink.count_by_rcpt(MAIL_DOMAIN)
    expected = {address(tag, i) for i in range(N)}
    missing = sorted(expected - set(counts))
    assert not missing, f"{len(missing)} customers got no e-mail: {missing[:10]}"
    assert set(counts) == expected
    message_ids = {rcpt: {m["message_id"] for m in e2e.sink.received(rcpt)} for rcpt in expected}
    queued_twice = {rcpt: ids for rcpt, ids in message_ids.items() if len(ids) > 1}
    assert not queued_twice, f"the dispatcher queued e-mails twice: {queued_twice}"
    resent = sum(n - 1 for n in counts.values())
    print(f"[e2e] e-mails delivered again by Odoo's mail queue after the kill: {resent}")
    assert resent <= 1, f"{resent} duplicates, more than one per killed mail worker"
    # And the log says so.
    states = {}
    for row in rows:
        states.setdefault(row["state"], []).append(row)
    assert list(states) == ["sent"], {
        state: (len(group), group[0]["reason"]) for state, group in states.items()
    }
