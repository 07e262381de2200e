from . import appointment_notify_mixin
from . import calendar_event
