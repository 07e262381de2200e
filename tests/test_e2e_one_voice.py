"""One voice to the customer, end to end.

Odoo's calendar sends its own e-mails (invitation, "Date updated") at once, inside
the user's transaction. With appointment_notify installed a customer booked,
confirmed, moved and cancelled gets exactly our four messages, one per change,
through the real dispatcher, mail queue and an SMTP sink; the confirmation and
new-time e-mails carry an .ics (same UID, rising SEQUENCE), the cancellation a
METHOD:CANCEL one. The staff attendee still gets Odoo's invitation and date change.
"""

import email
import email.policy
from datetime import timedelta, timezone

import pytest
import vobject
from e2e_support import (
    MAIL_DOMAIN,
    SmtpSink,
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

TRIGGERS = ("awaiting", "confirmed", "rescheduled", "cancelled")


class AttachmentSink(SmtpSink):
    """The sink, also keeping each e-mail's attachments: [(file name, text)]."""

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        files = [(part.get_filename(), part.get_content()) for part in msg.iter_attachments()]
        with self.lock:
            self.messages[-1]["attachments"] = files
        return answer


@pytest.fixture(scope="module")
def sink():
    smtp = AttachmentSink().start()
    yield smtp
    smtp.stop()


@pytest.fixture
def calendar_mails_on(rpc):
    """prepare_db blocks calendar's own e-mails; here they are the subject."""
    rpc("ir.config_parameter", "set_param", "calendar.block_mail", False)
    yield
    rpc("ir.config_parameter", "set_param", "calendar.block_mail", "True")


def ics_of(mail):
    files = [text for name, text in mail["attachments"] if name and name.endswith(".ics")]
    assert len(files) <= 1, mail["attachments"]
    return vobject.readOne(files[0]) if files else None


def test_customer_hears_us_once_per_change(e2e, rpc, calendar_mails_on):
    sink = e2e.sink
    company = rpc("res.company", "search", [], limit=1)
    rpc("res.company", "write", company, {"notify_manual_confirmation": True})
    rules = [make_rule(rpc, trigger) for trigger in TRIGGERS]
    customer = make_customers(rpc, "voice", 1, tz="Europe/Amsterdam", lang="en_US")[0]
    staff_email = f"voice-staff@{MAIL_DOMAIN}"
    staff_user = rpc(
        "res.users",
        "create",
        {
            "name": "Voice Staff",
            "login": "voice-staff",
            "email": staff_email,
            "group_ids": [(6, 0, [rpc.ref("base.group_user")])],
        },
    )
    staff = rpc("res.users", "read", [staff_user], ["partner_id"])[0]["partner_id"][0]
    customer_email = rpc("res.partner", "read", [customer], ["email"])[0]["email"]

    # 09:00 UTC, three days ahead: 10:00 or 11:00 in Amsterdam.
    start = (now_utc() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    event = book(rpc, [event_vals([customer, staff], start=start, name="Consultation")])[0]
    domain = [("res_model", "=", "calendar.event"), ("res_id", "=", event)]
    change_steps = [
        ("booked", None),
        ("confirmed", {"booking_state": "confirmed"}),
        (
            "moved",
            {
                "start": utc(start + timedelta(days=1)),
                "stop": utc(start + timedelta(days=1, hours=1)),
            },
        ),
        ("cancelled", {"booking_state": "cancelled"}),
    ]
    for count, (step, vals) in enumerate(change_steps, start=1):
        if vals:
            rpc("calendar.event", "write", [event], vals)
        rows = settle(rpc, domain, count=count)
        assert all(r["state"] == "sent" for r in rows), (step, rows)
        wait_until(
            lambda c=count: len(sink.received(customer_email)) >= c,
            timeout=60,
            what=f"the customer's e-mail after '{step}'",
        )
        assert len(sink.received(customer_email)) == count, (step, sink.received(customer_email))

    ours = messages(rpc, domain, fields=("subject", "trigger", "rule_id"))
    assert [m["rule_id"][0] for m in ours] == rules
    received = sink.received(customer_email)
    assert [m["subject"] for m in received] == [m["subject"] for m in ours], "ours, nothing else"

    awaiting, confirmed, moved, cancelled = (ics_of(m) for m in received)
    assert awaiting is None, "no .ics before the booking is confirmed"
    assert (confirmed.method.value, confirmed.vevent.sequence.value) == ("REQUEST", "0")
    assert (moved.method.value, moved.vevent.sequence.value) == ("REQUEST", "1")
    assert (cancelled.method.value, cancelled.vevent.sequence.value) == ("CANCEL", "2")
    uids = {ics.vevent.uid.value for ics in (confirmed, moved, cancelled)}
    assert len(uids) == 1, uids
    for ics, day in ((confirmed, start), (moved, start + timedelta(days=1))):
        local = ics.vevent.dtstart.value
        assert ics.vevent.dtstart.params["X-VOBJ-ORIGINAL-TZID"] == ["Europe/Amsterdam"], local
        assert local.astimezone(timezone.utc).replace(tzinfo=None) == day, local

    # The staff attendee keeps Odoo's own e-mails.
    staff_subjects = [m["subject"] for m in sink.received(staff_email)]
    assert "Invitation to Consultation" in staff_subjects, staff_subjects
    assert "Consultation: Date updated" in staff_subjects, staff_subjects
    assert not {m["subject"] for m in ours} & set(staff_subjects), "our messages are for customers"
