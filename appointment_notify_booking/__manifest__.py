{
    "name": "Appointment Notifications: Booking",
    "summary": "Services, staff capacity, free slots and booking with an availability check, "
    "for the back office, self-service links and the WhatsApp assistant",
    "version": "19.0.1.0.0",
    "category": "Productivity/Calendar",
    "website": "https://github.com/appointment-notify/appointment_notify",
    "author": "appointment_notify developers",
    "maintainers": ["appointment-notify"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["calendar", "resource", "appointment_notify"],
    "data": [
        "security/appointment_notify_booking_security.xml",
        "security/ir.model.access.csv",
        "views/appointment_notify_service_views.xml",
        "views/calendar_event_views.xml",
        "wizards/appointment_notify_booking_wizard_views.xml",
        "views/appointment_notify_booking_menus.xml",
    ],
    "demo": ["demo/appointment_notify_booking_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "appointment_notify_booking/static/tests/tours/appointment_notify_booking_tours.js",
        ],
    },
    "installable": True,
    "application": False,
}
