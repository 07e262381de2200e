{
    "name": "Appointment Notifications: Google Calendar",
    "summary": "Google Calendar sync without surprises for customers: no duplicate "
    "notifications, customers kept on their appointments, not invited by Google",
    "version": "19.0.1.0.0",
    "category": "Productivity/Calendar",
    "website": "https://github.com/appointment-notify/appointment_notify",
    "author": "appointment_notify developers",
    "maintainers": ["appointment-notify"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["appointment_notify", "google_calendar"],
    "data": ["views/res_config_settings_views.xml"],
    "installable": True,
    "auto_install": True,
}
