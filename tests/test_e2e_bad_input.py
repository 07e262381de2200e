"""Bad input through XML-RPC: each problem gives a clear, visible error and spoils nothing else.

One Odoo server (cron threads) on the module's database; every test books its faulty
case and a sound one in the same transaction, lets the real dispatcher and mail queue
run, and checks the message log and what the SMTP sink received.
"""

import html
import time
import xmlrpc.client
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel import dates as babel_dates
from e2e_support import (
    address,
    book,
    copy_template,
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


def by_partner(rows):
    return {row["partner_id"][0]: row for row in rows}


def mails_by_rcpt(e2e, count, tag):
    """{address: [mails]} once ``count`` e-mails arrived; all must be this test's."""
    wait_until(
        lambda: len(e2e.sink.received()) >= count,
        timeout=60,
        what=f"{count} e-mails in the sink",
    )
    time.sleep(1)  # anything more (a duplicate) would come right after
    received = {}
    for mail in e2e.sink.received():
        for rcpt in mail["rcpt"]:
            assert rcpt.startswith(tag), f"unexpected e-mail to {rcpt}: {mail['subject']}"
            received.setdefault(rcpt, []).append(mail)
    return received


def assert_sent(row):
    """The sound message of the batch: sent, and still so after the mail queue ran."""
    assert row["state"] == "sent", row


def test_customer_without_or_with_invalid_email(e2e, rpc):
    tag = "noaddr"
    good, missing, invalid = make_customers(rpc, tag, 3)
    rpc("res.partner", "write", [missing], {"email": False})
    rpc("res.partner", "write", [invalid], {"email": "not-an-address"})
    make_rule(rpc, "confirmed")
    event = book(rpc, [event_vals([good, missing, invalid])])[0]

    rows = by_partner(settle(rpc, [("res_id", "=", event)], count=3))
    received = mails_by_rcpt(e2e, 1, tag)
    assert {k: len(v) for k, v in received.items()} == {address(tag, 0): 1}
    assert rows[missing]["state"] == "failed"
    assert "has no valid e-mail address (stored: '')" in rows[missing]["reason"]
    assert f"{tag} customer 1" in rows[missing]["reason"]
    assert rows[invalid]["state"] == "failed"
    assert "stored: 'not-an-address'" in rows[invalid]["reason"]
    assert_sent(rows[good])


def test_template_failing_at_render(e2e, rpc):
    tag = "render"
    (customer,) = make_customers(rpc, tag, 1)
    # Passes Odoo's save-time check (no customer then), divides by zero for a real one.
    broken = copy_template(
        rpc,
        "appointment_notify.mail_template_event_confirmed",
        name="e2e broken",
        subject="{{ 1 // (0 if customer else 1) }}",
    )
    broken_rule = make_rule(rpc, "confirmed", template=broken, name="e2e broken rule")
    good_rule = make_rule(rpc, "confirmed")
    event = book(rpc, [event_vals([customer])])[0]

    rows = {r["rule_id"][0]: r for r in settle(rpc, [("res_id", "=", event)], count=2)}
    received = mails_by_rcpt(e2e, 1, tag)
    assert [m["subject"] for m in received[address(tag, 0)]] == [
        "Your appointment at YourCompany is confirmed"
    ]
    assert rows[broken_rule]["state"] == "failed"
    reason = rows[broken_rule]["reason"]
    assert "The template e2e broken failed to render" in reason, reason
    assert "division" in reason, reason
    assert_sent(rows[good_rule])


def test_template_of_a_rule_cannot_be_deleted(e2e, rpc):
    tag = "deltpl"
    (customer,) = make_customers(rpc, tag, 1)
    template = copy_template(
        rpc,
        "appointment_notify.mail_template_event_confirmed",
        name="e2e kept template",
        subject="Kept template",
    )
    make_rule(rpc, "confirmed", template=template)
    with pytest.raises(xmlrpc.client.Fault) as fault:
        rpc("mail.template", "unlink", [template])
    assert "Another model is using the record you are trying to delete" in fault.value.faultString
    assert "'E-mail template' (mail_template_id)" in fault.value.faultString

    event = book(rpc, [event_vals([customer])])[0]
    (row,) = settle(rpc, [("res_id", "=", event)], count=1)
    received = mails_by_rcpt(e2e, 1, tag)
    assert [m["subject"] for m in received[address(tag, 0)]] == ["Kept template"]
    assert_sent(row)


def test_event_without_customers(e2e, rpc):
    tag = "nocust"
    (customer,) = make_customers(rpc, tag, 1)
    make_rule(rpc, "confirmed")
    empty, sound = book(rpc, [event_vals([], name="nobody"), event_vals([customer])])

    (row,) = settle(rpc, [("res_id", "=", sound)], count=1)
    assert messages(rpc, [("res_id", "=", empty), ("res_model", "=", "calendar.event")]) == []
    received = mails_by_rcpt(e2e, 1, tag)
    assert list(received) == [address(tag, 0)]
    assert_sent(row)


def test_event_ten_years_ahead(e2e, rpc):
    tag = "far"
    (customer,) = make_customers(rpc, tag, 1)
    make_rule(rpc, "confirmed")
    reminder_rule = make_rule(rpc, "reminder", offset_amount=1, offset_unit="days")
    start = now_utc().replace(minute=0, second=0) + timedelta(days=3653)
    event = book(rpc, [event_vals([customer], start=start)])[0]

    domain = [("res_id", "=", event), ("trigger", "=", "confirmed")]
    (confirmed,) = settle(rpc, domain, count=1)
    received = mails_by_rcpt(e2e, 1, tag)
    assert [m["subject"] for m in received[address(tag, 0)]] == [
        "Your appointment at YourCompany is confirmed"
    ]
    (reminder,) = messages(
        rpc,
        [("res_id", "=", event), ("rule_id", "=", reminder_rule)],
        fields=("state", "next_attempt_at", "deadline_at", "attempts"),
    )
    assert reminder["state"] == "scheduled"
    assert reminder["attempts"] == 0
    assert reminder["next_attempt_at"] == utc(start - timedelta(days=1))
    assert reminder["deadline_at"] == utc(start)
    assert_sent(confirmed)


def test_all_day_event(e2e, rpc):
    tag = "allday"
    (customer,) = make_customers(rpc, tag, 1)
    make_rule(rpc, "confirmed")
    reminder_rule = make_rule(rpc, "reminder", offset_amount=1, offset_unit="days")
    day = date.today() + timedelta(days=10)
    event = book(
        rpc,
        [
            {
                "name": "e2e all day",
                "allday": True,
                "start_date": day.isoformat(),
                "stop_date": day.isoformat(),
                "partner_ids": [(6, 0, [customer])],
            }
        ],
    )[0]

    domain = [("res_id", "=", event), ("trigger", "=", "confirmed")]
    (confirmed,) = settle(rpc, domain, count=1)
    (mail,) = mails_by_rcpt(e2e, 1, tag)[address(tag, 0)]
    text = html.unescape(mail["html"])
    when = babel_dates.format_date(day, "full", locale="en_US")
    assert f"on {when} is confirmed" in text, text

    # The reminder counts back from midnight in the event's time zone.
    event_tz = rpc("calendar.event", "read", [event], ["event_tz"])[0]["event_tz"]
    if not event_tz:
        company = rpc("res.users", "read", [rpc.uid], ["company_id"])[0]["company_id"][0]
        calendar = rpc("res.company", "read", [company], ["resource_calendar_id"])[0]
        event_tz = rpc("resource.calendar", "read", [calendar["resource_calendar_id"][0]], ["tz"])[
            0
        ]["tz"]
    midnight = datetime.combine(day, datetime.min.time(), ZoneInfo(event_tz))
    midnight = midnight.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    (reminder,) = messages(
        rpc,
        [("res_id", "=", event), ("rule_id", "=", reminder_rule)],
        fields=("state", "next_attempt_at", "deadline_at"),
    )
    assert reminder["state"] == "scheduled"
    assert reminder["deadline_at"] == utc(midnight)
    assert reminder["next_attempt_at"] == utc(midnight - timedelta(days=1))
    assert_sent(confirmed)


TURKISH = (
    "Lütfen randevudan önce ağrı kesici almayın; şikâyetlerinizi, ilaçlarınızı ve geçen "
    "ziyaretin listesini getirin. Otoparkımız İstiklal Caddesi'nde, ğüşıöç ĞÜŞİÖÇ. "
)


def test_long_turkish_customer_note_rendered_intact(e2e, rpc):
    tag = "turkish"
    (customer,) = make_customers(rpc, tag, 1, name="Ayşe Yılmaz Çiğdem Öztürk")
    make_rule(rpc, "confirmed")
    note = (TURKISH * 5)[:500].strip()
    assert len(note) >= 499
    event = book(rpc, [event_vals([customer], notify_customer_note=note)])[0]

    (row,) = settle(rpc, [("res_id", "=", event)], count=1)
    body = messages(rpc, [("res_id", "=", event)], fields=("body",))[0]["body"]
    assert note in html.unescape(body)
    (mail,) = mails_by_rcpt(e2e, 1, tag)[address(tag, 0)]
    received = html.unescape(mail["html"])
    assert note in received
    assert "Hello Ayşe Yılmaz Çiğdem Öztürk," in received
    assert_sent(row)


@pytest.mark.parametrize(
    "tag, domain, error",
    [
        ("nofield", "[('no_such_field', '=', 1)]", "no_such_field"),
        ("syntax", "[('name', '=', ", "invalid domain"),
    ],
)
def test_invalid_rule_domain_rejected_at_save(e2e, rpc, tag, domain, error):
    with pytest.raises(xmlrpc.client.Fault) as fault:
        make_rule(rpc, "confirmed", name="e2e bad domain", filter_domain=domain)
    assert "Rule 'e2e bad domain' has an invalid domain" in fault.value.faultString
    assert error in fault.value.faultString
    assert not rpc(
        "appointment.notify.rule",
        "search",
        [("name", "=", "e2e bad domain"), ("active", "in", [True, False])],
    )

    (customer,) = make_customers(rpc, tag, 1)
    make_rule(rpc, "confirmed")
    event = book(rpc, [event_vals([customer])])[0]
    (row,) = settle(rpc, [("res_id", "=", event)], count=1)
    assert list(mails_by_rcpt(e2e, 1, tag)) == [address(tag, 0)]
    assert_sent(row)
