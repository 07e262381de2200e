from . import appointment_notify_service
from . import resource_resource
from . import calendar_event
from . import res_partner
