"""The per-sender throttle never makes Twilio's status callbacks wait.

A real Odoo server (cron threads) sends SMS through the fake Twilio at 1 SMS per
second with 16 parallel sends. The fake posts each message's signed status
callbacks (queued, sent, delivered) as soon as it accepted the message, as Twilio
does. The dispatcher holds a message's row locked from its call until its outcome
is committed (so 'delivered' is never overwritten by 'sent'); if the rows of a
pool-full stayed locked while the throttle spaces its calls, the first callbacks
would wait for the whole pool-full (8 messages: 7 s; Twilio gives a webhook 15 s).
Each callback must be answered within 4 s (half the wait the defect causes, with room
for a loaded 2-core machine), and the rate must still be kept.
"""

import itertools
import threading
import time

import pytest
from e2e_support import (
    book_each,
    make_sms_customers,
    make_sms_rule,
    set_param,
    sms_number,
    states_summary,
    wait_sms_settled,
)

pytest_plugins = ["e2e_fixtures"]

COUNT = 8
MAX_CALLBACK_SECONDS = 4.0


@pytest.fixture(scope="module")
def e2e(e2e_sms):
    """The module's world: a database with the SMS addon, Twilio faked."""
    return e2e_sms


@pytest.fixture
def timed_twilio(twilio, rpc):
    """The fake Twilio at 1 SMS/s, timing each status callback it posts."""
    twilio.reset()
    twilio.delivery = "delivered"
    twilio.callback_timeout = 60
    timings = []
    lock = threading.Lock()
    post = twilio._post_callback

    def timed_post(url, params, *args, **kwargs):
        started = time.monotonic()
        result = post(url, params, *args, **kwargs)
        with lock:
            timings.append((params["MessageStatus"], time.monotonic() - started, result[0]))
        return result

    twilio._post_callback = timed_post
    set_param(rpc, "parallel_sends", 16)
    companies = rpc("res.company", "search", [])
    rpc("res.company", "write", companies, {"notify_sms_rate": 1})
    yield twilio, timings
    rpc("res.company", "write", companies, {"notify_sms_rate": 0})
    del twilio._post_callback


def test_callbacks_stay_fast_under_throttle(e2e, rpc, timed_twilio):
    tw, timings = timed_twilio
    customers = make_sms_customers(rpc, "throttle", [sms_number(i, block=4) for i in range(COUNT)])
    make_sms_rule(rpc, "confirmed")
    events = book_each(rpc, customers)

    rows = wait_sms_settled(rpc, tw, events, COUNT, timeout=90)
    assert [row["state"] for row in rows] == ["delivered"] * COUNT, states_summary(rows)
    assert not tw.callback_errors(), tw.callback_errors()[:3]
    assert len(timings) == 3 * COUNT, timings
    slowest = max(seconds for _status, seconds, _code in timings)
    assert slowest < MAX_CALLBACK_SECONDS, sorted(timings, key=lambda t: -t[1])[:5]
    # The throttle still holds: one call per second for the sender.
    stamps = sorted(message["timestamp"] for message in tw.messages)
    gaps = [later - earlier for earlier, later in itertools.pairwise(stamps)]
    assert len(stamps) == COUNT
    assert all(gap >= 0.9 for gap in gaps), gaps
