from . import test_slots
from . import test_book
from . import test_booking_wizard
from . import test_tours
