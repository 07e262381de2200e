import json
import logging
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models

from odoo.addons.appointment_notify.models.appointment_notify_message import NotifySendError
from odoo.addons.appointment_notify_sms.tools.twilio_client import TwilioClient, TwilioSendError

_logger = logging.getLogger(__name__)

STATUS_PATH = "/appointment_notify_whatsapp/status"
WINDOW = timedelta(hours=24)  # WhatsApp's customer-service window
# WhatsApp cannot reach the customer this way: the rule's fallback channel takes over.
FALLBACK_CODES = {63016, 63003, 63024}
# Rate limits of the sender (63018) or the account (63017): retried later.
BACKOFF_CODES = {63018, 63017}
BLOCKED_CODE = 63014
BLOCKED_SOURCE = "Twilio 63014"


class WhatsappSendError(TwilioSendError):
    """``fallback``: WhatsApp cannot deliver this message; the rule's fallback may."""

    def __init__(self, reason, code=None, fallback=False, **kwargs):
        super().__init__(reason, code=code, **kwargs)
        self.fallback = fallback


class AppointmentNotifyMessage(models.Model):
    _inherit = "appointment.notify.message"

    channel = fields.Selection(
        selection_add=[("whatsapp", "WhatsApp")], ondelete={"whatsapp": "cascade"}
    )
    whatsapp_template_id = fields.Many2one(
        "appointment.notify.whatsapp.template", string="WhatsApp template", ondelete="set null"
    )
    whatsapp_variables = fields.Text(
        string="ContentVariables", help="The template's variables as sent to Twilio (JSON)."
    )
    whatsapp_reply = fields.Selection(
        [("auto", "Auto-reply"), ("policy", "Cancellation refused")],
        string="Free-text reply",
        help="An answer to a customer who wrote in the last 24 hours: free text, no template.",
    )
    whatsapp_read_at = fields.Datetime(string="Read", readonly=True)
    fallback_of_id = fields.Many2one(
        "appointment.notify.message",
        string="Fallback of",
        ondelete="set null",
        index="btree_not_null",
        help="The WhatsApp message this one replaces because WhatsApp could not deliver it.",
    )
    fallback_message_ids = fields.One2many(
        "appointment.notify.message", "fallback_of_id", string="Fallback messages"
    )

    # ------------------------------------------------------------------
    # dispatcher hooks
    # ------------------------------------------------------------------

    def _is_test_mode(self):
        # No Twilio account: render and log, but nothing leaves the machine.
        if self.channel == "whatsapp" and not TwilioClient(self.env, self.company_id).has_account():
            return True
        return super()._is_test_mode()

    def _check_consent_and_destination(self):
        if self.channel == "whatsapp" and self.whatsapp_reply:
            # The customer wrote first: answering them needs no prior opt-in.
            self.destination = self.destination or self._get_destination()
            return None
        res = super()._check_consent_and_destination()
        if self.channel == "whatsapp" and self.is_test:
            self.destination = self._whatsapp_normalize(self.destination)
        return res

    def _get_destination(self):
        if self.channel != "whatsapp":
            return super()._get_destination()
        return self._whatsapp_normalize(self._partner_number())

    def _whatsapp_normalize(self, number):
        """E.164 of ``number``; unlike SMS a landline may run WhatsApp Business."""
        return self._normalize_number((number or "").removeprefix("whatsapp:"), mobile_only=False)

    def _render_whatsapp(self):
        if self.whatsapp_reply:
            return  # free text, written when it was queued
        partner = self.partner_id
        langs = [partner.lang, self.company_id.partner_id.lang, "en_US"]
        template = self.rule_id._whatsapp_template_for(langs)
        if not template:
            raise NotifySendError(
                self.env._(
                    "The rule has no WhatsApp template for %s or English.",
                    partner.lang or self.env._("the customer's language"),
                )
            )
        lang = self._render_lang()
        record = self._get_record().with_context(lang=lang)
        try:
            values, text = template._render_variables(
                template._eval_context(record, partner, message=self)
            )
        except ValueError as exc:
            raise NotifySendError(
                self.env._(
                    "The WhatsApp template %(template)s failed to render: %(error)s",
                    template=template.display_name,
                    error=exc,
                )
            ) from exc
        self.write(
            {
                "subject": False,
                "body": text,
                "whatsapp_template_id": template.id,
                "whatsapp_variables": json.dumps(values, ensure_ascii=False),
            }
        )

    def _transmit_whatsapp(self):
        """The Twilio call: the approved template, or free text inside the 24-hour window.

        Returned as a plain callable the dispatcher runs in its thread pool.
        """
        company = self.company_id.sudo()
        sender = company._notify_whatsapp_sender()
        if not sender:
            raise NotifySendError(
                self.env._(
                    "No WhatsApp sender is set: enter the WhatsApp number or a Messaging "
                    "Service in Settings > Notifications > WhatsApp."
                )
            )
        data = {
            "To": f"whatsapp:{self.destination}",
            "StatusCallback": self._provider_callback_url(STATUS_PATH),
            **sender,
        }
        template = self.whatsapp_template_id
        in_window = self.partner_id._notify_whatsapp_in_window()
        if template.content_sid and not self.whatsapp_reply:
            data["ContentSid"] = template.content_sid
            data["ContentVariables"] = self.whatsapp_variables or "{}"
        elif in_window:
            # The customer wrote in the last 24 hours: any text is allowed.
            data["Body"] = self.body or ""
        elif self.whatsapp_reply:
            raise NotifySendError(
                self.env._(
                    "The customer's 24-hour window closed before the reply could be sent; "
                    "WhatsApp only accepts approved templates now."
                )
            )
        else:
            raise WhatsappSendError(
                self.env._(
                    "The WhatsApp template %s is not approved yet (no ContentSid) and the "
                    "customer did not write in the last 24 hours: paste the approved "
                    "ContentSid on the template.",
                    template.display_name,
                ),
                fallback=True,
            )
        client = TwilioClient(self.env, company)
        return client.transmission(
            data, ("whatsapp", *sender.values()), company.notify_whatsapp_rate
        )

    def _finish_whatsapp(self, response):
        return TwilioClient(self.env, self.company_id).answer(response, self._whatsapp_api_error)

    def _handle_send_error(self, exc, now):
        res = super()._handle_send_error(exc, now)
        if self.channel == "whatsapp" and self.state == "failed":
            self._whatsapp_after_failure(
                getattr(exc, "code", None), fallback=getattr(exc, "fallback", False)
            )
        return res

    # ------------------------------------------------------------------
    # errors, fallback, status callbacks
    # ------------------------------------------------------------------

    def _whatsapp_error_texts(self):
        return {
            63016: self.env._(
                "Outside the customer's 24-hour window WhatsApp only accepts an approved "
                "template (ContentSid)."
            ),
            63003: self.env._("The number %s is not on WhatsApp.", self.destination),
            63024: self.env._("%s is not a valid WhatsApp recipient.", self.destination),
            63014: self.env._(
                "The customer blocked this WhatsApp sender: WhatsApp consent was turned off."
            ),
            63018: self.env._("The WhatsApp sender's rate limit was reached."),
            63017: self.env._("The Twilio account's rate limit was reached."),
            63007: self.env._(
                "Twilio does not know the WhatsApp sender (or it is not approved yet): "
                "check Settings > Notifications > WhatsApp."
            ),
        }

    def _whatsapp_api_error(self, status, payload):
        """Twilio's refusal of a WhatsApp message -> a NotifySendError."""
        client = TwilioClient(self.env, self.company_id)
        code = payload.get("code")
        readable = self._whatsapp_error_texts().get(code)
        if not readable:
            return client.api_error(status, payload, self.destination)
        detail = payload.get("message") or self.env._("HTTP %s", status)
        return client.refusal(
            readable, code, detail, error_class=WhatsappSendError, retry=code in BACKOFF_CODES
        )

    def _whatsapp_apply_status(self, status, error_code=None, sid=None):
        """A status callback: the SMS state machine, plus 'read' and WhatsApp failures."""
        self.ensure_one()
        client = TwilioClient(self.env, self.company_id)
        new_state = client.state_of(status)
        reason = None
        if new_state == "failed":
            readable = None
            if str(error_code or "").isdigit():
                readable = self._whatsapp_error_texts().get(int(error_code))
            reason = client.delivery_error_reason(status, error_code, readable=readable)
        changed = self._apply_delivery_state(new_state, reason=reason, ref=sid)
        if sid and self.provider_ref and sid != self.provider_ref:
            return changed
        if status == "read" and self.state == "delivered" and not self.whatsapp_read_at:
            self.whatsapp_read_at = fields.Datetime.now()
            changed = True
        if changed and self.state == "failed":
            code = int(error_code) if str(error_code or "").isdigit() else None
            self._whatsapp_after_failure(code)
        return changed

    def _whatsapp_after_failure(self, code, fallback=False):
        """A failed WhatsApp message: blocked -> consent off; unreachable -> fallback."""
        self.ensure_one()
        if code == BLOCKED_CODE and self.partner_id.notify_consent_whatsapp:
            self.partner_id.sudo().with_context(
                notify_consent_source=BLOCKED_SOURCE
            ).notify_consent_whatsapp = False
        if fallback or code in FALLBACK_CODES:
            other = self._whatsapp_fall_back()
            if other:
                channel = dict(self._fields["channel"].selection)[other.channel]
                self.reason = "%s\n%s" % (
                    self.reason or "",
                    self.env._(
                        "Sent by %(channel)s instead (message #%(id)s).",
                        channel=channel,
                        id=other.id,
                    ),
                )

    def _whatsapp_fall_back(self):
        """Plan the rule's fallback message for this one, once; return it."""
        self.ensure_one()
        rule = self.rule_id
        if self.is_test or not rule.fallback_channel or self.fallback_message_ids:
            return self.browse()
        channel = self._whatsapp_fallback_channel()
        now = fields.Datetime.now()
        vals = {
            "rule_id": rule.id,
            "company_id": self.company_id.id,
            "res_model": self.res_model,
            "res_id": self.res_id,
            "record_name": self.record_name,
            "partner_id": self.partner_id.id,
            "channel": channel,
            "trigger": self.trigger,
            "occurrence": f"fallback:{self.occurrence or ''}",
            "state": "scheduled",
            "scheduled_at": now,
            "next_attempt_at": now,
            "deadline_at": self.deadline_at,
            "fallback_of_id": self.id,
        }
        if self.prerendered:
            # The record is gone: reuse the text rendered while it existed.
            body = self.body or ""
            if channel == "email":
                body = str(Markup("<p>%s</p>") % escape(body))
            vals.update({"prerendered": True, "body": body, "subject": self.record_name})
        return self.sudo()._create_unique([vals])

    def _whatsapp_fallback_channel(self):
        """The rule's fallback; SMS gives way to e-mail when it cannot be used."""
        rule = self.rule_id
        if rule.fallback_channel != "sms" or not rule.mail_template_id:
            return rule.fallback_channel
        company = self.company_id.sudo()
        usable = (
            rule.sms_template_id
            and company._notify_sms_sender(self.destination or "")
            and self.partner_id._notify_has_consent("sms")
        )
        return "sms" if usable else "email"

    # ------------------------------------------------------------------
    # free-text replies (queued by the inbound webhook)
    # ------------------------------------------------------------------

    @api.model
    def _whatsapp_queue_reply(self, partner, company, text, kind, record=None, ref="", number=None):
        """Queue a free-text answer for the dispatcher: the webhook never calls Twilio.

        ``number``: the E.164 number that wrote, answered as is.
        """
        now = fields.Datetime.now()
        record = record or partner
        opened = partner.notify_whatsapp_last_inbound or now
        return self.sudo().create(
            {
                "company_id": company.id,
                "res_model": record._name,
                "res_id": record.id,
                "record_name": record.display_name,
                "partner_id": partner.id,
                "channel": "whatsapp",
                "destination": number or False,
                "occurrence": f"reply:{ref}",
                "state": "scheduled",
                "scheduled_at": now,
                "next_attempt_at": now,
                # retries stop when the window closes
                "deadline_at": opened + WINDOW,
                "body": text,
                "prerendered": True,
                "whatsapp_reply": kind,
            }
        )

    def _whatsapp_button_action(self, text):
        """'confirm' or 'cancel' for a button text of this message's template, or None."""
        text = (text or "").strip().casefold()
        template = self.whatsapp_template_id
        labels = {
            "confirm": {(template.confirm_label or "").casefold(), "confirm"},
            "cancel": {(template.cancel_label or "").casefold(), "cancel"},
        }
        for action, words in labels.items():
            if text and text in words:
                return action
        return None
