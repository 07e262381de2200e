from . import test_triggers
from . import test_dispatcher
