"""SMS through Twilio, end to end: real Odoo servers, the real dispatcher, a fake Twilio.

The module's database has ``appointment_notify_sms`` installed; the company's Twilio
account points at the SMS addon's ``twilio_fake`` (``appointment_notify_sms.twilio_api_url``),
which also posts signed status callbacks back to the Odoo server (``web.base.url``).
What the customers "received" is what the fake accepted, counted by ``To``.

- Two servers dispatch the same N due SMS (N = 300, times ``AN_E2E_SCALE``): Twilio
  gets each exactly once and every message ends delivered.
- Backoff doubles: 1, then 2 minutes, then the message fails after max_attempts.
- Invalid, landline and foreign numbers fail with a reason showing the stored number;
  the sound numbers of the same batch are sent.
- Twilio answers 30 % of the sends with 429, 500 or a timeout: with immediate retries
  every message is delivered in the end, every fault costs exactly one more attempt,
  and permanent errors fail with their reason while the batch goes on. A send that
  timed out on our side but that Twilio accepted is sent again: such duplicates are
  counted and must be exactly the timed-out ones.
"""

import threading
import time
from collections import Counter
from datetime import datetime, timedelta

import pytest
from e2e_support import (
    book_each,
    make_sms_customers,
    make_sms_rule,
    now_utc,
    scaled,
    set_param,
    sms_messages,
    sms_number,
    states_summary,
    utc,
    wait_sms_settled,
    wait_until,
)

pytest_plugins = ["e2e_fixtures"]

N = scaled(300)
N_FAULTS = scaled(60)
TIMEOUT_SLEEP = 12  # above the addon's 10 s requests timeout: the call times out


@pytest.fixture(scope="module")
def e2e(e2e_sms):
    """The module's world: a database with the SMS addon, Twilio faked."""
    return e2e_sms


@pytest.fixture
def tw(twilio, rpc):
    """The fake Twilio, reset: no faults, callbacks on, patient with a busy Odoo.

    Retries are immediate; a lease of 1 minute (a batch of 10 takes seconds) makes
    messages a failed dispatcher left 'sending' come back within the test.
    """
    twilio.reset()
    twilio.callback_timeout = 60
    set_param(rpc, "retry_delay_minutes", 0)
    set_param(rpc, "max_attempts", 8)
    set_param(rpc, "batch_size", 10)
    set_param(rpc, "lease_minutes", 1)
    yield twilio
    twilio.clear_faults()


def dispatch_action(rpc):
    model = rpc("ir.model", "search", [("model", "=", "appointment.notify.message")])[0]
    return rpc(
        "ir.actions.server",
        "create",
        {
            "name": "e2e: dispatch now",
            "model_id": model,
            "state": "code",
            "code": "action = {'processed': model._cron_dispatch()}",
        },
    )


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


