{
    "name": "Appointment Notifications: Confirm by SMS Reply",
    "summary": "A customer's SMS reply '1' confirms their attendance at their next appointment",
    "version": "19.0.1.0.0",
    "category": "Productivity/Calendar",
    "website": "https://github.com/appointment-notify/appointment_notify",
    "author": "appointment_notify developers",
    "maintainers": ["appointment-notify"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["appointment_notify_sms", "appointment_notify_links"],
    "installable": True,
    "auto_install": True,
}
