{
    "name": "Appointment Notifications: Self-service Links",
    "summary": "A signed link in every message: customers confirm, cancel or reschedule "
    "their appointment without an account",
    "version": "19.0.1.0.0",
    "category": "Productivity/Calendar",
    "website": "https://github.com/appointment-notify/appointment_notify",
    "author": "appointment_notify developers",
    "maintainers": ["appointment-notify"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["appointment_notify_booking"],
    "data": ["views/manage_templates.xml"],
    "assets": {
        "web.assets_tests": ["appointment_notify_links/static/tests/tours/*.js"],
    },
    "installable": True,
    "application": False,
}
