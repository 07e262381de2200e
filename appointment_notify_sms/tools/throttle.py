"""Per-sender sending rate, shared by the threads of one process.

A token bucket of capacity one: each sender gets a slot every 1/rate seconds
and a caller sleeps until its slot. Each process has its own buckets: enough,
as Odoo runs the dispatcher's scheduled action in one worker at a time; runs
started by hand in several processes could exceed the rate (Twilio then answers
429, which the dispatcher retries).
"""

import threading
import time

_lock = threading.Lock()
_next_slot = {}


def wait_turn(key, rate):
    """Sleep until ``key`` may send again at ``rate`` messages per second; return the delay."""
    if not rate or rate <= 0:
        return 0.0
    with _lock:
        now = time.monotonic()
        slot = max(now, _next_slot.get(key, 0.0))
        _next_slot[key] = slot + 1.0 / rate
    delay = slot - now
    if delay > 0:
        time.sleep(delay)
    return delay
