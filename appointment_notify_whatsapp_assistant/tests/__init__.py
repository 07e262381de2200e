from . import test_assistant_flow
from . import test_assistant_llm
from . import test_when_parser
