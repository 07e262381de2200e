import functools
import logging
import math
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models, modules
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, html2plaintext

_logger = logging.getLogger(__name__)

STATES = [
    ("scheduled", "Scheduled"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
    ("skipped", "Skipped"),
]
PENDING_STATES = ("scheduled",)
# A transmission may wait this long (seconds) for its sender's throttle while the
# rows of its pool-full are locked; one due later waits with no row locked.
MAX_LOCKED_WAIT = 0.5


def _call(transmit):
    """Run a transmission in a pool thread: its result, or the exception it raised."""
    try:
        return transmit()
    except Exception as exc:  # noqa: BLE001 (handed back to the ORM side as the outcome)
        return exc


class NotifySendError(Exception):
    """A channel could not send. ``retry``: a transient failure worth retrying."""

    def __init__(self, reason, retry=False, skip=False):
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.skip = skip


class AppointmentNotifyMessage(models.Model):
    """One message to one customer about one record: the log and the queue at once."""

    _name = "appointment.notify.message"
    _description = "Customer notification"
    _order = "next_attempt_at desc, id desc"
    _rec_name = "record_name"
    _check_company_auto = True

    rule_id = fields.Many2one(
        "appointment.notify.rule", ondelete="set null", index=True, check_company=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    res_model = fields.Char("Record model", required=True)
    res_id = fields.Many2oneReference("Record ID", model_field="res_model", required=True)
    record_name = fields.Char("Record")
    record_ref = fields.Reference(
        selection="_selection_record_ref", compute="_compute_record_ref", string="Source"
    )
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, ondelete="cascade", index=True
    )
    channel = fields.Selection([("email", "E-mail")], required=True)
    trigger = fields.Selection(
        selection=lambda self: self.env["appointment.notify.rule"]._fields["trigger"].selection
    )
    occurrence = fields.Char(
        required=True,
        default="",
        help="Which occurrence of the trigger: the appointment time for reminders.",
    )
    destination = fields.Char(help="The e-mail address or number used.")
    scheduled_at = fields.Datetime("Scheduled", required=True)
    next_attempt_at = fields.Datetime("Next attempt", required=True)
    deadline_at = fields.Datetime(
        "Not after", help="Sending after this moment is pointless (reminders: the start)."
    )
    lease_until = fields.Datetime(help="A worker sending it holds it until then.")
    state = fields.Selection(STATES, required=True, default="scheduled")
    attempts = fields.Integer(default=0)
    provider_ref = fields.Char("Provider ID", index="btree_not_null", copy=False)
    subject = fields.Char()
    body = fields.Text()
    body_html = fields.Html("E-mail", compute="_compute_body_html", sanitize=True)
    reason = fields.Text(help="Why it failed, was skipped or cancelled.")
    prerendered = fields.Boolean(help="Rendered when planned: its record is gone.")
    test_mode = fields.Boolean(help="Rendered and logged; nothing left the machine.")
    is_test = fields.Boolean("Test send", help="Sent by the 'Send a test' wizard.")
    mail_message_id = fields.Many2one("mail.message", index="btree_not_null", copy=False)

    # The dispatcher's claim reads only due rows in this order: its cost stays flat
    # however many future or finished messages the table holds. No full index on
    # state or next_attempt_at: each claim rewrites both, and every index costs.
    _due_idx = models.Index("(next_attempt_at, id) WHERE state = 'scheduled'")
    # Each tick first takes back expired leases: only the few rows being sent.
    _lease_idx = models.Index("(lease_until) WHERE state = 'sending'")
    # Hooks look up a record's messages on every relevant write.
    _record_idx = models.Index("(res_model, res_id)")
    _occurrence_unique = models.Constraint(
        "UNIQUE (rule_id, res_model, res_id, partner_id, channel, occurrence)",
        "A customer gets one message per rule, record, channel and occurrence.",
    )

    @api.model
    def _selection_record_ref(self):
        return self.env["appointment.notify.rule"]._selection_res_model()

    @api.depends("res_model", "res_id")
    def _compute_record_ref(self):
        models_ok = dict(self._selection_record_ref())
        for message in self:
            record = False
            if message.res_model in models_ok and message.res_id:
                found = self.env[message.res_model].browse(message.res_id).exists()
                record = found and "%s,%s" % (message.res_model, message.res_id)
            message.record_ref = record

    @api.depends("body", "channel")
    def _compute_body_html(self):
        for message in self:
            message.body_html = message.body if message.channel == "email" else False

    # ------------------------------------------------------------------
    # access: Notifications Users read the messages of the records they can
    # read (as with activities); Administrators all of their companies'.
    # ------------------------------------------------------------------

    def _reads_all_messages(self):
        return self.env.su or self.env.user.has_group("appointment_notify.group_notify_admin")

    @api.model
    def _ids_of_unreadable_records(self, rows):
        """The message ids among ``rows`` (id, res_model, res_id) whose record the
        user cannot read; a deleted record or an uninstalled model counts as such."""
        by_record = defaultdict(lambda: defaultdict(list))
        for message_id, res_model, res_id in rows:
            by_record[res_model][res_id].append(message_id)
        unreadable = []
        for res_model, ids_by_record in by_record.items():
            readable = set()
            if res_model in self.env:
                records = self.env[res_model].browse(ids_by_record).exists()
                readable = set(records._filtered_access("read").ids)
            for res_id, ids in ids_by_record.items():
                if res_id not in readable:
                    unreadable += ids
        return unreadable

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if operation != "read" or not self or self._reads_all_messages():
            return result
        allowed = self - result[0] if result else self
        rows = [(m.id, m.res_model, m.res_id) for m in allowed.sudo()]
        unreadable = self.browse(self._ids_of_unreadable_records(rows))
        if not unreadable:
            return result
        forbidden = (result[0] if result else self.browse()) | unreadable
        make_error = functools.partial(self.env["ir.rule"]._make_access_error, "read", forbidden)
        return forbidden, make_error

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        query = super()._search(domain, offset, limit, order, **kwargs)
        if kwargs.get("bypass_access") or self._reads_all_messages():
            return query
        # Filtered after the search, as mail.activity does: a page may hold
        # fewer rows than asked for, never a message of an unreadable record.
        rows = self.env.execute_query(
            query.select(
                *(self._field_to_sql(self._table, name) for name in ("id", "res_model", "res_id"))
            )
        )
        unreadable = set(self._ids_of_unreadable_records(rows))
        kept = self.browse(row[0] for row in rows if row[0] not in unreadable)
        return kept._as_query(ordered=bool(order))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        messages = super().create(vals_list)
        messages._wake_dispatcher()
        return messages

    def write(self, vals):
        res = super().write(vals)
        if vals.get("next_attempt_at") or vals.get("state") == "scheduled":
            self._wake_dispatcher()
        return res

    @api.model
    def _key(self, vals):
        return (
            vals["rule_id"],
            vals["res_model"],
            vals["res_id"],
            vals["partner_id"],
            vals["channel"],
            vals.get("occurrence") or "",
        )

    @api.model
    def _create_unique(self, vals_list):
        """Create what is not there yet; revive cancelled twins; never a duplicate.

        The unique constraint is the guarantee; this only keeps a hook that
        fires twice from raising in the user's transaction.
        """
        if not vals_list:
            return self.browse()
        wanted = {}
        for vals in vals_list:
            wanted.setdefault(self._key(vals), vals)
        existing = self.search(
            [
                ("rule_id", "in", list({k[0] for k in wanted})),
                ("res_id", "in", list({k[2] for k in wanted})),
                ("partner_id", "in", list({k[3] for k in wanted})),
            ]
        )
        result = self.browse()
        for message in existing:
            key = (
                message.rule_id.id,
                message.res_model,
                message.res_id,
                message.partner_id.id,
                message.channel,
                message.occurrence,
            )
            vals = wanted.pop(key, None)
            if vals and message.state == "cancelled" and vals["state"] == "scheduled":
                message.write({**vals, "attempts": 0, "reason": False, "lease_until": False})
                result |= message
        return result | self.create(list(wanted.values()))

    def _cancel_pending(self, records, partners=None, triggers=None, reason=None):
        """Cancel what is still to be sent about ``records``."""
        domain = [
            ("res_model", "=", records._name),
            ("res_id", "in", records.ids),
            ("state", "in", PENDING_STATES),
            ("prerendered", "=", False),
        ]
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        if triggers:
            domain.append(("trigger", "in", triggers))
        pending = self.search(domain)
        pending.write({"state": "cancelled", "reason": reason})
        return pending

    def _move_pending(self, record):
        """After a reschedule: move pending reminders and follow-ups, or cancel them."""
        pending = self.search(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("state", "in", PENDING_STATES),
                ("trigger", "in", ["reminder", "followup"]),
            ]
        )
        now = fields.Datetime.now()
        for message in pending:
            rule = message.rule_id
            vals = rule._schedule_values(record, now)
            twin = self.search_count(
                [
                    ("id", "!=", message.id),
                    ("rule_id", "=", rule.id),
                    ("res_model", "=", record._name),
                    ("res_id", "=", record.id),
                    ("partner_id", "=", message.partner_id.id),
                    ("channel", "=", message.channel),
                    ("occurrence", "=", vals.get("occurrence", "")),
                ]
            )
            if twin:
                vals = {
                    "state": "cancelled",
                    "reason": self.env._("Already planned for the new time."),
                }
            elif vals.get("state") == "skipped":
                vals["state"] = "cancelled"  # pointless now: cancelled, with why
            message.write(vals)

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------

    def action_retry(self):
        retry = self.filtered(lambda m: m.state in ("failed", "cancelled", "skipped"))
        if not self._reads_all_messages():
            # Notifications Users retry the messages of the records they may edit
            # (a receptionist, the appointments they book); the rest is for admins.
            retry._check_user_may_retry()
            retry = retry.sudo()
        retry.write(
            {
                "state": "scheduled",
                "next_attempt_at": fields.Datetime.now(),
                "attempts": 0,
                "reason": False,
                "lease_until": False,
            }
        )
        return True

    def _check_user_may_retry(self):
        if not self.env.user.has_group("appointment_notify.group_notify_user"):
            raise AccessError(self.env._("Only Notifications users may retry messages."))
        self.check_access("read")  # their records exist and the user reads them
        for res_model, res_ids in self.grouped("res_model").items():
            self.env[res_model].browse(res_ids.mapped("res_id")).check_access("write")

    def action_cancel(self):
        self.filtered(lambda m: m.state == "scheduled").write(
            {"state": "cancelled", "reason": self.env._("Cancelled by %s.", self.env.user.name)}
        )
        return True

    def action_open_record(self):
        self.ensure_one()
        if not self.record_ref:
            raise UserError(self.env._("The record of this message no longer exists."))
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # dispatcher
    # ------------------------------------------------------------------

    def _wake_dispatcher(self):
        pending = self.filtered(lambda m: m.state == "scheduled")
        if not pending:
            return
        cron = self.env.ref("appointment_notify.ir_cron_dispatch", raise_if_not_found=False)
        if cron:
            # One trigger per distinct minute: bookings in bulk create few rows.
            moments = {m.next_attempt_at.replace(second=0, microsecond=0) for m in pending}
            cron.sudo()._trigger(sorted(moments))

    @api.model
    def _get_param(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(f"appointment_notify.{key}")
        try:
            return int(value) if value else default
        except ValueError:
            return default

    @api.model
    def _claim_due(self, cr, limit, now, lease_minutes):
        """Take up to ``limit`` due messages for this worker, atomically.

        FOR UPDATE SKIP LOCKED lets concurrent workers take disjoint sets; the
        lease marks them as taken once committed.
        """
        cr.execute(
            SQL(
                """
                WITH due AS (
                    SELECT id FROM appointment_notify_message
                     WHERE state = 'scheduled' AND next_attempt_at <= %(now)s
                     ORDER BY next_attempt_at, id
                     LIMIT %(limit)s
                     FOR UPDATE SKIP LOCKED
                )
                UPDATE appointment_notify_message m
                   SET state = 'sending', attempts = m.attempts + 1,
                       lease_until = %(lease)s
                  FROM due WHERE m.id = due.id
             RETURNING m.id
                """,
                now=now,
                limit=limit,
                lease=now + timedelta(minutes=lease_minutes),
            )
        )
        return [row[0] for row in cr.fetchall()]

    @api.model
    def _recover_expired_leases(self, cr, now):
        """Messages a crashed worker held: due again (see docs/ARCHITECTURE.md)."""
        cr.execute(
            SQL(
                """
                UPDATE appointment_notify_message
                   SET state = 'scheduled', next_attempt_at = %(now)s, lease_until = NULL
                 WHERE state = 'sending' AND lease_until < %(now)s
             RETURNING id
                """,
                now=now,
            )
        )
        return len(cr.fetchall())

    @api.model
    def _release(self, cr, ids):
        """Hand claimed messages that were not tried back: due again, no attempt counted."""
        cr.execute(
            SQL(
                """
                UPDATE appointment_notify_message
                   SET state = 'scheduled', attempts = GREATEST(attempts - 1, 0),
                       lease_until = NULL
                 WHERE id IN %s AND state = 'sending'
                """,
                tuple(ids),
            )
        )

    @api.model
    def _count_due(self, cr, now):
        cr.execute(
            SQL(
                "SELECT COUNT(*) FROM appointment_notify_message"
                " WHERE state = 'scheduled' AND next_attempt_at <= %s",
                now,
            )
        )
        return cr.fetchone()[0]

    @api.model
    def _cron_dispatch(self, batch_size=None, max_batches=None):
        """Send what is due, batch after batch, committing outcomes as they come.

        Stops between pool-fulls once the cron's time is up (see ``_commit``),
        after one pool-full at least so that each run progresses: the messages
        it claimed but did not try are handed back and the cron runs again at
        once. Returns the number of messages processed (tests and
        benchmarks use it).
        """
        auto_commit = not modules.module.current_test
        batch_size = batch_size or self._get_param("batch_size", 100)
        lease_minutes = self._get_param("lease_minutes", 10)
        cr = self.env.cr
        processed = batches = 0
        out_of_time = False
        try:
            while max_batches is None or batches < max_batches:
                now = fields.Datetime.now()
                self.env.flush_all()
                # Also READ COMMITTED: a row another worker just committed as
                # 'sending' is re-checked and skipped, not a serialization error.
                if self._commit() <= 0 and batches:
                    out_of_time = True
                    break
                recovered = self._recover_expired_leases(cr, now)
                if recovered:
                    _logger.warning("appointment_notify: %s expired leases recovered", recovered)
                ids = self._claim_due(cr, batch_size, now, lease_minutes)
                self.invalidate_model()
                if not ids:
                    break
                self._commit()
                batches += 1
                untried = self.browse(ids)._process_batch()
                processed += len(ids) - len(untried)
                # Batches, not everything in memory: drop what this batch cached.
                self.env.invalidate_all()
                if untried:
                    self._release(cr, untried.ids)
                    out_of_time = True
                    break
        except Exception:
            if not auto_commit:
                raise
            # E.g. a database conflict: what this run had claimed comes back when
            # its lease ends; the wake-up below must still be planned.
            _logger.exception("appointment_notify: dispatcher run stopped")
            cr.rollback()
            self.env.invalidate_all()
        if out_of_time:
            remaining = self._count_due(cr, fields.Datetime.now())
            _logger.info(
                "appointment_notify: the cron's time is up, %s messages left for its next run",
                remaining,
            )
            # 'partially done' for Odoo: it runs the cron again as soon as it can.
            self._commit(remaining=remaining)
        self._schedule_next_wakeup()
        return processed

    @api.model
    def _commit(self, processed=0, remaining=None):
        """Commit, reporting progress to the cron; return the seconds left to its run.

        Odoo's cron worker gives each run a time budget (``cron_end_time``);
        ``ir.cron._commit_progress`` says what is left of it. Under the test
        runner nothing is committed and the same budget is read from the context.
        """
        if modules.module.current_test:
            end = self.env.context.get("cron_end_time", math.inf)
            return max(end - time.monotonic(), 0)
        time_left = self.env["ir.cron"]._commit_progress(processed, remaining=remaining)
        # The dispatcher's rows are its own (claimed, locked while on the wire):
        # READ COMMITTED keeps a stray concurrent write from aborting a batch.
        self.env.cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        return time_left

    @api.model
    def _schedule_next_wakeup(self):
        self.env.cr.execute(
            "SELECT MIN(next_attempt_at) FROM appointment_notify_message WHERE state = 'scheduled'"
        )
        nxt = self.env.cr.fetchone()[0]
        lease = self.search([("state", "=", "sending")], order="lease_until", limit=1)
        moments = [m for m in (nxt, lease.lease_until) if m]
        cron = self.env.ref("appointment_notify.ir_cron_dispatch", raise_if_not_found=False)
        if moments and cron:
            cron.sudo()._trigger(min(moments))

    def _process_batch(self):
        """Prepare each message, transmit the ready ones in parallel, store outcomes.

        Work goes a pool-full (``parallel_sends`` messages) at a time, and each
        pool-full's outcomes are committed before the next one leaves, so a
        crash can repeat at most ``parallel_sends`` messages. Rendering and
        checks use the ORM and run one by one; e-mail is queued right there (in
        the same transaction as its outcome, so exactly once). Channels that
        define ``_transmit_<channel>()`` hand back a plain callable doing only
        network I/O; those go out in a thread pool while the next pool-full is
        being prepared.

        A transmission may have to wait for its sender's throttle (its
        ``not_before``): the rows on the wire stay locked until their outcome is
        committed, so a transmission due later first lets what is ready go and
        its outcome be committed, then waits with no row locked. Status
        callbacks never wait for a throttle.

        Returns the messages left untried because the cron's time is up.
        """
        messages = self._with_known_records()
        workers = max(1, self._get_param("parallel_sends", 16))
        sent_out, ready, done = [], [], []
        finished = set()
        time_left = [math.inf]

        def send(pool):
            if not ready or time_left[0] <= 0:
                return
            # Hold the rows until their outcome is committed: a provider's
            # status callback for one of them waits for it instead of racing it.
            ids = tuple(message.id for message, _transmit in ready)
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM appointment_notify_message WHERE id IN %s FOR NO KEY UPDATE",
                    ids,
                )
            )
            sent_out.extend((m, pool.submit(_call, t)) for m, t in ready)
            ready.clear()

        def settle():
            for message, future in sent_out:
                message._finish(future.result())
                done.append(message.id)
            sent_out.clear()
            if not done:
                return
            messages.browse(done)._log_outcomes()
            time_left[0] = self._commit(processed=len(done))
            finished.update(done)
            done.clear()

        with ThreadPoolExecutor(max_workers=workers) as pool:
            prepared = 0
            for message in messages:
                transmit = message._prepare()
                prepared += 1
                if not transmit:
                    done.append(message.id)
                else:
                    wait = getattr(transmit, "not_before", 0) - time.monotonic()
                    if wait > MAX_LOCKED_WAIT:
                        # Its sender's throttle: what is ready goes now and its
                        # outcome is committed; then wait, holding no row locked.
                        settle()
                        send(pool)
                        settle()
                        if time_left[0] <= 0:
                            break
                        time.sleep(max(transmit.not_before - time.monotonic(), 0))
                        prepared = 1
                    ready.append((message, transmit))
                if prepared >= workers:
                    prepared = 0
                    settle()
                    send(pool)
                    if time_left[0] <= 0:
                        break
            settle()
            send(pool)
            settle()
        return messages.browse([m.id for m in messages if m.id not in finished])

    def _log_outcomes(self):
        self.filtered(lambda m: m.state in ("sent", "failed"))._log_in_chatter()

    def _prepare(self):
        """Check and render one claimed message; send it unless its channel
        transmits in parallel, in which case return the transmission callable."""
        self.ensure_one()
        now = fields.Datetime.now()
        max_attempts = self._get_param("max_attempts", 5)
        if self.attempts > max_attempts:
            # Its earlier attempts never ended (their worker died, the lease
            # expired): it may be what kills them. Not again.
            self.write(
                {
                    "state": "failed",
                    "attempts": max_attempts,
                    "lease_until": False,
                    "reason": self.env._("Gave up after %s attempts.", max_attempts),
                }
            )
            return None
        try:
            # One message's database error (a template's query, a constraint)
            # rolls back this message's work only, not its pool-full's.
            with self.env.cr.savepoint():
                return self._prepare_in_savepoint(now)
        except NotifySendError as exc:
            self._handle_send_error(exc, now)
        except Exception as exc:
            _logger.warning("appointment_notify: message %s failed", self.id, exc_info=True)
            self._handle_send_error(NotifySendError(str(exc)), now)
        return None

    def _prepare_in_savepoint(self, now):
        self._check_still_wanted(now)
        if not self.prerendered:
            self._render()
        self._check_consent_and_destination()
        if self._is_test_mode():
            self.write(
                {
                    "state": "sent",
                    "test_mode": True,
                    "lease_until": False,
                    "reason": self.env._("Test mode: nothing left the machine."),
                }
            )
            return None
        transmit = getattr(self, f"_transmit_{self.channel}", None)
        if transmit:
            return transmit()
        provider_ref = getattr(self, f"_send_{self.channel}")()
        self._record_sent(provider_ref)
        return None

    def _finish(self, result):
        """Store the outcome of a parallel transmission (its result or exception)."""
        now = fields.Datetime.now()
        try:
            # Interpreting the answer writes nothing: no savepoint needed.
            provider_ref = getattr(self, f"_finish_{self.channel}")(result)
            self._record_sent(provider_ref)
        except NotifySendError as exc:
            self._handle_send_error(exc, now)
        except Exception as exc:
            _logger.warning("appointment_notify: message %s failed", self.id, exc_info=True)
            self._handle_send_error(NotifySendError(str(exc)), now)

    def _record_sent(self, provider_ref):
        self.write(
            {
                "state": "sent",
                "provider_ref": provider_ref or False,
                "lease_until": False,
                "reason": False,
            }
        )

    def _handle_send_error(self, exc, now):
        if exc.skip:
            self.write({"state": "skipped", "reason": exc.reason, "lease_until": False})
            return
        max_attempts = self._get_param("max_attempts", 5)
        base = self._get_param("retry_delay_minutes", 5)
        retry_at = now + timedelta(minutes=base * 2 ** (self.attempts - 1))
        in_time = not self.deadline_at or retry_at < self.deadline_at
        if exc.retry and self.attempts < max_attempts and in_time:
            self.write(
                {
                    "state": "scheduled",
                    "next_attempt_at": retry_at,
                    "lease_until": False,
                    "reason": self.env._(
                        "Attempt %(n)s failed, retrying at %(at)s UTC: %(reason)s",
                        n=self.attempts,
                        at=fields.Datetime.to_string(retry_at),
                        reason=exc.reason,
                    ),
                }
            )
            return
        self.write({"state": "failed", "reason": exc.reason, "lease_until": False})

    def _check_still_wanted(self, now):
        record = self._get_record()
        if self.prerendered:
            return
        if not record:
            raise NotifySendError(self.env._("The record no longer exists."), skip=True)
        if self.deadline_at and now >= self.deadline_at:
            raise NotifySendError(
                self.env._("Too late: the appointment has already started."), skip=True
            )
        rule = self.rule_id
        if self.trigger == "reminder" and rule and self.attempts <= 1:
            late = now - self.next_attempt_at
            if late > timedelta(minutes=rule.late_grace_minutes):
                raise NotifySendError(
                    self.env._(
                        "Too late: the reminder was due at %s UTC.",
                        fields.Datetime.to_string(self.next_attempt_at),
                    ),
                    skip=True,
                )
        if rule and not self.is_test and not rule._matches(record):
            raise NotifySendError(
                self.env._("The record is no longer inside the rule's domain."), skip=True
            )

    def _with_known_records(self):
        """Check once which records of the batch exist; prefetch them together."""
        by_model = {}
        for message in self:
            if message.res_model in self.env:
                by_model.setdefault(message.res_model, set()).add(message.res_id)
        known = tuple(
            (model, tuple(self.env[model].browse(ids).exists().ids))
            for model, ids in by_model.items()
        )
        return self.with_context(appointment_notify_records=known)

    def _get_record(self):
        if self.res_model not in self.env:
            return None
        Model = self.env[self.res_model]
        known = dict(self.env.context.get("appointment_notify_records") or ())
        if self.res_model in known:
            ids = known[self.res_model]
            return Model.browse(self.res_id if self.res_id in ids else ()).with_prefetch(ids)
        return Model.browse(self.res_id).exists()

    def _is_test_mode(self):
        return self.company_id.notify_test_mode

    def _check_consent_and_destination(self):
        """Consent and contact data are checked when sending, not when planning."""
        partner = self.partner_id
        if not self.is_test:
            reason = partner._notify_consent_missing(
                self.channel, self.rule_id.non_service, self.company_id
            )
            if reason:
                raise NotifySendError(reason, skip=True)
        destination = self.destination if self.is_test else None
        destination = destination or self._get_destination()
        self.destination = destination

    def _get_destination(self):
        """The customer's address on this channel; channels override it."""
        if self.channel == "email":
            if not self.partner_id.email_normalized:
                raise NotifySendError(
                    self.env._(
                        "%(customer)s has no valid e-mail address (stored: '%(email)s').",
                        customer=self.partner_id.display_name,
                        email=self.partner_id.email or "",
                    ),
                )
            return self.partner_id.email_normalized
        raise NotifySendError(self.env._("Unknown channel %s.", self.channel))

    def _render(self):
        """Render subject and body for the customer, in their language and time zone."""
        getattr(self, f"_render_{self.channel}")()

    def _prerender(self):
        for message in self.filtered(lambda m: m.state == "scheduled"):
            try:
                message._render()
                message.prerendered = True
            except Exception as exc:  # noqa: BLE001 (a broken template must not block unlink)
                message.write({"state": "failed", "reason": str(exc)})

    def _render_lang(self):
        partner = self.partner_id
        return partner.lang or self.company_id.partner_id.lang or "en_US"

    def _render_template(self, template, fields_options):
        """Render ``template``'s fields for this message's record and customer.

        In the customer's language and time zone, with the variables of
        ``_notify_render_context()``. ``fields_options``: {field: render options}.
        Returns ({field: text}, render context); a failure names the template.
        """
        record = self._get_record()
        lang = self._render_lang()
        ctx = record._notify_render_context(self.partner_id)
        template = template.with_context(lang=lang, tz=ctx["customer_tz"])
        try:
            rendered = {
                field: template._render_field(
                    field, record.ids, set_lang=lang, add_context=ctx, options=options
                )[record.id]
                for field, options in fields_options.items()
            }
        except Exception as exc:
            raise NotifySendError(
                self.env._(
                    "The template %(template)s failed to render: %(error)s",
                    template=template.display_name,
                    error=exc,
                )
            ) from exc
        return rendered, ctx

    def _render_email(self):
        template = self.rule_id.mail_template_id
        if not template:
            raise NotifySendError(self.env._("The rule has no e-mail template."))
        rendered, ctx = self._render_template(
            template, {"subject": None, "body_html": {"post_process": True}}
        )
        body = rendered["body_html"]
        if ctx.get("note"):
            body = Markup("%s<p>%s</p>") % (Markup(body), escape(ctx["note"]))
        self.write({"subject": rendered["subject"], "body": str(body)})

    def _send_email(self):
        """Queue the e-mail in Odoo's outgoing mail queue; log it in the chatter."""
        record = self._get_record()
        company = self.company_id
        email_from = company.email_formatted or self.env.user.email_formatted
        if record and hasattr(record, "message_post") and not self.is_test:
            attachments = record._notify_attachments(self.partner_id, self.trigger)
            message = record.with_context(mail_notify_force_send=False).message_post(
                attachments=attachments,
                body=Markup(self.body or ""),
                subject=self.subject,
                partner_ids=self.partner_id.ids,
                subtype_xmlid="mail.mt_note",
                message_type="comment",
                email_from=email_from,
                author_id=company.partner_id.id,
                email_layout_xmlid="mail.mail_notification_light",
                notify_skip_followers=True,
            )
            self.mail_message_id = message
            mail_ref = message.message_id
        else:
            mail = (
                self.env["mail.mail"]
                .sudo()
                .create(
                    {
                        "subject": self.subject,
                        "body_html": self.body,
                        "email_to": self.destination,
                        "email_from": email_from,
                        "auto_delete": False,
                    }
                )
            )
            mail_ref = mail.message_id
        self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger()
        return mail_ref

    def _log_in_chatter(self):
        """Notes on the records, notifying no one (followers are not spammed).

        Works on a batch: one insert per record model instead of one per message.
        """
        bodies = {}
        author = self.company_id[:1].partner_id or self.env.company.partner_id
        for message in self:
            record = message._get_record()
            if not record or not hasattr(record, "_message_log") or message.mail_message_id:
                continue
            bodies.setdefault(record._name, []).append((record.id, message._chatter_body()))
        for model, entries in bodies.items():
            # _message_log_batch takes one body per record: split repeated records.
            while entries:
                batch, rest, seen = {}, [], set()
                for res_id, body in entries:
                    if res_id in seen:
                        rest.append((res_id, body))
                    else:
                        seen.add(res_id)
                        batch[res_id] = body
                self.env[model].sudo().browse(list(batch))._message_log_batch(
                    bodies=batch, author_id=author.id
                )
                entries = rest

    def _chatter_body(self):
        channel = dict(self._fields["channel"].selection).get(self.channel, self.channel)
        if self.test_mode:
            head = self.env._(
                "Test mode: %(channel)s to %(to)s not sent", channel=channel, to=self.destination
            )
        elif self.state == "failed":
            head = self.env._(
                "%(channel)s to %(to)s failed: %(reason)s",
                channel=channel,
                to=self.destination or self.partner_id.display_name,
                reason=self.reason,
            )
        else:
            head = self.env._("%(channel)s sent to %(to)s", channel=channel, to=self.destination)
        text = html2plaintext(self.body or "") if self.channel == "email" else (self.body or "")
        if not self.body:
            return Markup("<p>%s</p>") % head
        return Markup("<p>%s</p><p>%s</p>") % (head, text[:1000])
