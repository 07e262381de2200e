from . import test_assistant_runner
from . import test_assistant_send
from . import test_assistant_concurrency
