from . import test_access
from . import test_dispatcher
from . import test_triggers
from . import test_rule_domain
from . import test_api_rpc
from . import test_i18n
from . import test_tours
from . import test_one_voice
