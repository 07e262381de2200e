import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models

from odoo.addons.appointment_notify_sms.tools.twilio_client import OPT_OUT

_logger = logging.getLogger(__name__)

# "YES" is an SMS opt-in keyword, but on WhatsApp it is mostly an answer ("yes, I'll come").
OPT_IN = {"START", "UNSTOP"}
AUTO_REPLY_PAUSE = timedelta(hours=1)  # one auto-reply per customer per hour: no bot ping-pong


class AppointmentNotifyWhatsappInbound(models.Model):
    """A WhatsApp message a customer sent us: what it did, processed once.

    Twilio may deliver one webhook twice; the unique MessageSid makes the
    second delivery a no-op (``_claim_sid`` of the SMS addon's mixin).
    """

    _name = "appointment.notify.whatsapp.inbound"
    _inherit = ["appointment.notify.inbound.mixin"]
    _description = "WhatsApp message from a customer"
    _order = "id desc"
    _rec_name = "message_sid"

    partner_id = fields.Many2one("res.partner", "Customer", ondelete="set null", readonly=True)
    kind = fields.Selection(
        [
            ("opt_out", "Opt-out"),
            ("opt_in", "Opt-in"),
            ("confirm", "Confirmed"),
            ("cancel", "Cancelled"),
            ("refused", "Cancellation refused (too late)"),
            ("text", "Text"),
            ("unknown", "Unknown number"),
        ],
        string="Outcome",
        readonly=True,
    )
    message_id = fields.Many2one(
        "appointment.notify.message", "About message", ondelete="set null", readonly=True
    )
    reply_id = fields.Many2one(
        "appointment.notify.message", "Our reply", ondelete="set null", readonly=True
    )

    _message_sid_unique = models.Constraint(
        "UNIQUE (message_sid)", "A Twilio message is processed once."
    )

    @api.model
    def _process_twilio(self, companies, params):
        """Act on one inbound webhook signed by ``companies``' account: once per MessageSid."""
        sid = params.get("MessageSid") or params.get("SmsMessageSid")
        if not sid:
            return self.browse()
        inbound = self._claim_sid(sid, companies[:1])
        if not inbound:
            _logger.info("WhatsApp message %s already processed", sid)
            return inbound
        raw_from = (params.get("From") or "").removeprefix("whatsapp:")
        Partner = self.env["res.partner"].sudo()
        number = Partner._notify_sms_sanitize(raw_from, companies[:1].country_id)
        partners = Partner._notify_sms_find_by_number(number, companies)
        body = (params.get("Body") or "").strip()
        inbound.write(
            {"partner_id": partners[:1].id, "from_number": number or raw_from, "body": body}
        )
        if not partners:
            _logger.info("WhatsApp message from unknown number %s", raw_from)
            inbound.kind = "unknown"
            return inbound
        partners.write({"notify_whatsapp_last_inbound": fields.Datetime.now()})
        keyword = body.upper()
        if params.get("ButtonPayload") or params.get("ButtonText"):
            inbound._handle_button(partners, companies, params)
        elif keyword in OPT_OUT | OPT_IN:
            inbound._handle_keyword(partners, keyword)
        else:
            inbound._handle_text(partners)
        return inbound

    # ------------------------------------------------------------------
    # what the customer asked for
    # ------------------------------------------------------------------

    def _handle_keyword(self, partners, keyword):
        consent = keyword in OPT_IN
        source = self.env._(
            "WhatsApp reply %(keyword)s from %(number)s", keyword=keyword, number=self.from_number
        )
        partners.filtered(lambda p: p.notify_consent_whatsapp != consent).with_context(
            notify_consent_source=source
        ).write({"notify_consent_whatsapp": consent})
        self.kind = "opt_in" if consent else "opt_out"

    def _handle_button(self, partners, companies, params):
        """Confirm / Cancel tapped on one of our templates; anything else is text.

        The message it answers must be one the signing account's company sent to
        this customer: a payload naming another company's message does nothing.
        """
        Message = self.env["appointment.notify.message"].sudo()
        action, _sep, ref = (params.get("ButtonPayload") or "").strip().partition(":")
        message = Message.browse(int(ref)).exists() if ref.strip().isdigit() else Message
        original = params.get("OriginalRepliedMessageSid")
        if not message and original:
            message = Message.search(
                [("provider_ref", "=", original), ("channel", "=", "whatsapp")], limit=1
            )
        action = action.strip().lower()
        if action not in ("confirm", "cancel"):
            action = message._whatsapp_button_action(params.get("ButtonText"))
        record = message._get_record() if message else None
        if (
            not action
            or message.partner_id not in partners
            or message.company_id not in companies
            or not record
            or not hasattr(record, f"action_notify_{action}")
        ):
            self._handle_text(partners)
            return
        self.message_id = message
        if action == "confirm":
            self._confirm(record, message.partner_id)
        else:
            self._cancel(record, message)

    def _confirm(self, record, partner):
        if record._notify_status() in record._notify_cancel_statuses():
            text = self.env._(
                "%s tapped Confirm on WhatsApp, but the appointment is no longer on.",
                partner.display_name,
            )
        else:
            record.action_notify_confirm()
            text = self.env._("%s confirmed by WhatsApp.", partner.display_name)
        self._post_note(record, partner, text)
        self.kind = "confirm"

    def _cancel(self, record, message):
        """Cancel, unless the policy says it is too late: then tell how to reach us."""
        partner = message.partner_id
        company = message.company_id
        hours = (
            message.rule_id.whatsapp_cancel_min_hours or company.notify_whatsapp_cancel_min_hours
        )
        start = record._notify_start()
        if start and start - fields.Datetime.now() < timedelta(hours=hours):
            lang = partner.lang or company.partner_id.lang or "en_US"
            ctx = record.with_context(lang=lang)._notify_render_context(partner)
            text = self.with_context(lang=lang).env._(
                "Your appointment on %(when)s can no longer be cancelled here: cancelling "
                "by WhatsApp is possible until %(hours)s hours before it starts. Please "
                "contact %(company)s at %(contact)s.",
                when=ctx["when"],
                hours=f"{hours:g}",
                company=company.name,
                contact=company._notify_whatsapp_contact(),
            )
            reply = self.env["appointment.notify.message"]._whatsapp_queue_reply(
                partner,
                company,
                text,
                "policy",
                record=record,
                ref=self.message_sid,
                number=self.from_number,
            )
            self.write({"kind": "refused", "reply_id": reply.id})
            self._post_note(
                record,
                partner,
                self.env._(
                    "%s tapped Cancel on WhatsApp, too late to cancel; they were asked to "
                    "contact you.",
                    partner.display_name,
                ),
            )
            return
        record.action_notify_cancel()
        self.kind = "cancel"
        self._post_note(
            record, partner, self.env._("%s cancelled by WhatsApp.", partner.display_name)
        )

    def _handle_text(self, partners):
        """Show it to staff (customer and appointment chatter) and send the auto-reply."""
        Message = self.env["appointment.notify.message"].sudo()
        last = Message.search(
            [
                ("partner_id", "in", partners.ids),
                ("rule_id", "!=", False),
                ("state", "in", ("sent", "delivered")),
            ],
            order="id desc",
            limit=1,
        )
        record = last._get_record() if last else None
        head = self.env._("WhatsApp from %s:", self.from_number)
        for partner in partners:
            self._post_note(partner, partner, head)
        partner = last.partner_id or partners[:1]
        if record:
            self._post_note(record, partner, head)
        vals = {"kind": "text", "message_id": last.id}
        recent = Message.search_count(
            [
                ("partner_id", "=", partner.id),
                ("whatsapp_reply", "=", "auto"),
                ("create_date", ">", fields.Datetime.now() - AUTO_REPLY_PAUSE),
            ],
            limit=1,
        )
        if not recent:
            lang = partner.lang or self.company_id.partner_id.lang or "en_US"
            text = self.company_id._notify_whatsapp_auto_reply_text(lang)
            vals["reply_id"] = Message._whatsapp_queue_reply(
                partner,
                self.company_id,
                text,
                "auto",
                record=record,
                ref=self.message_sid,
                number=self.from_number,
            ).id
        self.write(vals)

    def _post_note(self, record, partner, head):
        if not hasattr(record, "message_post"):
            return
        body = Markup("<p>%s</p>") % head
        if self.body:
            body += Markup("<p>%s</p>") % self.body
        record.sudo().message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            author_id=partner.id,
        )
