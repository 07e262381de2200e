from datetime import datetime, timedelta
from unittest.mock import patch

import pytz

from odoo.tests import tagged

from odoo.addons.appointment_notify.tests.common import NotifyCase
from odoo.addons.google_account.models.google_service import GoogleService
from odoo.addons.google_calendar.models.res_users import ResUsers
from odoo.addons.google_calendar.tests.test_sync_common import TestSyncGoogle, patch_api

# 2030-03-04 09:00-10:00 UTC: Monday 10:00 in Amsterdam.
START = datetime(2030, 3, 4, 9, 0)
STOP = datetime(2030, 3, 4, 10, 0)


@tagged("post_install", "-at_install", "appointment_notify_google_calendar")
@patch.object(ResUsers, "_get_google_calendar_token", lambda user: "dummy-token")
class TestGoogleCalendarSync(NotifyCase, TestSyncGoogle):
    """google_calendar's own sync code, fed with the events Google's API returns."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The salon's owner syncs her calendar with Google.
        cls.owner = cls.organizer_user
        cls.owner.email = "owner@salon.example.com"
        # Synced before: Google sends what changed since (an incremental sync).
        cls.owner.res_users_settings_id.sudo().google_calendar_sync_token = "sync-token"
        cls.sms_customer = cls.env["res.partner"].create(
            {"name": "Cem No-Mail", "phone": "+31 6 1234 5678"}
        )

    def setUp(self):
        super().setUp()
        self.make_rule("rescheduled")
        self.make_rule("reminder", offset_amount=1, offset_unit="hours")

    def make_synced_event(self, partners=None, **values):
        """An appointment already in Google: the desk owner organizes, two customers."""
        return self.make_event(
            start=START,
            partners=partners or self.customer | self.sms_customer | self.staff.partner_id,
            user_id=self.owner.id,
            google_id="an0notify0event",
            need_sync=False,
            **values,
        )

    def google_event(self, event, start, end, **values):
        """The event as Google returns it: the guests Odoo sent, Google's dates.

        ``start``/``end`` are Google's {'dateTime': ..., 'timeZone': ...} or
        {'date': ...} dicts, written in the zone a Google user works in.
        """
        sent = event._google_values()
        return {
            "id": event.google_id,
            "status": "confirmed",
            "summary": event.name,
            "updated": datetime.now(pytz.utc).isoformat(),
            "organizer": {"email": self.owner.email, "self": True},
            "attendees": [dict(guest, responseStatus="needsAction") for guest in sent["attendees"]],
            "reminders": {"useDefault": True},
            "extendedProperties": {"shared": {f"{self.env.cr.dbname}_odoo_id": event.id}},
            "start": start,
            "end": end,
            **values,
        }

    def sync(self, items):
        """The owner's calendar sync, as its cron runs it, Google answering ``items``.

        Google -> Odoo with these events, then Odoo -> Google for what changed
        (recorded by google_calendar's mock_google_sync, nothing leaves).
        """
        page = {
            "items": items,
            "nextSyncToken": "next-sync-token",
            "defaultReminders": [{"method": "popup", "minutes": 30}],
        }

        def google_answers(service, uri, params=None, headers=None, method="POST", **kw):
            self.assertEqual((method, uri), ("GET", "/calendar/v3/calendars/primary/events"))
            return 200, page, datetime.now()

        with patch.object(GoogleService, "_do_request", google_answers):
            self.owner.with_user(self.owner).sudo()._sync_google_calendar(self.google_service)

    def state_of(self, records):
        """Every message of these records: what would show if anything changed."""
        return sorted(
            (m.id, m.partner_id.id, m.trigger, m.state, m.next_attempt_at)
            for m in self.messages(records)
        )

    # ------------------------------------------------------------------
    # Google -> Odoo
    # ------------------------------------------------------------------

    @patch_api
    def test_sync_without_change_plans_nothing(self):
        event = self.make_synced_event()
        before = self.state_of(event)
        self.assertEqual(len(before), 2)  # one reminder per customer
        gevent = self.google_event(
            event,
            {"dateTime": "2030-03-04T10:00:00+01:00", "timeZone": "Europe/Amsterdam"},
            {"dateTime": "2030-03-04T11:00:00+01:00", "timeZone": "Europe/Amsterdam"},
            summary="Haircut (renamed in Google)",
        )
        self.sync([gevent])
        self.assertEqual(event.name, "Haircut (renamed in Google)")
        self.assertEqual((event.start, event.stop), (START, STOP))
        self.assertEqual(
            event.partner_ids, self.customer | self.sms_customer | self.staff.partner_id
        )
        self.assertEqual(self.state_of(event), before)
        # Google sends the same event again at the next sync: still nothing.
        self.sync([dict(gevent, updated=datetime.now(pytz.utc).isoformat())])
        self.assertEqual(self.state_of(event), before)
        self.assertGoogleAPINotCalled()

    @patch_api
    def test_all_day_sync_without_change_plans_nothing(self):
        event = self.make_synced_event(allday=True, start_date=START.date(), stop_date=START.date())
        before = self.state_of(event)
        self.assertEqual(len(before), 2)
        # Google's all-day end date is exclusive; Odoo stores midnight afterwards.
        self.sync([self.google_event(event, {"date": "2030-03-04"}, {"date": "2030-03-05"})])
        self.assertEqual(event.start_date, START.date())
        self.assertEqual(
            event.partner_ids, self.customer | self.sms_customer | self.staff.partner_id
        )
        self.assertEqual(self.state_of(event), before)

    @patch_api
    def test_move_in_google_reschedules_once(self):
        event = self.make_synced_event()
        # Moved by a day in Google by someone working in Istanbul (UTC+3).
        gevent = self.google_event(
            event,
            {"dateTime": "2030-03-05T12:00:00+03:00", "timeZone": "Europe/Istanbul"},
            {"dateTime": "2030-03-05T13:00:00+03:00", "timeZone": "Europe/Istanbul"},
        )
        self.sync([gevent])
        new_start = START + timedelta(days=1)
        self.assertEqual((event.start, event.stop), (new_start, STOP + timedelta(days=1)))
        rescheduled = self.messages(event, trigger="rescheduled")
        self.assertEqual(rescheduled.partner_id, self.customer | self.sms_customer)
        self.assertEqual(len(rescheduled), 2, "one 'new time' message per customer")
        reminders = self.messages(event, trigger="reminder")
        self.assertEqual(reminders.mapped("state"), ["scheduled", "scheduled"])
        self.assertEqual(set(reminders.mapped("next_attempt_at")), {new_start - timedelta(hours=1)})
        # The next sync brings the moved event again: no second announcement.
        after = self.state_of(event)
        self.sync([dict(gevent, updated=datetime.now(pytz.utc).isoformat())])
        self.assertEqual(self.state_of(event), after)
        self.assertGoogleAPINotCalled()

    @patch_api
    def test_customers_unknown_to_google_stay(self):
        """Google's guest list decides for the guests Google knows, only for them."""
        self.company.notify_google_share_customers = True
        event = self.make_synced_event(partners=self.customer | self.customer2 | self.sms_customer)
        gevent = self.google_event(
            event,
            {"dateTime": "2030-03-04T10:00:00+01:00", "timeZone": "Europe/Amsterdam"},
            {"dateTime": "2030-03-04T11:00:00+01:00", "timeZone": "Europe/Amsterdam"},
        )
        sent = {guest["email"] for guest in gevent["attendees"]}
        self.assertEqual(sent, {"ayla@example.com", "bram@example.com"})
        # Bram is removed from the guests in Google; Cem (no e-mail) was never there.
        gevent["attendees"] = [g for g in gevent["attendees"] if g["email"] != "bram@example.com"]
        self.sync([gevent])
        self.assertEqual(event.partner_ids, self.customer | self.sms_customer)
        reminders = self.messages(event, trigger="reminder")
        self.assertEqual(
            reminders.filtered(lambda m: m.state == "scheduled").partner_id,
            self.customer | self.sms_customer,
        )
        self.assertEqual(
            reminders.filtered(lambda m: m.state == "cancelled").partner_id, self.customer2
        )

    @patch_api
    def test_series_moved_in_google_notifies_once(self):
        # Rules Google's delete-and-recreate of the series would trigger.
        for trigger in ("booked", "confirmed", "cancelled"):
            self.make_rule(trigger)
        event = self.make_event(
            start=START,
            partners=self.customer | self.sms_customer,
            user_id=self.owner.id,
            recurrency=True,
            rrule_type="weekly",
            count=3,
            mon=True,
            need_sync=False,
        )
        recurrence = event.recurrence_id
        recurrence.write({"google_id": "an0notify0series", "need_sync": False})
        self.assertEqual(len(recurrence.calendar_event_ids), 3)
        all_messages = [("res_model", "=", "calendar.event")]
        first_messages = self.Message.search(all_messages)
        # The series moves one hour later in Google.
        gevent = self.google_event(
            recurrence.base_event_id,
            {"dateTime": "2030-03-04T11:00:00+01:00", "timeZone": "Europe/Amsterdam"},
            {"dateTime": "2030-03-04T12:00:00+01:00", "timeZone": "Europe/Amsterdam"},
            id=recurrence.google_id,
            recurrence=["RRULE:FREQ=WEEKLY;COUNT=3;BYDAY=MO"],
        )
        gevent["extendedProperties"] = {"shared": {f"{self.env.cr.dbname}_odoo_id": recurrence.id}}
        self.sync([gevent])
        events = recurrence.calendar_event_ids
        self.assertEqual(len(events), 3)
        self.assertEqual(
            sorted(events.mapped("start")),
            [START + timedelta(weeks=w, hours=1) for w in range(3)],
        )
        for occurrence in events:
            self.assertEqual(
                occurrence.partner_ids & (self.customer | self.sms_customer),
                self.customer | self.sms_customer,
            )
        # Also those about the events the sync deleted.
        new = self.Message.search(all_messages) - first_messages
        self.assertEqual(
            set(new.mapped("trigger")) - {"reminder"},
            {"rescheduled"},
            "no cancellations, no bookings",
        )
        rescheduled = new.filtered(lambda m: m.trigger == "rescheduled")
        self.assertEqual(len(rescheduled), 2)
        self.assertEqual(rescheduled.partner_id, self.customer | self.sms_customer)
        reminders = self.messages(events, trigger="reminder", state="scheduled")
        self.assertEqual(len(reminders), 6, "one reminder per customer and occurrence")
        self.assertEqual(
            sorted(set(reminders.mapped("next_attempt_at"))),
            [START + timedelta(weeks=w) for w in range(3)],
        )

    @patch_api
    def test_one_occurrence_moved_in_google_notifies_once(self):
        event = self.make_event(
            start=START,
            partners=self.customer | self.sms_customer,
            user_id=self.owner.id,
            recurrency=True,
            rrule_type="weekly",
            count=3,
            mon=True,
            need_sync=False,
        )
        recurrence = event.recurrence_id
        recurrence.write({"google_id": "an0notify0series", "need_sync": False})
        second = recurrence.calendar_event_ids.sorted("start")[1]
        self.assertEqual(second.google_id, "an0notify0series_20300311T090000Z")
        for trigger in ("booked", "confirmed", "cancelled"):
            self.make_rule(trigger)
        all_messages = [("res_model", "=", "calendar.event")]
        first_messages = self.Message.search(all_messages)
        # "This event" moved to the Tuesday in Google: Google's instance of the series.
        gevent = self.google_event(
            second,
            {"dateTime": "2030-03-12T10:00:00+01:00", "timeZone": "Europe/Amsterdam"},
            {"dateTime": "2030-03-12T11:00:00+01:00", "timeZone": "Europe/Amsterdam"},
            recurringEventId=recurrence.google_id,
            originalStartTime={
                "dateTime": "2030-03-11T10:00:00+01:00",
                "timeZone": "Europe/Amsterdam",
            },
        )
        self.sync([gevent])
        self.assertEqual(second.start, START + timedelta(days=8))
        self.assertEqual(second._notify_customers(), self.customer | self.sms_customer)
        new = self.Message.search(all_messages) - first_messages
        self.assertEqual(set(new.mapped("trigger")) - {"reminder"}, {"rescheduled"})
        rescheduled = new.filtered(lambda m: m.trigger == "rescheduled")
        self.assertEqual(set(rescheduled.mapped("res_id")), {second.id})
        self.assertEqual(rescheduled.partner_id, self.customer | self.sms_customer)
        self.assertEqual(len(rescheduled), 2)

    # ------------------------------------------------------------------
    # Odoo -> Google
    # ------------------------------------------------------------------

    @patch_api
    def test_customers_not_sent_to_google(self):
        event = self.make_event(
            start=START,
            partners=self.customer | self.sms_customer | self.staff.partner_id,
            user_id=self.owner.id,
        )
        sent = self._gsync_insert_values[0][0]
        self.assertEqual(sent["id"], False)
        self.assertEqual([g["email"] for g in sent["attendees"]], ["staff@salon.example.com"])
        self.assertEqual(
            [g["email"] for g in event._google_values()["attendees"]],
            ["staff@salon.example.com"],
        )
        # The company chooses to invite customers through Google (Settings).
        settings = self.env["res.config.settings"].create({"notify_google_share_customers": True})
        settings.execute()
        self.assertTrue(self.company.notify_google_share_customers)
        self.assertEqual(
            [g["email"] for g in event._google_values()["attendees"]],
            ["ayla@example.com", "staff@salon.example.com"],
        )
