from . import test_assistant_llm
