from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools.safe_eval import safe_eval

TRIGGERS = [
    ("booked", "Booked (created)"),
    ("awaiting", "Awaiting confirmation"),
    ("confirmed", "Confirmed"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
    ("rescheduled", "Rescheduled"),
    ("status_changed", "Status changed"),
    ("status_set", "Status changed to..."),
    ("reminder", "Reminder before start"),
    ("followup", "Follow-up after end"),
]
UNITS = {"minutes": 1, "hours": 60, "days": 1440}


class AppointmentNotifyRule(models.Model):
    _name = "appointment.notify.rule"
    _description = "Customer notification rule"
    _order = "res_model, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    res_model = fields.Selection(
        selection="_selection_res_model",
        string="Applies to",
        required=True,
        default="calendar.event",
    )
    trigger = fields.Selection(TRIGGERS, required=True, default="confirmed")
    status_value = fields.Selection(
        selection="_selection_status_value",
        string="Status",
        help="For 'Status changed to...': the status that sends this message.",
    )
    channel = fields.Selection([("email", "E-mail")], required=True, default="email")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail template",
        domain="[('model', '=', res_model)]",
        ondelete="restrict",
    )
    offset_amount = fields.Integer(
        string="Offset",
        help="Reminders: how long before the start. Follow-ups: how long after the "
        "end. Other triggers: how long to wait before sending (0: at once).",
    )
    offset_unit = fields.Selection(
        [("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days")],
        required=True,
        default="hours",
    )
    working_hours_only = fields.Boolean(
        help="Outside working hours the message waits for the next working moment; "
        "a reminder never waits past its appointment.",
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working hours",
        check_company=True,
        help="Defaults to the working hours set in Settings > Notifications.",
    )
    late_grace_minutes = fields.Integer(
        string="Too late after (minutes)",
        default=60,
        help="A reminder whose time passed longer ago than this is skipped: a booking "
        "made 2 hours ahead gets no 24-hour reminder, and a dispatcher that ran late "
        "sends nothing stale. A reminder is never sent once its appointment started.",
    )
    filter_domain = fields.Char(
        string="Only for records",
        help="Optional domain: e.g. only appointments of one type.",
    )
    non_service = fields.Boolean(
        string="Non-service message",
        compute="_compute_non_service",
        store=True,
        readonly=False,
        help="Review requests and anything not about the booking itself: sent only "
        "to customers who accepted such messages.",
    )
    message_ids = fields.One2many("appointment.notify.message", "rule_id")
    # Rules of the quick setup: which of its messages this is, and a fingerprint of
    # what it wrote, so a rerun updates them and leaves hand-edited ones alone.
    quick_setup_key = fields.Char(copy=False, readonly=True, index="btree_not_null")
    quick_setup_fingerprint = fields.Char(copy=False, readonly=True)
    message_count = fields.Integer(compute="_compute_message_count")

    _offset_positive = models.Constraint(
        "CHECK (offset_amount >= 0 AND late_grace_minutes >= 0)",
        "Offsets and the 'too late' margin cannot be negative.",
    )
    _quick_setup_key_unique = models.Constraint(
        "UNIQUE (company_id, quick_setup_key)",
        "The quick setup keeps one rule per message and company.",
    )

    @api.depends("trigger")
    def _compute_non_service(self):
        for rule in self:
            rule.non_service = rule.trigger == "followup"

    def _compute_message_count(self):
        counts = dict(
            self.env["appointment.notify.message"]._read_group(
                [("rule_id", "in", self.ids)], ["rule_id"], ["__count"]
            )
        )
        for rule in self:
            rule.message_count = counts.get(rule, 0)

    @api.model
    def _selection_res_model(self):
        """The models rules can watch; addons append theirs (one overridable registry)."""
        return [("calendar.event", self.env._("Appointment"))]

    @api.model
    def _selection_status_value(self):
        values = {}
        for model, _label in self._selection_res_model():
            for value, label in self.env[model]._notify_status_selection():
                values.setdefault(value, label)
        return list(values.items())

    @api.constrains("trigger", "status_value", "res_model")
    def _check_status_value(self):
        for rule in self.filtered(lambda r: r.trigger == "status_set"):
            allowed = dict(self.env[rule.res_model]._notify_status_selection())
            if rule.status_value not in allowed:
                raise ValidationError(
                    self.env._(
                        "Rule '%(rule)s': choose a status of %(model)s to send on.",
                        rule=rule.name,
                        model=rule.res_model,
                    )
                )

    @api.constrains("channel", "mail_template_id", "res_model")
    def _check_template(self):
        for rule in self.filtered(lambda r: r.channel == "email"):
            template = rule.mail_template_id
            if not template or template.model != rule.res_model:
                raise ValidationError(
                    self.env._(
                        "Rule '%s' sends e-mail: give it an e-mail template of the same model.",
                        rule.name,
                    )
                )

    @api.constrains("filter_domain", "res_model")
    def _check_filter_domain(self):
        # Constraints run as sudo: search with the rights of the user saving, as
        # _matches() will (fields they may not read are refused here).
        env = self.env(su=False)
        for rule in self.filtered("filter_domain"):
            try:
                env[rule.res_model].search_count(rule._get_domain(), limit=1)
            except Exception as exc:
                raise ValidationError(
                    self.env._(
                        "Rule '%(rule)s' has an invalid domain: %(error)s",
                        rule=rule.name,
                        error=exc,
                    )
                ) from exc

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if "name" not in (default or {}):
            for rule, vals in zip(self, vals_list, strict=True):
                vals["name"] = self.env._("%s (copy)", rule.name)
        return vals_list

    def unlink(self):
        self.env["appointment.notify.message"].sudo().search(
            [("rule_id", "in", self.ids), ("state", "=", "scheduled")]
        ).write({"state": "cancelled", "reason": self.env._("Its rule was deleted.")})
        return super().unlink()

    def write(self, vals):
        res = super().write(vals)
        if vals.get("active") is False:
            self.env["appointment.notify.message"].sudo().search(
                [("rule_id", "in", self.ids), ("state", "=", "scheduled")]
            ).write({"state": "cancelled", "reason": self.env._("Its rule was archived.")})
        return res

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------

    def action_view_messages(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "appointment_notify.appointment_notify_message_action"
        )
        action["domain"] = [("rule_id", "in", self.ids)]
        action["context"] = {}
        return action

    def action_send_test(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send a test"),
            "res_model": "appointment.notify.rule.test",
            "view_mode": "form",
            "target": "new",
            "context": {"default_rule_id": self.id},
        }

    # ------------------------------------------------------------------
    # planning helpers (called by the source models' hooks)
    # ------------------------------------------------------------------

    def _get_domain(self, user=None):
        # Only ``uid`` is given to the expression: it reaches no record or env.
        self.ensure_one()
        if not self.filter_domain:
            return []
        return safe_eval(self.filter_domain, {"uid": (user or self.env.user).id})

    def _matches(self, record):
        """Whether the record falls inside the rule's domain (a broken one: no).

        Planning and the dispatcher run as superuser, but a person typed the
        domain: it is searched with the rights of whoever saved the rule last
        (``write_uid``), in the rule's company and that user's others. Fields and
        records they may not read match nothing: the domain cannot probe beyond.
        """
        if not self.filter_domain:
            return True
        author = self.sudo().write_uid
        if not author:
            return False
        # The rule's company first, then the others its author may see.
        companies = self.company_id | author.company_ids
        try:
            model = (
                self.env[record._name]
                .with_user(author)
                .with_context(allowed_company_ids=companies.ids, active_test=False)
            )
            domain = Domain("id", "=", record.id) & Domain(self._get_domain(author))
            # A savepoint: a domain that fails in SQL must not abort the transaction.
            with self.env.cr.savepoint():
                return bool(model.search(domain, limit=1))
        except Exception:  # noqa: BLE001 (a broken or forbidden domain matches nothing)
            return False

    def _offset(self):
        return timedelta(minutes=self.offset_amount * UNITS[self.offset_unit])

    def _get_calendar(self):
        return self.resource_calendar_id or self.company_id._notify_calendar()

    def _next_working_moment(self, when):
        """``when`` (naive UTC) or the next moment the working hours allow."""
        calendar = self._get_calendar()
        if not self.working_hours_only or not calendar:
            return when
        tz = pytz.timezone(calendar.tz or "UTC")
        local = pytz.utc.localize(when).astimezone(tz)
        moved = calendar.plan_hours(0, local, compute_leaves=True)
        if not moved:
            return when
        return moved.astimezone(pytz.utc).replace(tzinfo=None)

    def _prepare_message_values(self, record, partner):
        """Values of the message this rule plans for one customer of one record.

        None when there is nothing to plan yet: a reminder without a start, a
        follow-up without an end (a repair not done yet). Planned when it appears.
        """
        self.ensure_one()
        if self.trigger == "reminder" and not record._notify_start():
            return None
        if self.trigger == "followup" and not record._notify_end():
            return None
        now = fields.Datetime.now()
        vals = {
            "rule_id": self.id,
            "company_id": self.company_id.id,
            "res_model": record._name,
            "res_id": record.id,
            "record_name": record.display_name,
            "partner_id": partner.id,
            "channel": self.channel,
            "trigger": self.trigger,
            "occurrence": "",
            "state": "scheduled",
        }
        vals.update(self._schedule_values(record, now))
        if self.trigger == "rescheduled":
            vals["occurrence"] = "%s|%s" % (record._notify_start(), record._notify_end())
        elif self.trigger == "status_changed":
            vals["occurrence"] = str(record._notify_status())
        return vals

    def _schedule_values(self, record, now):
        """scheduled_at, next_attempt_at, deadline_at, occurrence and too-late skips."""
        trigger = self.trigger
        if trigger == "reminder":
            start = record._notify_start()
            if not start:
                return {
                    "state": "skipped",
                    "scheduled_at": now,
                    "next_attempt_at": now,
                    "reason": self.env._("The record has no start time."),
                }
            ideal = start - self._offset()
            vals = {"occurrence": fields.Datetime.to_string(start), "deadline_at": start}
            if start <= now:
                reason = self.env._("Too late: the appointment has already started.")
                return {
                    **vals,
                    "state": "skipped",
                    "scheduled_at": ideal,
                    "next_attempt_at": ideal,
                    "reason": reason,
                }
            if ideal < now - timedelta(minutes=self.late_grace_minutes):
                reason = self.env._(
                    "Too late: the reminder was due at %s UTC, before the booking was made "
                    "or moved.",
                    fields.Datetime.to_string(ideal),
                )
                return {
                    **vals,
                    "state": "skipped",
                    "scheduled_at": ideal,
                    "next_attempt_at": ideal,
                    "reason": reason,
                }
            when = self._next_working_moment(max(ideal, now))
            if when >= start:
                # Working hours yield: the customer must be reminded before the visit.
                when = max(ideal, now)
            return {**vals, "scheduled_at": when, "next_attempt_at": when}
        if trigger == "followup":
            end = record._notify_end()
            if not end:
                return {
                    "state": "skipped",
                    "scheduled_at": now,
                    "next_attempt_at": now,
                    "reason": self.env._("The record has no end time."),
                }
            when = self._next_working_moment(max(end + self._offset(), now))
            return {
                "occurrence": fields.Datetime.to_string(end),
                "scheduled_at": when,
                "next_attempt_at": when,
            }
        when = self._next_working_moment(now + self._offset())
        return {"scheduled_at": when, "next_attempt_at": when}
