"""A local stand-in for API Gateway's REST proxy integration: turns each HTTP request into the
proxy event, invokes the function and writes back the response it returns."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from offline.lambda_events import api_gateway_event
from offline.local_lambda import LocalFunction

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's own limit


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The headers and the body go out in two writes: with Nagle's algorithm the body would wait
    # for the client's delayed ACK of the headers (about 40 ms on every keep-alive request).
    disable_nagle_algorithm = True
    server: ApiGatewayServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the function's own logs say what happened

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _gateway_error(self, status: int, code: str, message: str) -> None:
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        self._send(status, [("Content-Type", "application/json")], body)

    def _read_chunked(self) -> bytes:
        body = b""
        while size := int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16):
            body += self.rfile.read(size)
            self.rfile.readline()  # the CRLF after each chunk
            if len(body) > MAX_PAYLOAD_BYTES:
                raise OverflowError
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers
            pass
        return body

    def _read_body(self) -> bytes | None:
        """The request body, as API Gateway accepts it: sized or chunked, at most 10 MB."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > MAX_PAYLOAD_BYTES:
            raise OverflowError
        return self.rfile.read(length) if length else None

    def _proxy(self) -> None:
        try:
            body = self._read_body()
        except OverflowError:
            self.close_connection = True
            self._gateway_error(413, "payload_too_large", "Request too large for API Gateway.")
            return
        except ValueError:
            self.close_connection = True
            self._gateway_error(400, "client_error", "Malformed Content-Length or chunked body.")
            return
        url = urlsplit(self.path)
        event = api_gateway_event(
            method=self.command,
            path=url.path or "/",
            query=url.query,
            headers=[*self.headers.items(), ("X-Forwarded-Proto", "http")],
            body=body,
            source_ip=self.client_address[0],
        )
        try:
            result = self.server.function.invoke(event)
        except Exception:  # the function crashed: API Gateway answers 502
            self._gateway_error(502, "internal_error", "Internal server error")
            return
        headers = [(k, v) for k, values in (result.get("multiValueHeaders") or {}).items() for v in values]
        headers += [(k, v) for k, v in (result.get("headers") or {}).items()]
        raw = result.get("body") or ""
        payload = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
        self._send(int(result["statusCode"]), headers, payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _proxy


class ApiGatewayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], function: LocalFunction):
        super().__init__(address, _ProxyHandler)
        self.function = function
        self._thread = threading.Thread(target=self.serve_forever, name="api-gateway", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
