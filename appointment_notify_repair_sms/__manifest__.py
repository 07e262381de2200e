{
    "name": "Appointment Notifications: Repairs by SMS",
    "summary": "Default SMS templates for repair orders: received, status changes, "
    "ready for pickup, reminders, review requests",
    "version": "19.0.1.1.0",
    "category": "Inventory/Inventory",
    "website": "https://github.com/appointment-notify/appointment_notify",
    "author": "appointment_notify developers",
    "maintainers": ["appointment-notify"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["appointment_notify_repair", "appointment_notify_sms"],
    "data": ["data/sms_template_data.xml"],
    "installable": True,
    "auto_install": True,
}
