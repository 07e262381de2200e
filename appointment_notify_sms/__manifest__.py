{
    "name": "Appointment Notifications: SMS",
    "summary": "SMS channel for appointment notifications through Twilio: E.164 "
    "numbers, delivery status, STOP/START opt-out",
    "version": "19.0.1.0.0",
    "category": "Productivity/Calendar",
    "website": "https://github.com/appointment-notify/appointment_notify",
    "author": "appointment_notify developers",
    "maintainers": ["appointment-notify"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["appointment_notify", "sms_twilio"],
    "external_dependencies": {"python": ["phonenumbers", "twilio"]},
    "data": [],
    "installable": True,
}
