"""Per-sender sending rate, shared by the threads of one process.

A token bucket of capacity one: each sender gets a slot every 1/rate seconds.
The dispatcher reserves a message's slot when it prepares it (``reserve_turn``),
so that it knows how long the transmission will wait; the transmission then
waits for it and, as a message sent late must not bunch up with the next one,
also keeps 1/rate seconds from the sender's previous call (``wait_turn``).
Each process has its own buckets: enough, as Odoo runs the dispatcher's
scheduled action in one worker at a time; runs started by hand in several
processes could exceed the rate (Twilio then answers 429, which the dispatcher
retries).
"""

import threading
import time

_lock = threading.Lock()
_next_slot = {}  # planned: the next free slot of each sender
_next_call = {}  # actual: when each sender may call the provider again


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


def wait_turn(key, rate):
    """Sleep until ``key``'s previous call is 1/rate seconds old; return the delay."""
    if not rate or rate <= 0:
        return 0.0
    with _lock:
        now = time.monotonic()
        slot = max(now, _next_call.get(key, 0.0))
        _next_call[key] = slot + 1.0 / rate
    return sleep_until(slot)
