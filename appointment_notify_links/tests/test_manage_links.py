import re
from datetime import date, datetime, timedelta

import pytz

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger
from odoo.tools.misc import hash_sign

from odoo.addons.appointment_notify_booking.tests.common import BookingCase, local

# web.layout gives every page the session's CSRF token.
CSRF = re.compile(r'csrf_token: "([^"]+)"')
SLOT = re.compile(r'<input type="radio" name="start"[^>]*value="([^"]+)"')


def booking_day(days_ahead=3):
    """A working day (Monday to Saturday) a few days from today, 'YYYY-MM-DD'."""
    day = date.today() + timedelta(days=days_ahead)
    if day.weekday() == 6:
        day += timedelta(days=1)
    return day.isoformat()


class ManageLinksCase(BookingCase, HttpCase):
    """A booking of Anna's with its link; helpers to use the page over HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.day = booking_day()
        for trigger in ("confirmed", "cancelled", "rescheduled"):
            cls.Rule.create(
                {
                    "name": f"Test {trigger}",
                    "trigger": trigger,
                    "channel": "email",
                    "mail_template_id": cls.env.ref(
                        f"appointment_notify.mail_template_event_{trigger}"
                    ).id,
                    "company_id": cls.company.id,
                }
            )

    def setUp(self):
        super().setUp()
        self.event = self.service._book(self.customer, local(f"{self.day} 10:00"), staff=self.anna)
        self.url = self.event._notify_manage_url(self.customer)
        self.path = self.url[len(self.event.get_base_url()) :]

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def get(self, path=None, **params):
        response = self.url_open(path or self.path, params=params or None, allow_redirects=False)
        self.env.invalidate_all()
        return response

    def post(self, action, data=None, csrf=True, path=None):
        path = path or self.path
        data = dict(data or {})
        if csrf:
            page = self.get(path)
            data["csrf_token"] = CSRF.search(page.text).group(1)
        response = self.url_open(f"{path}/{action}", data=data, allow_redirects=False)
        self.env.invalidate_all()
        return response

    def triggers(self, trigger):
        return self.messages(self.event, trigger=trigger)

    def state(self):
        return (
            self.event.booking_state,
            self.event.start,
            self.event.notify_staff_id,
            len(self.event.message_ids),
            len(self.messages(self.event)),
        )

    def note(self, text):
        notes = self.event.message_ids.filtered(lambda m: text in (m.body or ""))
        self.assertEqual(len(notes), 1, self.event.message_ids.mapped("body"))
        return notes

    def assert_leaks_nothing(self, response):
        self.assertEqual(response.status_code, 404)
        self.assertIn("This link is not valid", response.text)
        for secret in (
            self.customer.name,
            self.service.name,
            self.anna.name,
            self.company.phone,
            self.company.email,
            self.company.name,
        ):
            self.assertNotIn(secret, response.text)


@tagged("post_install", "-at_install", "appointment_notify_links")
class TestManageLinks(ManageLinksCase):
    """The customer's page behind the signed link, over real HTTP (no browser)."""

    # ------------------------------------------------------------------
    # the link in the templates
    # ------------------------------------------------------------------

    def test_manage_url_in_render_context_and_templates(self):
        ctx = self.event._notify_render_context(self.customer)
        self.assertEqual(ctx["manage_url"], self.url)
        self.assertIn("/appointment_notify/manage/", self.url)
        # Only the customers of a service booking get one.
        self.assertEqual(self.event._notify_manage_url(self.anna.user_id.partner_id), "")
        plain = self.make_event(start=local(f"{self.day} 15:00"))
        self.assertEqual(plain._notify_render_context(self.customer)["manage_url"], "")
        template = self.env.ref("appointment_notify.mail_template_event_confirmed")
        body = template._render_field(
            "body_html", self.event.ids, add_context=ctx, set_lang="en_US"
        )[self.event.id]
        self.assertIn(self.url, body)
        plain_ctx = plain._notify_render_context(self.customer)
        body = template._render_field("body_html", plain.ids, add_context=plain_ctx)[plain.id]
        self.assertNotIn("/appointment_notify/manage/", body)
        self.assertIn(self.company.phone, body)

    # ------------------------------------------------------------------
    # GET
    # ------------------------------------------------------------------

    def test_get_shows_the_appointment_and_changes_nothing(self):
        before = self.state()
        response = self.get()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        page = response.text
        self.assertIn("Haircut", page)
        self.assertIn("Anna Stylist", page)
        # 10:00 in the customer's zone (Amsterdam), not the 09:00 / 08:00 UTC stored.
        self.assertIn("10:00", page)
        self.assertIn(self.company.phone, page)
        self.assertIn('name="viewport"', page)
        self.assertNotIn("/web/assets/", page)
        self.assertEqual(self.state(), before)
        # A link scanner following every link changes nothing either.
        for path in (f"{self.path}/cancel", f"{self.path}/confirm", f"{self.path}/reschedule"):
            with mute_logger("odoo.http"):
                response = self.get(path)
            self.assertIn(response.status_code, (404, 405))
        self.assertEqual(self.state(), before)

    def test_page_in_customer_language(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.customer.lang = "nl_NL"
        page = self.get().text
        weekday_nl = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag")
        self.assertTrue(any(day in page for day in weekday_nl), page[:2000])

    # ------------------------------------------------------------------
    # refused links and requests
    # ------------------------------------------------------------------

    def test_tampered_expired_and_foreign_tokens_leak_nothing(self):
        before = self.state()
        token = self.path.rsplit("/", 1)[1]
        tampered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
        env = self.env(su=True)
        expired = hash_sign(
            env,
            "appointment_notify.manage",
            {"m": "calendar.event", "r": self.event.id, "p": self.customer.id},
            expiration=datetime.now(pytz.utc) - timedelta(minutes=1),
        )
        # Signed for another customer who does not attend this appointment.
        foreign = self.event._notify_manage_token(self.customer2)
        values = {"m": "calendar.event", "r": self.event.id, "p": self.customer.id}
        other_scope = hash_sign(env, "other.scope", values)
        # Signed right, but for a model that has no page (or none at all).
        no_page = hash_sign(env, "appointment_notify.manage", {**values, "m": "res.partner"})
        no_model = hash_sign(env, "appointment_notify.manage", {**values, "m": "x.y"})
        for bad in (tampered, expired, foreign, other_scope, no_page, no_model, "garbage", "AQ"):
            with self.subTest(token=bad[:12]):
                self.assert_leaks_nothing(self.get(f"/appointment_notify/manage/{bad}"))
                # Not even with a valid CSRF token of this session.
                csrf = CSRF.search(self.get().text).group(1)
                response = self.url_open(
                    f"/appointment_notify/manage/{bad}/cancel",
                    data={"csrf_token": csrf},
                    allow_redirects=False,
                )
                self.assert_leaks_nothing(response)
        self.assertEqual(self.state(), before)

    def test_customer_taken_off_loses_the_link(self):
        self.event.partner_ids = [(3, self.customer.id)]
        self.assert_leaks_nothing(self.get())

    def test_post_without_csrf_refused(self):
        before = self.state()
        for action in ("confirm", "cancel", "reschedule"):
            with self.subTest(action=action), mute_logger("odoo.http"):
                response = self.post(action, {"reason": "x"}, csrf=False)
                self.assertEqual(response.status_code, 400)
        self.assertEqual(self.state(), before)
        self.assertEqual(self.event.booking_state, "confirmed")

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------

    def test_confirm_attendance_leaves_the_booking_to_staff(self):
        """Awaiting staff's confirmation: the customer's tap is attendance, not acceptance."""
        self.event.unlink()
        self.company.notify_manual_confirmation = True
        self.event = self.service._book(self.customer, local(f"{self.day} 10:00"), staff=self.anna)
        self.path = self.event._notify_manage_url(self.customer)[len(self.event.get_base_url()) :]
        attendee = self.event.attendee_ids.filtered(lambda a: a.partner_id == self.customer)
        self.assertEqual(self.event.booking_state, "awaiting")
        self.assertIn("Confirm my attendance", self.get().text)
        response = self.post("confirm")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(attendee.state, "accepted")
        self.assertEqual(self.event.booking_state, "awaiting", "staff still decide")
        self.assertFalse(self.triggers("confirmed"))
        note = self.note("confirmed their attendance")
        self.assertEqual(note.author_id, self.customer)
        self.assertIn("127.0.0.1", note.body)
        # Confirmed once: the button is gone, a second POST adds nothing.
        self.assertNotIn("Confirm my attendance", self.get().text)
        self.assertEqual(self.post("confirm").status_code, 303)
        self.note("confirmed their attendance")

    def test_cancel_with_reason(self):
        response = self.post("cancel", {"reason": "Ill, sorry"})
        self.assertEqual(response.status_code, 303)
        self.assertIn("done=cancelled", response.headers["Location"])
        self.assertEqual(self.event.booking_state, "cancelled")
        self.assertEqual(len(self.triggers("cancelled")), 1)
        note = self.note("cancelled the appointment")
        self.assertEqual(note.author_id, self.customer)
        self.assertIn("Ill, sorry", note.body)
        self.assertIn("self-service link", note.body)
        self.assertIn(self.anna.user_id.partner_id, note.partner_ids)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "calendar.event"), ("res_id", "=", self.event.id)]
        )
        self.assertEqual(activity.user_id, self.anna.user_id)
        # Twice is once: the second POST finds nothing left to cancel.
        page = self.get(self.path, done="cancelled").text
        self.assertIn("is cancelled", page)
        self.assertNotIn("Cancel my appointment", page)
        response = self.post("cancel")
        self.assertIn("can no longer be done here", response.text)
        self.assertEqual(len(self.triggers("cancelled")), 1)

    def test_cancel_inside_window_refused_with_contact(self):
        self.service.cancel_min_hours = 24 * 30
        page = self.get().text
        self.assertNotIn("Cancel my appointment", page)
        self.assertIn("can be cancelled here until", page)
        self.assertIn(self.company.phone, page)
        csrf = CSRF.search(page).group(1)
        response = self.url_open(
            f"{self.path}/cancel", data={"csrf_token": csrf}, allow_redirects=False
        )
        self.env.invalidate_all()
        self.assertEqual(response.status_code, 200)
        self.assertIn("can no longer be done here", response.text)
        self.assertIn(self.company.phone, response.text)
        self.assertEqual(self.event.booking_state, "confirmed")
        self.assertFalse(self.triggers("cancelled"))

    def test_reschedule_window_enforced(self):
        self.service.reschedule_min_hours = 24 * 30
        page = self.get().text
        self.assertFalse(SLOT.findall(page))
        self.assertIn("can be changed here until", page)
        start = fields.Datetime.to_string(local(f"{self.day} 14:00"))
        csrf = CSRF.search(page).group(1)
        response = self.url_open(
            f"{self.path}/reschedule",
            data={"csrf_token": csrf, "start": start},
            allow_redirects=False,
        )
        self.env.invalidate_all()
        self.assertIn(self.company.phone, response.text)
        self.assertEqual(self.event.start, local(f"{self.day} 10:00"))
        self.assertFalse(self.triggers("rescheduled"))

    def test_reschedule_offers_only_free_slots(self):
        self.busy(self.anna, local(f"{self.day} 12:00"))
        after = fields.Datetime.to_string(local(f"{self.day} 00:00"))
        offered = SLOT.findall(self.get(self.path, after=after).text)
        as_utc = [fields.Datetime.to_string(local(f"{self.day} {h}")) for h in ("11:00", "12:00")]
        self.assertIn(as_utc[0], offered)
        self.assertNotIn(as_utc[1], offered)
        expected = self.event._notify_manage_slots(
            local(f"{self.day} 00:00") + timedelta(minutes=1)
        )
        self.assertEqual(offered, [fields.Datetime.to_string(s.start) for s in expected])
        # "Later times" is a GET too: the next free starts after the last one shown.
        page = self.get(self.path, after=after).text
        later = re.search(r'id="manage_later" href="([^"]+)"', page).group(1)
        later_offered = SLOT.findall(self.get(later).text)
        self.assertTrue(later_offered)
        self.assertGreater(later_offered[0], offered[-1])
        before = self.state()[0]
        response = self.post("reschedule", {"start": as_utc[0]})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.event.start, local(f"{self.day} 11:00"))
        self.assertEqual(self.event.booking_state, before)
        self.assertEqual(len(self.triggers("rescheduled")), 1)
        self.assertFalse(self.triggers("cancelled"))
        self.assertEqual(self.note("moved the appointment").author_id, self.customer)

    def test_reschedule_slot_taken_meanwhile(self):
        after = fields.Datetime.to_string(local(f"{self.day} 00:00"))
        page = self.get(self.path, after=after).text
        wanted = fields.Datetime.to_string(local(f"{self.day} 15:00"))
        self.assertIn(wanted, SLOT.findall(page))
        # Someone else books 15:00 with Anna while the customer hesitates.
        self.service._book(self.customer2, local(f"{self.day} 15:00"), staff=self.anna)
        before = self.state()
        response = self.post("reschedule", {"start": wanted})
        self.assertEqual(response.status_code, 409)
        self.assertIn("just taken", response.text)
        offered = SLOT.findall(response.text)
        self.assertTrue(offered)
        self.assertNotIn(wanted, offered)
        self.assertEqual(offered[0], fields.Datetime.to_string(local(f"{self.day} 16:00")))
        self.assertEqual(self.state(), before)
        self.assertFalse(self.triggers("rescheduled"))

    def test_reschedule_garbage_start(self):
        before = self.state()
        response = self.post("reschedule", {"start": "tomorrow"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Please choose a new time", response.text)
        self.assertEqual(self.state(), before)
