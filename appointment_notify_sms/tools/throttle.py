"""Per-sender sending rate, shared by the threads of one process.

A token bucket of capacity one: each sender gets a slot every 1/rate seconds;
a caller reserves the next slot (``reserve_turn``) and does not send before it.
Each process has its own buckets: enough, as Odoo runs the dispatcher's
scheduled action in one worker at a time; runs started by hand in several
processes could exceed the rate (Twilio then answers 429, which the dispatcher
retries).
"""

import threading
import time

_lock = threading.Lock()
_next_slot = {}


def reserve_turn(key, rate):
    """The ``time.monotonic()`` moment when ``key`` may send its next message at
    ``rate`` messages per second (now when there is no limit); the slot is taken."""
    now = time.monotonic()
    if not rate or rate <= 0:
        return now
    with _lock:
        slot = max(now, _next_slot.get(key, 0.0))
        _next_slot[key] = slot + 1.0 / rate
    return slot


def sleep_until(moment):
    """Sleep until ``time.monotonic()`` reaches ``moment``; return the delay."""
    delay = moment - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    return max(delay, 0.0)
