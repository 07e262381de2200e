{
    "name": "Appointment Notifications: Repairs by WhatsApp",
    "summary": "Default WhatsApp templates for repair orders in five languages: received, "
    "status changes, ready for pickup, reminders, review requests",
    "version": "19.0.1.1.0",
    "category": "Inventory/Inventory",
    "website": "https://github.com/appointment-notify/appointment_notify",
    "author": "appointment_notify developers",
    "maintainers": ["appointment-notify"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["appointment_notify_repair", "appointment_notify_whatsapp"],
    "data": ["data/whatsapp_template_data.xml"],
    "installable": True,
    "auto_install": True,
}
