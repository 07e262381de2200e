from . import test_assistant_flow
