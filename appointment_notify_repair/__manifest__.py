{
    "name": "Appointment Notifications: Repairs",
    "summary": "Tell customers about their repair orders: created, status changes, "
    "ready for pickup, reminders before the visit, review requests",
    "version": "19.0.1.2.0",
    "category": "Inventory/Inventory",
    "website": "https://github.com/appointment-notify/appointment_notify",
    "author": "appointment_notify developers",
    "maintainers": ["appointment-notify"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["appointment_notify", "repair"],
    "data": [
        "data/mail_template_data.xml",
        "views/repair_order_views.xml",
        "wizards/appointment_notify_quick_setup_views.xml",
        "views/appointment_notify_repair_menus.xml",
    ],
    "demo": ["demo/appointment_notify_repair_demo.xml"],
    "assets": {
        "web.assets_tests": ["appointment_notify_repair/static/tests/tours/*.js"],
    },
    "installable": True,
    "auto_install": True,
}
