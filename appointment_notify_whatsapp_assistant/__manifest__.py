{
    "name": "Appointment Notifications: WhatsApp Booking Assistant",
    "summary": "Customers book, move and cancel appointments in a WhatsApp chat that knows "
    "the services, staff, opening hours and capacity",
    "version": "19.0.1.0.0",
    "category": "Productivity/Calendar",
    "website": "https://github.com/appointment-notify/appointment_notify",
    "author": "appointment_notify developers",
    "maintainers": ["appointment-notify"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": [
        "appointment_notify_whatsapp",
        "appointment_notify_booking",
        "appointment_notify_links",
    ],
    "external_dependencies": {"python": ["phonenumbers", "twilio"]},
    "data": [
        "security/ir.model.access.csv",
        "security/appointment_notify_whatsapp_assistant_security.xml",
        "data/ir_cron_data.xml",
        "views/appointment_notify_assistant_session_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "installable": True,
}
