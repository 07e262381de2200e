from . import test_access
from . import test_dispatcher
from . import test_triggers
from . import test_i18n
from . import test_quick_setup
from . import test_tours
