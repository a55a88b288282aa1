"""A fake Telegram Bot API server on 127.0.0.1: records ``sendMessage`` calls and answers as Telegram does."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

TOKEN = "123456789:AAFakeTokenForTests_0123456789abcdef"


class FakeBotApi:
    """``POST /bot<TOKEN>/sendMessage``: 200, the message recorded; chat IDs ending in 403, 429, 500 get that.

    ``getFile`` and ``GET /file/bot<TOKEN>/<path>`` serve the files put in ``files`` (by file ID). A wrong
    token gets 401, as Telegram answers. Use as a context manager; ``base_url`` is where it listens.
    """

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path == f"/bot{TOKEN}/getFile":
                    data = fake.files.get(str(body.get("file_id")))
                    if data is None:
                        self._answer(400, {"ok": False, "error_code": 400, "description": "file not found"})
                        return
                    path = f"photos/{body['file_id']}.jpg"
                    self._answer(200, {"ok": True, "result": {"file_path": path, "file_size": len(data)}})
                    return
                if self.path != f"/bot{TOKEN}/sendMessage":
                    self._answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                chat = str(body.get("chat_id"))
                for status in (403, 429, 500):
                    if chat.endswith(str(status)):
                        self._answer(status, {"ok": False, "error_code": status})
                        return
                with fake.lock:
                    fake.sent.append(body)
                self._answer(
                    200, {"ok": True, "result": {"message_id": len(fake.sent), "chat": {"id": chat}}}
                )

            def do_GET(self) -> None:
                prefix = f"/file/bot{TOKEN}/photos/"
                data = fake.files.get(self.path.removeprefix(prefix).removesuffix(".jpg"))
                if not self.path.startswith(prefix) or data is None:
                    self._answer(404, {"ok": False, "error_code": 404})
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _answer(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: object) -> None:
                return  # quiet: the test output stays readable

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeBotApi:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def texts_to(self, chat_id: int | str) -> list[str]:
        """The texts sent to ``chat_id``, in order."""
        with self.lock:
            return [str(m["text"]) for m in self.sent if str(m["chat_id"]) == str(chat_id)]
