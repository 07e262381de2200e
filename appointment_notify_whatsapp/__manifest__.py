{
    "name": "Appointment Notifications: WhatsApp",
    "summary": "WhatsApp channel for appointment notifications through Twilio: approved "
    "templates, 24-hour window, Confirm/Cancel buttons, replies",
    "version": "19.0.1.0.0",
    "category": "Productivity/Calendar",
    "website": "https://github.com/appointment-notify/appointment_notify",
    "author": "appointment_notify developers",
    "maintainers": ["appointment-notify"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["appointment_notify_sms"],
    "external_dependencies": {"python": ["phonenumbers", "twilio"]},
    "data": [],
    "installable": True,
}