def test_two_servers_text_each_customer_exactly_once(e2e, rpc, tw):
    if len(e2e.servers) < 2:
        e2e.start_server("s2")
    action = dispatch_action(rpc)
    numbers = [sms_number(i, block=1) for i in range(N)]
    customers = make_sms_customers(rpc, "smsconc", numbers)
    make_sms_rule(rpc, "confirmed")
    started = time.monotonic()
    events = book_each(rpc, customers)
    # The crons of both servers, plus two XML-RPC dispatchers per server.
    results, threads = {}, []
    for server in e2e.servers:
        for i in range(2):
            args = (server, action, results, (server.name, i))
            threads.append(threading.Thread(target=dispatch_until_idle, args=args))
    for thread in threads:
        thread.start()

    wait_sms_settled(rpc, tw, events, N, timeout=180 + N // 2)
    for thread in threads:
        thread.join(timeout=60)
    time.sleep(2)  # a duplicate would follow at once
    rows = sms_messages(rpc, events)
    print(f"[e2e] {N} SMS sent and delivered in {time.monotonic() - started:.1f} s: {results}")

    received = tw.received_by_to()
    missing = sorted(set(numbers) - set(received))
    duplicates = {to: n for to, n in received.items() if n > 1}
    assert not missing, f"{len(missing)} customers got no SMS: {missing[:10]}"
    assert not duplicates, f"{len(duplicates)} customers got duplicates: {duplicates}"
    assert set(received) == set(numbers)
    assert tw.requests == N, "one POST per message, no retry was needed"
    assert sorted({row["attempts"] for row in rows}) == [1]
    assert len(results) == len(threads), f"a dispatcher request failed: {results}"
    assert sum(results.values()) <= N
    # Every message is delivered, and knows its Twilio SID.
    assert states_summary(rows) == {"delivered": (N, False)}, states_summary(rows)
    sids = {m["sid"]: m["To"] for m in tw.messages}
    assert {row["provider_ref"]: row["destination"] for row in rows} == sids
    assert not tw.callback_errors()[:5]


def test_backoff_doubles_then_gives_up(e2e, rpc, tw):
    set_param(rpc, "retry_delay_minutes", 1)
    set_param(rpc, "max_attempts", 3)
    tw.inject_faults(1.0, kinds=("500",), seed=1)
    (customer,) = make_sms_customers(rpc, "smsbackoff", [sms_number(0, block=4)])
    make_sms_rule(rpc, "confirmed")

    def failed_attempt(n, before):
        """Wait for attempt ``n`` to fail; check its retry is 2^(n-1) minutes later."""
        row = wait_until(
            lambda: next(
                (
                    r
                    for r in sms_messages(rpc, events)
                    if r["attempts"] == n and r["state"] != "sending"
                ),
                None,
            ),
            timeout=90,
            what=f"attempt {n} to fail",
        )
        after = now_utc()
        if n == 3:
            return row
        assert row["state"] == "scheduled", row
        (full,) = sms_messages(rpc, events, fields=("next_attempt_at",))
        retry_at = datetime.strptime(full["next_attempt_at"], "%Y-%m-%d %H:%M:%S")
        delay = timedelta(minutes=2 ** (n - 1))
        assert before + delay - timedelta(seconds=1) <= retry_at <= after + delay, (
            n,
            before,
            retry_at,
            after,
        )
        assert f"Attempt {n} failed, retrying at {full['next_attempt_at']} UTC" in row["reason"]
        assert "Twilio is busy or unavailable (HTTP 500, error 20500)" in row["reason"]
        return row

    before = now_utc()
    events = book_each(rpc, [customer])
    failed_attempt(1, before)
    # Not retried before its time: nothing more reaches Twilio meanwhile.
    time.sleep(5)
    assert tw.requests == 1
    (row,) = sms_messages(rpc, events, fields=("id",))
    # Make it due now, as an administrator's edit of "Next attempt" would.
    before = now_utc()
    rpc("appointment.notify.message", "write", [row["id"]], {"next_attempt_at": utc(before)})
    failed_attempt(2, before)
    rpc("appointment.notify.message", "write", [row["id"]], {"next_attempt_at": utc(now_utc())})
    row = failed_attempt(3, before)
    assert row["state"] == "failed", row
    assert row["reason"].startswith("Twilio is busy or unavailable (HTTP 500, error 20500)"), row
    assert tw.requests == 3
    assert not tw.messages


def test_bad_numbers_fail_with_the_stored_number(e2e, rpc, tw):
    good_local = "06 3000 0001"  # Dutch mobile, national format
    good_foreign = "+90 532 123 45 67"  # Turkish mobile, international format
    stored = {
        "good_local": good_local,
        "good_foreign": good_foreign,
        "text": "not a number",
        "short": "0612",
        "landline": "020 123 4567",
        "foreign_landline": "+44 20 7946 0000",
        "foreign_national": "0151 23456789",  # German mobile, no country known
        "none": False,
    }
    ids = make_sms_customers(rpc, "smsbad", list(stored.values()))
    customer = dict(zip(stored, ids, strict=True))
    rpc("res.partner", "write", [customer["foreign_national"]], {"country_id": False})
    make_sms_rule(rpc, "confirmed")
    events = book_each(rpc, ids)

    rows = wait_sms_settled(rpc, tw, events, len(ids), timeout=120)
    row = {key: next(r for r in rows if r["partner_id"][0] == cid) for key, cid in customer.items()}
    assert tw.wait_idle(30)
    assert tw.received_by_to() == Counter({"+31630000001": 1, "+905321234567": 1})
    assert row["good_local"]["state"] == "delivered", row["good_local"]
    assert row["good_foreign"]["state"] == "delivered", row["good_foreign"]
    expectations = {
        "text": "is not a valid phone number (country: Netherlands)",
        "short": "is not a valid phone number (country: Netherlands)",
        "foreign_national": "is not a valid phone number (country: Netherlands)",
        "landline": "is a landline or another number that cannot receive SMS",
        "foreign_landline": "is a landline or another number that cannot receive SMS",
    }
    for key, words in expectations.items():
        message = row[key]
        assert message["state"] == "failed", (key, message)
        assert f"The number {stored[key]!r} of smsbad customer" in message["reason"], message
        assert words in message["reason"], (key, message["reason"])
        assert message["attempts"] == 1, message
    assert row["none"]["state"] == "failed", row["none"]
    assert "has no mobile or phone number" in row["none"]["reason"], row["none"]


def test_faults_are_retried_until_delivered(e2e, rpc, tw):
    tw.timeout_sleep = TIMEOUT_SLEEP
    numbers = [sms_number(i, block=2) for i in range(N_FAULTS)]
    invalid = numbers[:2]  # refused for good by Twilio (21211)
    unsubscribed = numbers[2]  # replied STOP at Twilio (21610)
    for number in invalid:
        tw.fail_numbers[number] = 21211
    tw.fail_numbers[unsubscribed] = 21610
    good = numbers[3:]
    customers = make_sms_customers(rpc, "smsfault", numbers)
    partner_of = dict(zip(numbers, customers, strict=True))
    make_sms_rule(rpc, "confirmed")
    set_param(rpc, "batch_size", 20)  # timed-out calls of a batch overlap in its pool
    # 30 % faults: 429 and 500 twice as likely as a timeout (each costs 10 s).
    tw.inject_faults(0.3, kinds=("429", "500", "429", "500", "timeout"), seed=20240519)
    started = time.monotonic()
    events = book_each(rpc, customers)

    wait_sms_settled(rpc, tw, events, N_FAULTS, timeout=180 + N_FAULTS)
    time.sleep(2)  # late callbacks of timed-out sends are ignored, not applied
    rows = sms_messages(rpc, events)
    faults = dict(tw.faults)
    print(f"[e2e] {N_FAULTS} SMS with faults {faults} done in {time.monotonic() - started:.1f} s")
    by_number = {row["destination"]: row for row in rows}
    assert set(by_number) == set(numbers)

    # Every sound number is delivered in the end.
    undelivered = {
        n: (by_number[n]["state"], by_number[n]["provider_ref"], by_number[n]["reason"])
        for n in good
        if by_number[n]["state"] != "delivered"
    }
    assert not undelivered, undelivered
    # Permanent errors fail at once with Twilio's reason; the batch went on.
    for number in invalid:
        row = by_number[number]
        assert row["state"] == "failed", row
        assert f"Twilio: {number} is not a valid phone number." in row["reason"], row
        assert "Twilio error 21211" in row["reason"], row
    row = by_number[unsubscribed]
    assert row["state"] == "failed", row
    assert "replied STOP" in row["reason"] and "21610" in row["reason"], row
    (consent,) = rpc("res.partner", "read", [partner_of[unsubscribed]], ["notify_consent_sms"])
    assert consent["notify_consent_sms"] is False

    # Every POST was one attempt, every fault cost exactly one more.
    attempts = {row["destination"]: row["attempts"] for row in rows}
    assert sum(attempts.values()) == tw.requests, (attempts, tw.requests)
    assert sum(attempts.values()) - N_FAULTS == sum(faults.values()), (attempts, faults)
    assert sum(faults.values()) >= N_FAULTS // 10, f"too few faults to prove anything: {faults}"
    assert faults.get("timeout"), f"no timeout was injected: {faults}"
    retried = [n for n, count in attempts.items() if count > 1]
    assert retried and max(attempts.values()) <= 8
    # Twilio got each sound number once, except after a timed-out send: Twilio
    # (the fake) accepted that one, but the addon never got its answer and sent
    # again. Those duplicates are the only ones, and at most one per timeout.
    received = tw.received_by_to()
    assert set(received) == set(good), sorted(set(received) ^ set(good))
    timed_out = Counter(m["To"] for m in tw.messages if m["timed_out"])
    answered = Counter(m["To"] for m in tw.messages if not m["timed_out"])
    assert answered == Counter(good), "one answered send per sound number"
    duplicates = {to: count - 1 for to, count in received.items() if count > 1}
    assert duplicates == dict(timed_out), (duplicates, timed_out)
    assert sum(duplicates.values()) <= faults["timeout"]
    print(f"[e2e] duplicates at Twilio after timed-out sends: {sum(duplicates.values())}")
    # The SID kept is the answered send's: its callbacks made it delivered.
    answered_sid = {m["To"]: m["sid"] for m in tw.messages if not m["timed_out"]}
    assert {n: by_number[n]["provider_ref"] for n in good} == answered_sid
