"""Time zones and daylight saving, end to end.

A reminder "1 day before" an appointment on the day Europe/Amsterdam changes its
clocks (the next change after today, found with zoneinfo: the servers use the real
clock) must be planned 24 real hours before, as a UTC instant, and the e-mail must
show each customer the appointment in their own zone: Amsterdam (DST) and Istanbul
(no DST). The reminder is months away, so the test makes it due by writing
``next_attempt_at`` (what an administrator's edit does) and lets the real dispatcher
and mail queue send it: the rendering happens at send time, as in production.
"""

import html
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from e2e_support import (
    address,
    book,
    event_vals,
    make_customers,
    make_rule,
    messages,
    now_utc,
    settle,
    utc,
    wait_until,
)

pytest_plugins = ["e2e_fixtures"]

AMSTERDAM, ISTANBUL = ZoneInfo("Europe/Amsterdam"), ZoneInfo("Europe/Istanbul")
UTC = timezone.utc


def next_clock_change(zone, after):
    """The first whole UTC hour after ``after`` at which ``zone``'s offset changed."""
    moment = after.replace(minute=0, second=0, microsecond=0, tzinfo=UTC)
    offset = moment.astimezone(zone).utcoffset()
    for _hour in range(24 * 400):
        moment += timedelta(hours=1)
        if moment.astimezone(zone).utcoffset() != offset:
            return moment
    raise AssertionError(f"{zone} changes no clock within 400 days")


def when(moment_utc, zone):
    """The appointment time as the templates' ``when`` shows it (en_US)."""
    local = moment_utc.replace(tzinfo=UTC).astimezone(zone)
    day = babel_dates.format_date(local, "full", locale="en_US")
    return f"{day} {babel_dates.format_time(local, 'short', locale='en_US')}"


def test_reminder_across_dst_change(e2e, rpc):
    change = next_clock_change(AMSTERDAM, now_utc() + timedelta(days=2))
    day = change.astimezone(AMSTERDAM).date()
    # 10:00 on the day of the change, Amsterdam time: after the change (02:00/03:00).
    start = datetime.combine(day, time(10), AMSTERDAM).astimezone(UTC).replace(tzinfo=None)
    reminder_at = start - timedelta(hours=24)
    # The test's own premise: 24 real hours before is not 10:00 the day before in
    # Amsterdam, and is the same wall-clock hour in Istanbul.
    assert reminder_at.replace(tzinfo=UTC).astimezone(AMSTERDAM).hour != 10
    ist = start.replace(tzinfo=UTC).astimezone(ISTANBUL)
    assert reminder_at.replace(tzinfo=UTC).astimezone(ISTANBUL).hour == ist.hour

    tag = "dst"
    ams_customer = make_customers(rpc, tag, 1, tz="Europe/Amsterdam", lang="en_US")[0]
    ist_customer = make_customers(rpc, f"{tag}ist", 1, tz="Europe/Istanbul", lang="en_US")[0]
    rule = make_rule(rpc, "reminder", offset_amount=1, offset_unit="days")
    event = book(rpc, [event_vals([ams_customer, ist_customer], start=start, name="DST visit")])[0]

    domain = [("res_model", "=", "calendar.event"), ("res_id", "=", event), ("rule_id", "=", rule)]
    fields = ("state", "partner_id", "next_attempt_at", "scheduled_at", "deadline_at", "occurrence")
    planned = messages(rpc, domain, fields=fields)
    assert len(planned) == 2
    for row in planned:
        assert row["state"] == "scheduled", row
        assert row["next_attempt_at"] == utc(reminder_at), row
        assert row["scheduled_at"] == utc(reminder_at), row
        assert row["deadline_at"] == utc(start), row
        assert row["occurrence"] == utc(start), row

    # Due now (the appointment stays months ahead): the real dispatcher renders it.
    rpc(
        "appointment.notify.message",
        "write",
        [r["id"] for r in planned],
        {"next_attempt_at": utc(now_utc())},
    )
    rows = settle(rpc, domain, count=2)
    wait_until(lambda: len(e2e.sink.received()) >= 2, timeout=60, what="2 reminders")
    (ams_mail,) = e2e.sink.received(address(tag, 0))
    (ist_mail,) = e2e.sink.received(address(f"{tag}ist", 0))
    assert ams_mail["subject"] == "Reminder: your appointment at YourCompany"
    ams_text, ist_text = html.unescape(ams_mail["html"]), html.unescape(ist_mail["html"])
    assert f"on {when(start, AMSTERDAM)}." in ams_text, ams_text
    assert f"on {when(start, ISTANBUL)}." in ist_text, ist_text
    assert "10:00" in when(start, AMSTERDAM)
    assert all(row["state"] == "sent" for row in rows), rows
