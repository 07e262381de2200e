import logging

from markupsafe import Markup
from twilio.request_validator import RequestValidator

from odoo.http import Controller, request, route

from ..models.appointment_notify_message import STATUS_PATH
from ..tools.phone import normalize_mobile

_logger = logging.getLogger(__name__)

INBOUND_PATH = "/appointment_notify_sms/inbound"
# Twilio's default opt-out and opt-in keywords (single word, any case).
OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
OPT_IN = {"START", "UNSTOP", "YES"}
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class TwilioSmsController(Controller):
    """Twilio's webhooks: delivery status of our messages, and customers' replies.

    Both are signed with the account's auth token; anything unsigned or forged
    gets 403 and changes nothing.
    """

    @route(
        f"{STATUS_PATH}/<int:message_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
    )
    def twilio_status(self, message_id, **kwargs):
        return self._notify_twilio_status(message_id)

    def _notify_twilio_status(self, message_id):
        """Apply a signed status callback to the message of any Twilio channel.

        The channel's ``_<channel>_apply_status()`` does the work (SMS here,
        WhatsApp in its addon, whose own route calls this too).
        """
        company = self._notify_sms_company()
        if not company:
            return request.make_response("Forbidden", status=403)
        form = request.httprequest.form
        Message = request.env["appointment.notify.message"].sudo()
        message = Message.browse(message_id).exists()
        apply_status = message and getattr(message, f"_{message.channel}_apply_status", None)
        if not apply_status:
            return request.make_response("", status=200)
        if message.company_id.sudo().sms_twilio_account_sid != company.sms_twilio_account_sid:
            # Signed, but by another account than the one that sent this message.
            _logger.warning("Twilio status for message %s from another account refused", message.id)
            return request.make_response("Forbidden", status=403)
        apply_status(form.get("MessageStatus"), form.get("ErrorCode"), form.get("MessageSid"))
        return request.make_response("", status=200)

    @route(INBOUND_PATH, type="http", auth="public", methods=["POST"], csrf=False)
    def twilio_inbound(self, **kwargs):
        company = self._notify_sms_company()
        if not company:
            return request.make_response("Forbidden", status=403)
        form = request.httprequest.form
        body = (form.get("Body") or "").strip()
        number, _problem = normalize_mobile(form.get("From"))
        Partner = request.env["res.partner"].sudo()
        partners = Partner._notify_sms_find_by_number(number) if number else Partner
        if not partners:
            _logger.info("Twilio inbound SMS from unknown number %s ignored", form.get("From"))
        keyword = body.upper()
        if partners and keyword in OPT_OUT | OPT_IN:
            consent = keyword in OPT_IN
            source = request.env._(
                "SMS reply %(keyword)s from %(number)s", keyword=keyword, number=number
            )
            partners.filtered(lambda p: p.notify_consent_sms != consent).with_context(
                notify_consent_source=source
            ).write({"notify_consent_sms": consent})
        elif partners:
            for partner in partners:
                partner.message_post(
                    body=Markup("<p>%s</p><p>%s</p>")
                    % (request.env._("SMS from %s:", number), body),
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                    author_id=partner.id,
                )
        # Empty TwiML: no automatic answer (Twilio answers STOP/START itself).
        return request.make_response(EMPTY_TWIML, headers=[("Content-Type", "text/xml")])

    def _notify_sms_company(self):
        """The company whose auth token signed this request, or None."""
        httprequest = request.httprequest
        signature = httprequest.headers.get("X-Twilio-Signature")
        account = httprequest.form.get("AccountSid")
        if not signature or not account:
            return None
        companies = (
            request.env["res.company"]
            .sudo()
            .search([("sms_twilio_account_sid", "=", account)])
            .filtered("sms_twilio_auth_token")
        )
        base = request.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        url = base.rstrip("/") + httprequest.path
        if httprequest.query_string:
            url += "?" + httprequest.query_string.decode()
        for company in companies:
            validator = RequestValidator(company.sms_twilio_auth_token)
            if validator.validate(url, httprequest.form, signature):
                return company
        _logger.warning("Twilio webhook %s with an invalid signature refused", httprequest.path)
        return None
