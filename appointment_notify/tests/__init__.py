from . import test_access
from . import test_dispatcher
from . import test_triggers
