"""A minimal OpenAI-compatible chat-completions client (function calling).

Plain ``requests``, not the ``openai`` package: it uses httpx, which Odoo's test
HTTP blocker does not see, and one POST is all we need. Any server speaking
``POST <url>/chat/completions`` works (OpenAI, vLLM, Ollama, llama.cpp); their
deviations are tolerated: tool ``arguments`` as a JSON string or an object,
tool calls without ids, ``content`` as a list of text parts.

Every failure raises one ``LlmError`` whose ``reason`` is for the log, never
for the customer.
"""

import json
import logging
import threading
from dataclasses import dataclass, field

import requests

_logger = logging.getLogger(__name__)


class LlmError(Exception):
    """The model could not answer usefully; ``reason`` says why (for the log)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: dict


@dataclass
class Completion:
    content: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)

    def as_message(self):
        """The assistant message to send back with the tool results (normalized:
        string arguments and ids, whatever shape the server used)."""
        message = {"role": "assistant", "content": self.content or None}
        if self.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
                }
                for call in self.tool_calls
            ]
        return message


class LlmClient:
    def __init__(self, url, key, model, timeout=15.0):
        self.url = (url or "").rstrip("/")
        self.key = key or ""
        self.model = model or ""
        self.timeout = timeout if timeout and timeout > 0 else 15.0

    @classmethod
    def from_company(cls, company):
        """The company's settings, read with sudo: the key is for system users only."""
        company = company.sudo()
        return cls(
            company.notify_assistant_llm_url,
            company.notify_assistant_llm_key,
            company.notify_assistant_llm_model,
            company.notify_assistant_llm_timeout,
        )

    def is_configured(self):
        return bool(self.url and self.model)

    def complete(self, messages, tools=None):
        """One chat completion -> ``Completion``; raises ``LlmError``."""
        payload = {"model": self.model, "messages": messages}
        if tools:
            payload["tools"] = tools
            payload["tool_choice"] = "auto"
        headers = {"Content-Type": "application/json"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        url = f"{self.url}/chat/completions"
        try:
            response = self._post(url, payload, headers)
        except requests.exceptions.Timeout as error:
            raise LlmError(f"no answer from {url} within {self.timeout:g} s") from error
        except requests.exceptions.RequestException as error:
            raise LlmError(f"{url} could not be reached: {error}") from error
        if response.status_code >= 400:
            raise LlmError(f"{url} answered HTTP {response.status_code}: {_error_detail(response)}")
        try:
            body = response.json()
        except ValueError as error:
            raise LlmError(f"{url} answered something that is not JSON") from error
        return self.parse(body)

    def _post(self, url, payload, headers):
        """POST with a hard deadline for the whole answer.

        ``requests``' timeout bounds each socket read, not the total (a server
        trickling bytes never times out), and Odoo's test runner raises it to
        10 s; so the call runs in a thread the turn stops waiting for.
        """
        outcome = {}

        def run():
            try:
                outcome["response"] = requests.post(
                    url, json=payload, headers=headers, timeout=self.timeout
                )
            except Exception as error:  # noqa: BLE001 - re-raised in the caller's thread
                outcome["error"] = error

        thread = threading.Thread(target=run, name="assistant-llm-request", daemon=True)
        thread.start()
        thread.join(self.timeout)
        if thread.is_alive():
            raise requests.exceptions.Timeout()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["response"]

    @staticmethod
    def parse(body):
        """A chat-completions JSON body -> ``Completion``; raises ``LlmError``."""
        choices = body.get("choices") if isinstance(body, dict) else None
        if not choices or not isinstance(choices, list) or not isinstance(choices[0], dict):
            raise LlmError("the answer has no choices")
        message = choices[0].get("message")
        if not isinstance(message, dict):
            raise LlmError("the answer's first choice has no message")
        calls = []
        for index, raw in enumerate(message.get("tool_calls") or []):
            function = (raw or {}).get("function") or {}
            name = function.get("name")
            if not name:
                raise LlmError("a tool call without a function name")
            arguments = function.get("arguments")
            if arguments in (None, ""):
                arguments = {}
            elif isinstance(arguments, str):
                try:
                    arguments = json.loads(arguments)
                except ValueError as error:
                    raise LlmError(f"bad JSON in the arguments of {name}: {arguments!r}") from error
            if not isinstance(arguments, dict):
                raise LlmError(f"the arguments of {name} are not an object: {arguments!r}")
            calls.append(ToolCall(raw.get("id") or f"call_{index}", name, arguments))
        return Completion(_text(message.get("content")), calls)


def _text(content):
    """``content`` as text: a string, null, or a list of {"type": "text"} parts."""
    if isinstance(content, list):
        return "".join(part.get("text") or "" for part in content if isinstance(part, dict)).strip()
    return (content or "").strip() if isinstance(content, str) else ""


def _error_detail(response):
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict):
        error = error.get("message")
    return str(error or response.text or response.reason)[:200]
