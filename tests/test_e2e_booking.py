"""Two Odoo servers, 50 customers booking the last place at the same moment.

The booking engine (``appointment_notify_booking``) must give exactly one
appointment and 49 clear refusals with alternatives, whatever the interleaving:
each attempt is a real XML-RPC call, in its own transaction, half of them on a
second server. Under Odoo's REPEATABLE READ a ``SELECT ... FOR UPDATE`` plus a
re-check books the slot several times; the engine's ``UPDATE`` of the staff row
makes the late transactions fail with a serialization error, Odoo retries them,
and the retry sees the appointment.
"""

import hashlib
import threading
import time
import xmlrpc.client
from datetime import datetime, timedelta, timezone

import pytest
from e2e_support import (
    E2eEnv,
    Rpc,
    _addons_digest,
    _cached_install,
    base_db,
    clone_db,
    make_customers,
    make_rule,
    messages,
    prepare_db,
    utc,
)

BOOKING_ADDON = "appointment_notify_booking"
ATTEMPTS = 50


def booking_base_db():
    """base_db() plus the booking addon, cached as ``an_e2e_bookbase_<hash>``."""
    core = base_db()
    key = hashlib.sha1(f"{core}|{_addons_digest([BOOKING_ADDON])}".encode()).hexdigest()
    return _cached_install(core, BOOKING_ADDON, "an_e2e_bookbase_", key)


@pytest.fixture(scope="module")
def e2e(request, sink):
    env = E2eEnv("booking", sink)
    try:
        clone_db(booking_base_db(), env.db)
        server = env.start_server(cron_threads=0)
        prepare_db(server.rpc(), sink)
        env.start_server("s2", cron_threads=0)
        yield env
    finally:
        env.close()


@pytest.fixture
def rpc(e2e):
    return e2e.servers[0].rpc()


def make_service(rpc):
    """One stylist working every day 8-18 UTC, a 1 h service with one place."""
    calendar = rpc(
        "resource.calendar",
        "create",
        {
            "name": "e2e every day",
            "tz": "UTC",
            "attendance_ids": [(5, 0, 0)]
            + [
                (
                    0,
                    0,
                    {
                        "name": f"day {day}",
                        "dayofweek": str(day),
                        "hour_from": 8,
                        "hour_to": 18,
                        "day_period": "afternoon",
                    },
                )
                for day in range(7)
            ],
        },
    )
    user = rpc(
        "res.users",
        "create",
        {"name": "e2e Stylist", "login": "e2e_stylist", "email": "stylist@e2e.example.com"},
    )
    staff = rpc(
        "resource.resource",
        "create",
        {
            "name": "e2e Stylist",
            "resource_type": "user",
            "user_id": user,
            "calendar_id": calendar,
            "tz": "UTC",
        },
    )
    service = rpc(
        "appointment.notify.service",
        "create",
        {
            "name": "e2e Colouring",
            "duration": 1.0,
            "slot_step": 1.0,
            "capacity": 1,
            "staff_ids": [(6, 0, [staff])],
        },
    )
    return service, staff


def rpc_client(server, uid):
    """An XML-RPC client of ``server`` for a known uid: logging in 50 times would
    spend half a minute hashing the password."""
    client = Rpc.__new__(Rpc)
    client.url, client.db, client.password, client.uid = server.url, server.db, "admin", uid
    client.models = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object", allow_none=True)
    return client


def counts(rpc, staff):
    return {
        "events": rpc("calendar.event", "search_count", []),
        "attendees": rpc("calendar.attendee", "search_count", []),
        "partners": rpc("res.partner", "search_count", [("active", "in", [True, False])]),
        "messages": rpc("appointment.notify.message", "search_count", []),
        "booking_seq": rpc("resource.resource", "read", [staff], ["booking_seq"])[0]["booking_seq"],
    }


def test_fifty_concurrent_bookings_of_the_last_place_give_one_appointment(e2e, rpc):
    service, staff = make_service(rpc)
    customers = make_customers(rpc, "book", ATTEMPTS)
    make_rule(rpc, "booked")
    tomorrow = datetime.now(timezone.utc) + timedelta(days=2)
    slot = tomorrow.replace(hour=10, minute=0, second=0, microsecond=0)
    before = counts(rpc, staff)

    barrier = threading.Barrier(ATTEMPTS + 1)
    results = {}

    def attempt(server, customer):
        client = rpc_client(server, rpc.uid)
        barrier.wait()
        try:
            results[customer] = client(
                "appointment.notify.service", "book_for_partner", [service], customer, utc(slot)
            )
        except Exception as error:  # noqa: BLE001 - reported by the asserts below
            results[customer] = {"exception": repr(error)}

    threads = [
        threading.Thread(target=attempt, args=(e2e.servers[i % 2], customer))
        for i, customer in enumerate(customers)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.monotonic()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started

    assert len(results) == ATTEMPTS
    booked = {c: r for c, r in results.items() if "event_id" in r}
    refused = {c: r for c, r in results.items() if r.get("reason") == "taken"}
    other = {c: r for c, r in results.items() if c not in booked and c not in refused}
    assert not other, f"neither booked nor refused: {list(other.values())[:3]}"
    assert len(booked) == 1, f"{len(booked)} appointments for one place"
    assert len(refused) == ATTEMPTS - 1
    for answer in refused.values():
        assert "just taken" in answer["error"]
        assert answer["alternatives"], "a refusal offers alternatives"
        assert all(alt["start"] != utc(slot) for alt in answer["alternatives"])
        assert all(alt["staff_ids"] == [staff] for alt in answer["alternatives"])

    ((customer, answer),) = booked.items()
    events = rpc(
        "calendar.event",
        "search_read",
        [("notify_service_id", "=", service)],
        ["start", "partner_ids", "notify_staff_id"],
    )
    assert [e["id"] for e in events] == [answer["event_id"]]
    assert events[0]["start"] == utc(slot)
    assert events[0]["notify_staff_id"][0] == staff
    assert customer in events[0]["partner_ids"]
    # Nothing else changed: one event, its two attendees, the one "booked"
    # message, one bump of the staff row; the 49 refusals left no trace.
    after = counts(rpc, staff)
    assert after == {
        "events": before["events"] + 1,
        "attendees": before["attendees"] + 2,
        "partners": before["partners"],
        "messages": before["messages"] + 1,
        "booking_seq": before["booking_seq"] + 1,
    }
    sent = messages(
        rpc, [("res_model", "=", "calendar.event"), ("res_id", "=", answer["event_id"])]
    )
    assert [m["trigger"] for m in sent] == ["booked"]
    # The mechanism at work: late transactions were retried, not double-booked.
    retried = sum(s.log_text().count("SERIALIZATION_FAILURE") for s in e2e.servers)
    print(f"[e2e booking] {ATTEMPTS} attempts in {elapsed:.1f} s, {retried} serialization retries")
    assert elapsed < 60
