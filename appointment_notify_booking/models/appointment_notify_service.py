from collections import defaultdict, namedtuple
from datetime import datetime, time, timedelta

import pytz

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.intervals import Intervals

# A bookable moment: naive UTC start/stop and the staff free for it, in the
# order the service assigns them (the first one gets the booking).
Slot = namedtuple("Slot", ["start", "stop", "staff"])

# Groups allowed to book despite a conflict (``_book(..., override=True)``).
OVERRIDE_GROUPS = ("appointment_notify.group_notify_admin", "base.group_system")


class BookingUnavailable(UserError):
    """The requested time cannot be booked; ``alternatives`` lists the nearest
    free slots (``list[Slot]``) and ``reason`` says why in one word:
    taken, closed, notice, horizon."""

    def __init__(self, message, alternatives=None, reason=None):
        super().__init__(message)
        self.alternatives = alternatives or []
        self.reason = reason


def _naive_utc(dt):
    return dt.astimezone(pytz.utc).replace(tzinfo=None)


def _to_utc_intervals(intervals):
    """resource's tz-aware intervals as merged naive-UTC Intervals."""
    return Intervals([(_naive_utc(s), _naive_utc(e), set()) for s, e, _rec in intervals])


class AppointmentNotifyService(models.Model):
    _name = "appointment.notify.service"
    _description = "Booking service"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    description = fields.Text(translate=True)
    duration = fields.Float(default=1.0, required=True, help="Length of an appointment, in hours.")
    buffer_before = fields.Float(
        help="Hours kept free before an appointment (set up, travel).",
    )
    buffer_after = fields.Float(
        help="Hours kept free after an appointment (clean up, notes).",
    )
    slot_step = fields.Float(
        default=0.25,
        help="Offer a start every so many hours from the start of the working hours; "
        "0 offers one start per duration.",
    )
    min_notice_hours = fields.Float(
        string="Minimum notice", help="Hours between now and the earliest bookable start."
    )
    max_days_ahead = fields.Integer(string="Book up to (days ahead)", default=60, required=True)
    cancel_min_hours = fields.Float(
        string="Cancel until (hours before)",
        help="Customers cannot cancel themselves later than this before the start.",
    )
    reschedule_min_hours = fields.Float(
        string="Reschedule until (hours before)",
        help="Customers cannot move the appointment themselves later than this before the start.",
    )
    opening_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Opening hours",
        help="Business opening hours, intersected with each staff member's working hours.",
    )
    staff_ids = fields.Many2many(
        "resource.resource",
        "appointment_notify_service_resource_rel",
        "service_id",
        "resource_id",
        domain=[("resource_type", "=", "user")],
        help="Who performs this service, with their own working hours and leaves.",
    )
    capacity = fields.Integer(
        string="Places per staff member",
        default=1,
        required=True,
        help="Appointments one staff member can take at the same time.",
    )
    assignment = fields.Selection(
        [
            ("sequence", "First free staff member"),
            ("least_loaded", "Least loaded staff member"),
            ("customer", "Customer's choice"),
        ],
        default="sequence",
        required=True,
    )

    _duration_positive = models.Constraint(
        "CHECK(duration > 0)", "The duration of a service must be positive."
    )
    _capacity_positive = models.Constraint(
        "CHECK(capacity >= 1)", "A staff member has at least one place."
    )
    _times_not_negative = models.Constraint(
        "CHECK(buffer_before >= 0 AND buffer_after >= 0 AND slot_step >= 0 "
        "AND min_notice_hours >= 0 AND cancel_min_hours >= 0 AND reschedule_min_hours >= 0)",
        "Buffers, step, notice and windows cannot be negative.",
    )
    _max_days_positive = models.Constraint(
        "CHECK(max_days_ahead >= 1)", "Bookings must be possible at least one day ahead."
    )

    # ------------------------------------------------------------------
    # availability
    # ------------------------------------------------------------------

    def _booking_tz(self):
        """The zone of the business: opening hours, else the first staff calendar."""
        self.ensure_one()
        return pytz.timezone(
            self.opening_calendar_id.tz
            or self.staff_ids[:1].calendar_id.tz
            or self.company_id.resource_calendar_id.tz
            or "UTC"
        )

    def _booking_bounds(self):
        """Earliest and latest bookable starts (naive UTC): notice and horizon."""
        now = fields.Datetime.now()
        return (
            now + timedelta(hours=self.min_notice_hours),
            now + timedelta(days=self.max_days_ahead),
        )

    def _booking_pool(self, staff):
        pool = self.staff_ids
        if staff:
            pool = staff & self.staff_ids if self.staff_ids else staff
        return pool

    def _booking_availability(self, lo, hi, pool, exclude_event=None):
        """What slot checks need for staff ``pool`` between naive UTC ``lo``/``hi``.

        Returns ``(work, busy, load)``: per staff id the merged working Intervals
        (naive UTC, opening hours and leaves applied), the busy events as a list
        of ``(start, stop)`` widened by the service buffers, and the number of
        busy events per business day (only for 'least loaded').

        Queries do not depend on the number of staff: one work-interval batch
        per calendar and one SQL for every staff member's busy events.
        """
        self.ensure_one()
        # Whole days around the window, so intervals keep their real starts
        # (candidates are stepped from there) and the day load is complete.
        a_lo = pytz.utc.localize(lo - timedelta(days=1))
        a_hi = pytz.utc.localize(hi + timedelta(days=1))
        busy, load = self._booking_busy(a_lo, a_hi, pool, exclude_event)
        return self._booking_work(a_lo, a_hi, pool), busy, load

    def _booking_work(self, a_lo, a_hi, pool):
        """Per staff id, merged naive-UTC working Intervals between the aware
        datetimes: one ``_work_intervals_batch`` per calendar (each resource's
        time zone, public holidays and personal leaves), & the opening hours."""
        opening = None
        if self.opening_calendar_id:
            opening = _to_utc_intervals(
                self.opening_calendar_id._work_intervals_batch(a_lo, a_hi)[False]
            )
        work = {}
        by_calendar = defaultdict(lambda: self.env["resource.resource"])
        for member in pool:
            by_calendar[member.calendar_id] |= member
        for calendar, members in by_calendar.items():
            if calendar:
                batch = calendar._work_intervals_batch(a_lo, a_hi, resources=members)
                for member in members:
                    work[member.id] = _to_utc_intervals(batch[member.id])
            else:
                # No working hours: available whenever the business is open.
                for member in members:
                    work[member.id] = Intervals([(_naive_utc(a_lo), _naive_utc(a_hi), set())])
            if opening is not None:
                for member in members:
                    work[member.id] = work[member.id] & opening
        return work

    def _booking_busy(self, a_lo, a_hi, pool, exclude_event):
        """Busy events per staff id as ``(start, stop)`` widened by the buffers,
        and per staff id and business day their count (for 'least loaded'),
        from one SQL query whatever the number of staff."""
        before = timedelta(hours=self.buffer_before)
        after = timedelta(hours=self.buffer_after)
        staff_by_partner = defaultdict(list)
        for member in pool:
            if member.user_id.partner_id:
                staff_by_partner[member.user_id.partner_id.id].append(member.id)
        self.env["calendar.event"].flush_model()
        self.env["calendar.attendee"].flush_model()
        # Events where the staff member's partner attends (not declined), or
        # booked on the staff member directly; shown as busy, active, not
        # cancelled. All-day events block the whole local day (calendar stores
        # them as 08:00-18:00).
        self.env.cr.execute(
            """
            SELECT e.id, e.start, e.stop, e.allday, e.start_date, e.stop_date,
                   a.partner_id, e.notify_staff_id
              FROM calendar_event e
              LEFT JOIN calendar_attendee a
                ON a.event_id = e.id AND a.state != 'declined' AND a.partner_id = ANY(%(partners)s)
             WHERE e.active AND e.show_as = 'busy'
               AND COALESCE(e.booking_state, 'confirmed') NOT IN ('cancelled', 'rejected')
               AND e.start < %(hi)s AND e.stop > %(lo)s
               AND e.id != %(exclude)s
               AND (a.id IS NOT NULL OR e.notify_staff_id = ANY(%(staff)s))
            """,
            {
                "partners": list(staff_by_partner),
                "staff": pool.ids,
                "lo": a_lo.replace(tzinfo=None),
                "hi": a_hi.replace(tzinfo=None),
                "exclude": exclude_event.id if exclude_event else 0,
            },
        )
        rows = self.env.cr.fetchall()
        tz = self._booking_tz()
        least_loaded = self.assignment == "least_loaded"
        seen = set()
        busy = defaultdict(list)
        load = defaultdict(lambda: defaultdict(int))
        pool_ids = set(pool.ids)
        for (
            event_id,
            start,
            stop,
            allday,
            start_date,
            stop_date,
            partner_id,
            staff_id,
        ) in rows:
            members = list(staff_by_partner.get(partner_id, []))
            if staff_id in pool_ids:
                members.append(staff_id)
            if allday and start_date and stop_date:
                start = _naive_utc(tz.localize(datetime.combine(start_date, time.min)))
                stop = _naive_utc(
                    tz.localize(datetime.combine(stop_date + timedelta(days=1), time.min))
                )
            for member_id in members:
                if (event_id, member_id) in seen:
                    continue
                seen.add((event_id, member_id))
                busy[member_id].append((start - after, stop + before))
                if least_loaded:
                    load[member_id][pytz.utc.localize(start).astimezone(tz).date()] += 1
        return busy, load

    def _booking_fits(self, member_id, start, stop, work, busy, check_busy=True):
        """Whether [start, stop) is inside the working hours of the staff member
        and, unless ``check_busy`` is False, below their capacity."""
        if not any(s <= start and stop <= e for s, e, _rec in work.get(member_id, ())):
            return False
        if not check_busy:
            return True
        overlapping = sum(1 for s, e in busy.get(member_id, ()) if s < stop and e > start)
        return overlapping < self.capacity

    def _booking_order(self, members, start, load):
        """Free staff ids in the order the service assigns them."""
        if self.assignment == "least_loaded":
            day = pytz.utc.localize(start).astimezone(self._booking_tz()).date()
            return sorted(members, key=lambda m: load[m][day])  # stable: keeps staff order
        return members

    def _find_slots(self, start, end, *, staff=None, duration=None, exclude_event=None, limit=None):
        """Free slots starting in [start, end) (naive UTC), earliest first.

        Candidates step by ``slot_step`` from the start of each working
        interval; a slot is free for a staff member when it lies in their
        working hours (and the opening hours) and overlaps fewer busy events
        (widened by the buffers) than the capacity.
        """
        self.ensure_one()
        pool = self._booking_pool(staff)
        earliest, latest = self._booking_bounds()
        lo, hi = max(start, earliest), min(end, latest + timedelta(seconds=1))
        if not pool or lo >= hi:
            return []
        length = timedelta(hours=duration or self.duration)
        step = timedelta(hours=self.slot_step or duration or self.duration)
        work, busy, load = self._booking_availability(lo, hi, pool, exclude_event)
        capacity = self.capacity
        free = defaultdict(list)
        for member in pool:
            # One sweep per staff member: candidates only move forward, so the
            # busy events overlapping the candidate are a sliding window.
            events = sorted(busy.get(member.id, ()))
            upcoming, active = 0, []
            for s, e, _rec in work.get(member.id, ()):
                candidate = s
                if candidate < lo:
                    candidate += step * -((s - lo) // step)  # first step at or after lo
                while candidate + length <= e and candidate < hi:
                    stop = candidate + length
                    while upcoming < len(events) and events[upcoming][0] < stop:
                        active.append(events[upcoming][1])
                        upcoming += 1
                    active = [end for end in active if end > candidate]
                    if len(active) < capacity:
                        free[candidate].append(member.id)
                    candidate += step
        slots = []
        Resource = self.env["resource.resource"]
        for candidate in sorted(free):
            members = self._booking_order(free[candidate], candidate, load)
            slots.append(Slot(candidate, candidate + length, Resource.browse(members)))
            if limit and len(slots) >= limit:
                break
        return slots

    def _suggest(self, preferred, n=3, *, staff=None, duration=None, exclude_event=None):
        """The ``n`` free slots nearest to ``preferred``, at least one before and
        one after when there are; slots of ``staff`` first, then anyone's."""
        self.ensure_one()
        found = []
        pools = [staff, None] if staff else [None]
        for pool in pools:
            for days in (1, 7, self.max_days_ahead):
                window = timedelta(days=days)
                slots = self._find_slots(
                    preferred - window,
                    preferred + window,
                    staff=pool,
                    duration=duration,
                    exclude_event=exclude_event,
                )
                if len(slots) >= n:
                    break
            taken = {slot.start for slot in found}
            found += self._nearest(
                [slot for slot in slots if slot.start not in taken], preferred, n - len(found)
            )
            if len(found) >= n:
                break
        return sorted(found, key=lambda slot: slot.start)

    @staticmethod
    def _nearest(slots, preferred, n):
        if n <= 0:
            return []
        by_distance = sorted(slots, key=lambda slot: abs(slot.start - preferred))
        if n == 1:
            return by_distance[:1]
        before = next((s for s in by_distance if s.start < preferred), None)
        after = next((s for s in by_distance if s.start >= preferred), None)
        chosen = [s for s in (before, after) if s][:n]
        chosen += [s for s in by_distance if s not in chosen][: n - len(chosen)]
        return chosen

    def _check_slot(self, start, *, staff=None, duration=None, exclude_event=None):
        """The Slot starting exactly at ``start`` (any minute, not only the
        offered steps), or BookingUnavailable with the reason and alternatives."""
        self.ensure_one()
        pool = self._booking_pool(staff)
        length = timedelta(hours=duration or self.duration)
        earliest, latest = self._booking_bounds()

        def refuse(message, reason):
            alternatives = self._suggest(
                start, staff=staff, duration=duration, exclude_event=exclude_event
            )
            raise BookingUnavailable(message, alternatives=alternatives, reason=reason)

        if not pool:
            message = (
                _(
                    "%(staff)s does not perform %(service)s.",
                    staff=staff[:1].name,
                    service=self.name,
                )
                if staff
                else _("Nobody performs %(service)s.", service=self.name)
            )
            raise BookingUnavailable(message, reason="closed")
        if start < earliest:
            refuse(
                _(
                    "Too short notice: %(service)s can be booked at the earliest "
                    "%(hours)s hours ahead.",
                    service=self.name,
                    hours=self.min_notice_hours,
                ),
                "notice",
            )
        if start > latest:
            refuse(
                _(
                    "Too far ahead: %(service)s can be booked up to %(days)s days ahead.",
                    service=self.name,
                    days=self.max_days_ahead,
                ),
                "horizon",
            )
        work, busy, load = self._booking_availability(start, start + length, pool, exclude_event)
        stop = start + length
        members = [m.id for m in pool if self._booking_fits(m.id, start, stop, work, busy)]
        if members:
            members = self._booking_order(members, start, load)
            return Slot(start, stop, self.env["resource.resource"].browse(members))
        if any(self._booking_fits(m.id, start, stop, work, busy, check_busy=False) for m in pool):
            refuse(_("This time was just taken."), "taken")
        refuse(_("This time is outside working hours."), "closed")

    # ------------------------------------------------------------------
    # booking
    # ------------------------------------------------------------------

    def _booking_lock(self, pool):
        """Serialize bookings of these staff members; the availability check
        that follows is the one that counts.

        A real UPDATE, not SELECT ... FOR UPDATE: under REPEATABLE READ a
        concurrent transaction that updated the same row and committed makes
        this one fail with a SerializationFailure (Odoo retries HTTP requests,
        and the retry sees the new booking). With FOR UPDATE alone both
        transactions would pass the re-check on their old snapshots.
        """
        if pool:
            self.env.cr.execute(
                "UPDATE resource_resource SET booking_seq = booking_seq + 1 WHERE id = ANY(%s)",
                [sorted(pool.ids)],
            )
            pool.invalidate_recordset(["booking_seq"])

    def _check_override(self, override):
        if override and not any(self.env.user.has_group(g) for g in OVERRIDE_GROUPS):
            raise AccessError(_("Only a notification administrator can book despite a conflict."))

    def _book(
        self, partner, start, *, staff=None, duration=None, event_values=None, override=False
    ):
        """Book ``partner`` at ``start`` (naive UTC): one calendar.event with the
        customer and the staff member as attendees. The policy (working hours,
        buffers, capacity, notice, horizon) is checked here, after locking the
        staff, so it is enforced once for every caller."""
        self.ensure_one()
        partner.ensure_one()
        self._check_override(override)
        pool = self._booking_pool(staff)
        length = timedelta(hours=duration or self.duration)
        if not override:
            # What this transaction already sees taken is refused without the
            # lock: only bookings that may succeed queue on the staff rows.
            self._check_slot(start, staff=staff, duration=duration)
        self._booking_lock(pool)
        if override:
            member = pool[:1]
        else:
            member = self._check_slot(start, staff=staff, duration=duration).staff[:1]
        vals = {
            "name": f"{self.name} - {partner.name}",
            "start": start,
            "stop": start + length,
            "duration": length.total_seconds() / 3600,
            "notify_service_id": self.id,
            "notify_staff_id": member.id,
            "partner_ids": [Command.link(partner.id)],
            "user_id": member.user_id.id or self.env.uid,
            **(event_values or {}),
        }
        return self.env["calendar.event"].create(vals)

    def _reschedule(self, event, start, *, staff=None, override=False):
        """Move ``event`` to ``start`` (same duration) with the checks of _book,
        ignoring the event itself."""
        self.ensure_one()
        event.ensure_one()
        self._check_override(override)
        staff = staff or event.notify_staff_id
        pool = self._booking_pool(staff)
        duration = event.duration or self.duration
        if not override:
            self._check_slot(start, staff=staff, duration=duration, exclude_event=event)
        self._booking_lock(pool)
        if override:
            member = pool[:1]
        else:
            member = self._check_slot(
                start, staff=staff, duration=duration, exclude_event=event
            ).staff[:1]
        event.write(
            {
                "start": start,
                "stop": start + timedelta(hours=duration),
                "notify_service_id": self.id,
                "notify_staff_id": member.id,
            }
        )
        return event

    @api.model
    def _slot_to_dict(self, slot):
        return {
            "start": fields.Datetime.to_string(slot.start),
            "stop": fields.Datetime.to_string(slot.stop),
            "staff_ids": slot.staff.ids,
        }

    def book_for_partner(self, partner_id, start, staff_id=False):
        """RPC entry point: book at ``start`` ('YYYY-MM-DD HH:MM:SS' UTC).

        Returns ``{'event_id': id}`` or ``{'error': message, 'reason': ...,
        'alternatives': [{'start', 'stop', 'staff_ids'}]}``; never books
        despite a conflict.
        """
        self.ensure_one()
        # Before the staff rows are locked: who may not book gets an access error.
        self.check_access("read")
        self.env["calendar.event"].check_access("create")
        partner = self.env["res.partner"].browse(partner_id).exists()
        if not partner:
            raise UserError(_("Unknown customer."))
        staff = self.env["resource.resource"].browse(staff_id) if staff_id else None
        try:
            # A refusal rolls back to here: nothing changes, not even booking_seq.
            with self.env.cr.savepoint():
                event = self._book(partner, fields.Datetime.to_datetime(start), staff=staff)
        except BookingUnavailable as error:
            return {
                "error": str(error),
                "reason": error.reason,
                "alternatives": [self._slot_to_dict(s) for s in error.alternatives],
            }
        return {"event_id": event.id}
