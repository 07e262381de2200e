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
    "data": [
        "data/ir_config_parameter_data.xml",
        "data/sms_template_data.xml",
        "views/appointment_notify_message_views.xml",
        "views/appointment_notify_rule_views.xml",
        "views/res_partner_views.xml",
        "views/sms_template_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "assets": {
        "web.assets_tests": ["appointment_notify_sms/static/tests/tours/*.js"],
    },
    "installable": True,
}
