from . import appointment_notify_quick_setup
