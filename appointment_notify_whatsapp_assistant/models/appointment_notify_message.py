import logging

import requests

from odoo import fields, models

from odoo.addons.appointment_notify_sms.tools.twilio_client import TIMEOUT, TwilioClient
from odoo.addons.appointment_notify_whatsapp.models.appointment_notify_message import (
    STATUS_PATH,
)

_logger = logging.getLogger(__name__)

DEFAULT_CONTENT_URL = "https://content.twilio.com"
CONTENT_URL_PARAM = "appointment_notify_whatsapp_assistant.twilio_content_url"
QUICK_REPLY_MAX = 3  # buttons WhatsApp shows in a session without an approved template
LIST_MAX = 10
TITLE_MAX, DESCRIPTION_MAX, ID_MAX = 24, 72, 200


def _cut(text, size):
    text = (text or "").strip()
    return text if len(text) <= size else text[: size - 1] + "…"


class AppointmentNotifyMessage(models.Model):
    _inherit = "appointment.notify.message"

    whatsapp_reply = fields.Selection(
        selection_add=[("assistant", "Assistant"), ("staff", "Staff")],
        ondelete={"assistant": "set null", "staff": "set null"},
    )
    whatsapp_options = fields.Json(
        "Options", help="The choices offered with an assistant reply: id, title, description."
    )
    assistant_session_id = fields.Many2one(
        "appointment.notify.assistant.session",
        "Conversation",
        ondelete="set null",
        index="btree_not_null",
    )

    def _check_consent_and_destination(self):
        """An appointment booked in the WhatsApp chat gets its service messages there.

        The customer started the conversation to book: its own notifications
        need no separate opt-in, unless they sent STOP. Never wider: service
        messages of that appointment, to the customer who wrote to this company
        (not to another attendee staff added).
        """
        if (
            self.channel == "whatsapp"
            and not self.whatsapp_reply
            and not self.is_test
            and self.res_model == "calendar.event"
            and not self.rule_id.non_service
            and not self.partner_id.notify_consent_whatsapp
            and not self.partner_id._notify_whatsapp_opted_out()
        ):
            record = self._get_record()
            if record and record.notify_booked_via_whatsapp and self._assistant_chatted():
                self.destination = self._get_destination()
                return None
        return super()._check_consent_and_destination()

    def _assistant_chatted(self):
        """Whether the customer wrote to this company's assistant."""
        partner = self.partner_id
        return bool(
            self.env["appointment.notify.assistant.session"]
            .sudo()
            .search_count(
                [
                    ("company_id", "=", self.company_id.id),
                    "|",
                    ("partner_id", "=", partner.id),
                    ("reply_partner_id", "=", partner.id),
                ],
                limit=1,
            )
        )

    def _transmit_whatsapp(self):
        """An assistant reply with options: sent as an interactive message.

        Inside the transmission (network only, in the dispatcher's pool), a Content
        (quick-reply for up to 3 options, else a list-picker) is created with the
        numbered text as its twilio/text fallback, and the message names its
        ContentSid; if the Content API fails, the numbered text goes as Body.
        """
        options = self.whatsapp_options or []
        if self.whatsapp_reply != "assistant" or not options:
            return super()._transmit_whatsapp()
        company = self.company_id.sudo()
        sender = company._notify_whatsapp_sender()
        if not sender or not self.partner_id._notify_whatsapp_in_window():
            return super()._transmit_whatsapp()  # it says why it cannot be sent
        data = {
            "To": f"whatsapp:{self.destination}",
            "StatusCallback": self._provider_callback_url(STATUS_PATH),
            **sender,
            "Body": self.body or "",
        }
        client = TwilioClient(self.env, company)
        # The transmission posts this very dict: the Content's SID is put in it.
        transmit = client.transmission(
            data, ("whatsapp", *sender.values()), company.notify_whatsapp_rate
        )
        url = self._assistant_content_url()
        payload = self._assistant_content(options)
        auth = (client.account_sid, client.auth_token)
        message_id = self.id

        def with_content():
            sid = None
            try:
                response = requests.post(url, json=payload, auth=auth, timeout=TIMEOUT)
                sid = response.json().get("sid") if response.ok else None
                if not sid:
                    _logger.warning(
                        "WhatsApp assistant: Content API refused message %s (HTTP %s): %s",
                        message_id,
                        response.status_code,
                        response.text[:300],
                    )
            except (requests.exceptions.RequestException, ValueError) as exc:
                _logger.warning(
                    "WhatsApp assistant: Content API failed for %s: %s", message_id, exc
                )
            if sid:
                data["ContentSid"] = sid
                data.pop("Body", None)
            return transmit()

        with_content.not_before = transmit.not_before
        return with_content

    def _assistant_content_url(self):
        url = self.env["ir.config_parameter"].sudo().get_param(CONTENT_URL_PARAM)
        return f"{(url or DEFAULT_CONTENT_URL).rstrip('/')}/v1/Content"

    def _assistant_content(self, options):
        """The Content API payload of this reply: buttons or a list, and the text."""
        body = self.body or ""
        text, _sep, _list = body.rpartition("\n\n") if "\n\n" in body else (body, "", "")
        lang = (self.partner_id.lang or "en")[:2]
        if len(options) <= QUICK_REPLY_MAX:
            interactive = {
                "twilio/quick-reply": {
                    "body": _cut(text or body, 1024),
                    "actions": [
                        {"title": _cut(o["title"], 20), "id": o["id"][:ID_MAX]} for o in options
                    ],
                }
            }
        else:
            items = [
                {
                    "item": _cut(o["title"], TITLE_MAX),
                    "id": o["id"][:ID_MAX],
                    "description": _cut(o.get("description"), DESCRIPTION_MAX),
                }
                for o in options[:LIST_MAX]
            ]
            interactive = {
                "twilio/list-picker": {
                    "body": _cut(text or body, 1024),
                    "button": _cut(self.env._("Choose"), 20),
                    "items": items,
                }
            }
        return {
            "friendly_name": f"assistant_{self.id}",
            "language": lang,
            "types": {**interactive, "twilio/text": {"body": body}},
        }
