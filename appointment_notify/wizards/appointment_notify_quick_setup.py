import hashlib
import json

from odoo import api, fields, models
from odoo.exceptions import UserError

REMINDER_HOURS = (1, 3, 12, 24)
# What the fingerprint covers: what decides when, how and to whom a rule sends,
# and its name (in every language, see _fingerprint).
FINGERPRINT_FIELDS = (
    "active",
    "res_model",
    "trigger",
    "status_value",
    "channel",
    "mail_template_id",
    "sms_template_id",
    "whatsapp_template_ids",
    "fallback_channel",
    "offset_amount",
    "offset_unit",
    "working_hours_only",
    "resource_calendar_id",
    "late_grace_minutes",
    "filter_domain",
    "non_service",
)


class AppointmentNotifyQuickSetup(models.TransientModel):
    """A whole rule set from a few choices, as simple as the booking apps'.

    Each message it manages is one rule marked with a ``quick_setup_key``; a rerun
    updates those rules (or archives the ones no longer wanted) unless someone
    edited them by hand since, which their fingerprint tells.
    """

    _name = "appointment.notify.quick.setup"
    _description = "Notifications quick setup"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    state = fields.Selection([("choose", "Choose"), ("done", "Done")], default="choose")
    channel = fields.Selection(
        selection="_selection_channel",
        required=True,
        default="email",
        help="The one channel customers hear from you on.",
    )
    fallback = fields.Selection(
        [
            ("none", "No fallback"),
            ("sms", "SMS"),
            ("email", "E-mail"),
            ("sms_email", "SMS, else e-mail"),
        ],
        string="When WhatsApp cannot deliver",
        default="email",
        required=True,
        help="A customer without WhatsApp gets the message once on this channel instead. "
        "'SMS, else e-mail' uses e-mail when SMS cannot be sent (no sender, no consent).",
    )
    send_awaiting = fields.Boolean(string="Awaiting confirmation", default=True)
    send_confirmed = fields.Boolean(
        string="Confirmed",
        default=True,
        help="Sent on booking too when appointments need no manual confirmation.",
    )
    send_rejected = fields.Boolean(string="Rejected", default=True)
    send_cancelled = fields.Boolean(string="Cancelled", default=True)
    send_rescheduled = fields.Boolean(string="New time", default=True)
    reminder_1h = fields.Boolean(string="1 hour before")
    reminder_3h = fields.Boolean(string="3 hours before")
    reminder_12h = fields.Boolean(string="12 hours before")
    reminder_24h = fields.Boolean(string="24 hours before", default=True)
    review_request = fields.Boolean(
        string="Ask for a review",
        help="Asks for a review after the visit, in working hours; only customers who "
        "accepted marketing messages get it.",
    )
    review_delay_hours = fields.Integer(string="Hours after the visit", default=1)
    rule_ids = fields.Many2many(
        "appointment.notify.rule", string="Rules of the quick setup", readonly=True
    )
    warning = fields.Text(readonly=True)

    @api.model
    def _selection_channel(self):
        """The channels whose addon is installed, in the order of their fallback."""
        installed = dict(self.env["appointment.notify.rule"]._fields["channel"].selection)
        order = ["whatsapp", "sms", "email"]
        return [(c, installed[c]) for c in order if c in installed]

    @api.model
    def default_get(self, fields_list):
        """Start from the current quick setup of the company, if there is one."""
        res = super().default_get(fields_list)
        existing = self._existing_rules(self.env.company)
        active = existing.filtered("active")
        if not active:
            return res
        first = active[0]
        if "channel" in fields_list:
            res["channel"] = first.channel
        if "fallback" in fields_list and first.channel == "whatsapp":
            fallback = first.fallback_channel or "none"
            if fallback == "sms" and first.mail_template_id:
                fallback = "sms_email"
            res["fallback"] = fallback
        # A choice the quick setup made before shows as it left it; one it never
        # made (a message an addon added since) keeps its own default.
        keys = set(active.mapped("quick_setup_key"))
        specs = self._quick_setup_specs()
        known = {s["field"] for s in specs if s["key"] in existing.mapped("quick_setup_key")}
        chosen = {s["field"] for s in specs if s["key"] in keys}
        for field in known & set(fields_list):
            res[field] = field in chosen
        followup = active.filtered(lambda r: r.quick_setup_key == "calendar.event:followup")
        if followup and "review_delay_hours" in fields_list:
            res["review_delay_hours"] = followup.offset_amount
        return res

    # ------------------------------------------------------------------
    # what the quick setup manages
    # ------------------------------------------------------------------

    def _quick_setup_specs(self):
        """The rules the quick setup manages: one dict per message.

        ``key`` marks the rule; ``field`` is the wizard's choice that turns it on;
        ``values`` are the rule's values; ``templates`` the default templates
        (xmlids) per channel. Addons append theirs (the repair addon does).
        """
        _ = self.env._
        specs = []
        for trigger, name in (
            ("awaiting", _("Awaiting confirmation")),
            ("confirmed", _("Booking confirmed")),
            ("rejected", _("Booking rejected")),
            ("cancelled", _("Booking cancelled")),
            ("rescheduled", _("New time")),
        ):
            specs.append(
                self._spec(
                    "calendar.event",
                    trigger,
                    f"send_{trigger}",
                    name,
                    template=f"event_{trigger}",
                    module="appointment_notify",
                )
            )
        for hours in REMINDER_HOURS:
            specs.append(
                self._spec(
                    "calendar.event",
                    "reminder",
                    f"reminder_{hours}h",
                    _("Reminder %s h before", hours),
                    template="event_reminder",
                    module="appointment_notify",
                    key=f"calendar.event:reminder:{hours}h",
                    values={"offset_amount": hours, "offset_unit": "hours"},
                )
            )
        specs.append(
            self._spec(
                "calendar.event",
                "followup",
                "review_request",
                _("Review request"),
                template="event_followup",
                module="appointment_notify",
                values={
                    "offset_amount": max(self.review_delay_hours, 0),
                    "offset_unit": "hours",
                    "working_hours_only": True,
                    "non_service": True,
                },
            )
        )
        return specs

    @api.model
    def _spec(self, res_model, trigger, field, name, template, module, key=None, values=None):
        """One message of the quick setup; ``template`` is the xmlid suffix shared by
        the default e-mail and SMS templates (``mail_template_<template>``)."""
        sms_module = "appointment_notify_sms" if module == "appointment_notify" else f"{module}_sms"
        return {
            "key": key or f"{res_model}:{trigger}",
            "field": field,
            "name": name,
            "values": {
                "res_model": res_model,
                "trigger": trigger,
                "offset_amount": 0,
                "offset_unit": "hours",
                "working_hours_only": False,
                "non_service": False,
                **(values or {}),
            },
            "mail_template": f"{module}.mail_template_{template}",
            "sms_template": f"{sms_module}.sms_template_{template}",
        }

    @api.model
    def _existing_rules(self, company):
        return (
            self.env["appointment.notify.rule"]
            .with_context(active_test=False)
            .search([("company_id", "=", company.id), ("quick_setup_key", "!=", False)])
        )

    # ------------------------------------------------------------------
    # rule values and fingerprints
    # ------------------------------------------------------------------

    def _rule_values(self, spec):
        """The values of the rule of ``spec`` on the chosen channel."""
        Rule = self.env["appointment.notify.rule"]
        channel = self.channel
        vals = {
            "active": True,
            "status_value": False,
            "channel": channel,
            "resource_calendar_id": False,
            "late_grace_minutes": 60,
            "filter_domain": False,
            "company_id": self.company_id.id,
            **spec["values"],
        }
        mail = self.env.ref(spec["mail_template"], raise_if_not_found=False)
        sms = self.env.ref(spec["sms_template"], raise_if_not_found=False)
        wants_mail = channel == "email" or (
            channel == "whatsapp" and self.fallback in ("email", "sms_email")
        )
        wants_sms = channel == "sms" or (
            channel == "whatsapp" and self.fallback in ("sms", "sms_email")
        )
        vals["mail_template_id"] = mail.id if mail and wants_mail else False
        if "sms_template_id" in Rule._fields:
            vals["sms_template_id"] = sms.id if sms and wants_sms else False
        if "fallback_channel" in Rule._fields:
            fallback = {"none": False, "sms_email": "sms"}.get(self.fallback, self.fallback)
            vals["fallback_channel"] = fallback if channel == "whatsapp" else False
        if "whatsapp_template_ids" in Rule._fields:
            templates = self.env["appointment.notify.whatsapp.template"]
            if channel == "whatsapp":
                templates = Rule.new(vals)._whatsapp_default_templates()
            vals["whatsapp_template_ids"] = [fields.Command.set(templates.ids)]
        missing = (
            (wants_mail and not mail)
            or (wants_sms and not sms)
            or (channel == "whatsapp" and not vals["whatsapp_template_ids"][0][2])
        )
        return None if missing else vals

    @api.model
    def _fingerprint(self, rule):
        """A short hash of what decides the rule's sending, and of its name."""
        rule.flush_recordset(["name"])
        # The stored translations: a rename in any language is an edit.
        self.env.cr.execute("SELECT name FROM appointment_notify_rule WHERE id = %s", [rule.id])
        values = {"name": self.env.cr.fetchone()[0]}
        for name in FINGERPRINT_FIELDS:
            if name not in rule._fields:
                continue
            value = rule[name]
            if isinstance(value, models.BaseModel):
                value = sorted(value.ids)
            values[name] = value or False
        data = json.dumps(values, sort_keys=True, default=str)
        return hashlib.sha256(data.encode()).hexdigest()[:20]

    # ------------------------------------------------------------------
    # action
    # ------------------------------------------------------------------

    def action_apply(self):
        """Create or update the rules of the quick setup; show them and what was kept."""
        self.ensure_one()
        if self.channel not in dict(self._selection_channel()):
            raise UserError(self.env._("This channel is not installed."))
        Rule = self.env["appointment.notify.rule"]
        existing = {r.quick_setup_key: r for r in self._existing_rules(self.company_id)}
        kept, missing, rules = Rule, [], Rule
        for spec in self._quick_setup_specs():
            rule = existing.get(spec["key"], Rule)
            if rule and rule.quick_setup_fingerprint != self._fingerprint(rule):
                kept |= rule  # edited by hand since: not ours to change any more
                continue
            wanted = bool(self[spec["field"]])
            vals = self._rule_values(spec) if wanted else None
            if wanted and vals is None:
                missing.append(spec["name"])
                wanted = False
            if not wanted:
                if rule and rule.active:
                    rule.active = False
                    rule.quick_setup_fingerprint = self._fingerprint(rule)
                continue
            channel = dict(self._selection_channel())[self.channel]
            vals["name"] = f"{spec['name']} ({channel})"
            if rule:
                rule.write(vals)
            else:
                rule = Rule.create({**vals, "quick_setup_key": spec["key"]})
            rule.quick_setup_fingerprint = self._fingerprint(rule)
            rules |= rule
        self.write(
            {
                "state": "done",
                "rule_ids": [fields.Command.set((rules | kept).ids)],
                "warning": self._warning(kept, missing, self._other_rules(rules)),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Quick setup"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _other_rules(self, rules):
        """Active rules made by hand that send beside the quick setup's: on the same
        occasion, or on any status change (a second message for one booking)."""
        occasions = {(r.res_model, r.trigger) for r in rules if r.trigger != "reminder"}
        others = self.env["appointment.notify.rule"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("quick_setup_key", "=", False),
                ("res_model", "in", list({r.res_model for r in rules})),
            ]
        )
        return others.filtered(
            lambda r: (
                (r.res_model, r.trigger) in occasions or r.trigger in ("booked", "status_changed")
            )
        )

    def _warning(self, kept, missing, others):
        lines = []
        if kept:
            lines.append(
                self.env._(
                    "Edited by hand since the last quick setup, so left as they are: %s.",
                    ", ".join(kept.mapped("name")),
                )
            )
        if missing:
            lines.append(
                self.env._(
                    "No default template on this channel, so not set up: %s.",
                    ", ".join(missing),
                )
            )
        if others:
            lines.append(
                self.env._(
                    "These other rules send too, so customers may get two messages for "
                    "one change; archive them if the quick setup covers them: %s.",
                    ", ".join(others.mapped("name")),
                )
            )
        return "\n".join(lines) or False

    @api.model
    def _demo_choices(self):
        return {
            "channel": "email",
            "reminder_1h": True,
            "reminder_24h": True,
            "review_request": True,
        }

    @api.model
    def _setup_demo_rules(self):
        """The demo data's rule set: what the quick setup makes, on e-mail.

        Run again by addons that add messages (repair): the rules made before are
        updated in place, not copied.
        """
        self.create(self._demo_choices()).action_apply()

    def action_view_rules(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "appointment_notify.appointment_notify_rule_action"
        )
        action["domain"] = [("id", "in", self.rule_ids.ids)]
        action["context"] = {"active_test": False}
        return action
