"""A local fake of an OpenAI-compatible chat-completions server, for tests.

It replays a script, one step per ``POST /v1/chat/completions``, and records
every request (JSON body and headers) so tests can assert the prompt and the
tools sent. Usage::

    with FakeOpenAI([calls(tool_call("find_slots", {"service_id": 3})), say("Hi")]) as llm:
        company.notify_assistant_llm_url = llm.url      # http://127.0.0.1:<port>/v1
        ...
        assert llm.requests[0]["json"]["tools"]

Steps (plain dicts, built with the helpers below):

- ``say(text)``: an assistant message with content;
- ``calls(tool_call(name, arguments), ...)``: an assistant message with tool calls;
  ``arguments`` is sent as a JSON string (OpenAI), or as given when it is a
  string already (bad JSON) or when ``as_object=True`` (Ollama); ``id=None``
  leaves the id out, as some compatible servers do;
- ``status(500)``: an HTTP error with an OpenAI-style error body;
- ``delay(seconds, step)``: wait, then answer ``step`` (timeouts);
- ``raw(body)``: a 200 answer with this body as is (non-JSON, no choices).

A request after the last step gets HTTP 500 "script exhausted". Standard
library only; the server binds 127.0.0.1 (Odoo's test HTTP blocker allows it).
"""

import contextlib
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["FakeOpenAI", "calls", "delay", "raw", "say", "status", "tool_call"]

_call_ids = itertools.count(1)


def say(text):
    return {"message": {"role": "assistant", "content": text}}


def tool_call(name, arguments=None, id="auto", as_object=False):
    if isinstance(arguments, str) or as_object:
        encoded = arguments
    else:
        encoded = json.dumps(arguments or {})
    call = {"type": "function", "function": {"name": name, "arguments": encoded}}
    if id == "auto":
        id = f"call_fake_{next(_call_ids)}"
    if id is not None:
        call["id"] = id
    return call


def calls(*tool_calls, content=None):
    return {"message": {"role": "assistant", "content": content, "tool_calls": list(tool_calls)}}


def status(code, message="fake error"):
    return {"status": code, "body": json.dumps({"error": {"message": message}})}


def delay(seconds, step):
    return dict(step, delay=seconds)


def raw(body):
    return {"body": body}


class FakeOpenAI:
    def __init__(self, script=(), key=None, model=None):
        self.script = list(script)
        self.key = key  # when set, other Bearer tokens get HTTP 401
        self.model = model
        self.requests = []  # {"path", "headers", "json"} in arrival order
        self.answered = 0  # steps fully answered (a delayed one counts when it is done)
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    # -- lifecycle --------------------------------------------------------

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                fake._handle(self)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A delayed answer to a client that gave up must not print a traceback.
        self._server.handle_error = lambda request, address: None
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    # -- requests ---------------------------------------------------------

    def _handle(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        try:
            payload = json.loads(body or b"null")
        except ValueError:
            payload = None
        with self._lock:
            self.requests.append(
                {"path": handler.path, "headers": dict(handler.headers), "json": payload}
            )
            step = self.script.pop(0) if self.script else None
        if handler.path.rstrip("/") != "/v1/chat/completions":
            return self._send(handler, 404, json.dumps({"error": {"message": "no such path"}}))
        if self.key and handler.headers.get("Authorization") != f"Bearer {self.key}":
            return self._send(handler, 401, json.dumps({"error": {"message": "bad key"}}))
        if step is None:
            return self._send(handler, 500, json.dumps({"error": {"message": "script exhausted"}}))
        if step.get("delay"):
            time.sleep(step["delay"])
        if "message" in step:
            body = json.dumps(
                {
                    "id": f"chatcmpl-{len(self.requests)}",
                    "object": "chat.completion",
                    "model": (payload or {}).get("model") or self.model,
                    "choices": [
                        {
                            "index": 0,
                            "message": step["message"],
                            "finish_reason": "tool_calls"
                            if step["message"].get("tool_calls")
                            else "stop",
                        }
                    ],
                }
            )
        else:
            body = step.get("body", "")
        self._send(handler, step.get("status", 200), body)

    def _send(self, handler, code, body):
        data = body.encode() if isinstance(body, str) else body
        with contextlib.suppress(OSError):  # the client gave up (timeout)
            handler.send_response(code)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        with self._lock:
            self.answered += 1
