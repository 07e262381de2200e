from . import test_assistant_flow
from . import test_assistant_llm
from . import test_when_parser
from . import test_assistant_runner
from . import test_assistant_send
from . import test_assistant_concurrency
