import logging

from odoo.http import Controller, request, route

from ..models.appointment_notify_message import STATUS_PATH
from ..models.appointment_notify_sms_inbound import INBOUND_PATH
from ..tools.twilio_client import EMPTY_TWIML, TwilioClient

_logger = logging.getLogger(__name__)


class TwilioSmsController(Controller):
    """Twilio's webhooks: delivery status of our messages, and customers' replies.

    Both are signed with the account's auth token over the URL Twilio called,
    which is the configured webhook URL (Settings > Notifications > SMS);
    anything unsigned or forged gets 403 and changes nothing.
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
        companies = self._notify_sms_company()
        if not companies:
            return request.make_response("Forbidden", status=403)
        form = request.httprequest.form
        Message = request.env["appointment.notify.message"].sudo()
        message = Message.browse(message_id).exists()
        apply_status = message and getattr(message, f"_{message.channel}_apply_status", None)
        if not apply_status:
            return request.make_response("", status=200)
        if message.company_id not in companies:
            # Signed, but by another account than the one that sent this message.
            _logger.warning("Twilio status for message %s from another account refused", message.id)
            return request.make_response("Forbidden", status=403)
        apply_status(form.get("MessageStatus"), form.get("ErrorCode"), form.get("MessageSid"))
        return request.make_response("", status=200)

    @route(INBOUND_PATH, type="http", auth="public", methods=["POST"], csrf=False)
    def twilio_inbound(self, **kwargs):
        companies = self._notify_sms_company()
        if not companies:
            return request.make_response("Forbidden", status=403)
        params = request.httprequest.form.to_dict()
        request.env["appointment.notify.sms.inbound"].sudo()._process_twilio(companies, params)
        # Empty TwiML: no automatic answer (Twilio answers STOP/START itself).
        return request.make_response(EMPTY_TWIML, headers=[("Content-Type", "text/xml")])

    def _notify_sms_company(self):
        """The companies whose Twilio account signed this request (usually one), or None."""
        return TwilioClient.signed_companies(request.env, request.httprequest, _logger)
