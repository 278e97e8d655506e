"""The playground's local server: it serves the page and forwards the page's `/api/*` calls to
the API, signing each one itself, so that the browser never holds AWS credentials.

It binds to the loopback interface only and answers only requests addressed to it by that name
(the Host header) from its own page (Origin): whoever can make it forward a request acts with
the user's credentials, so neither another machine nor another web site may (DNS rebinding
included).

Uploads: the page POSTs the presigned form straight to S3 (the form is its own credential), and
falls back to `POST /upload/{upload_id}`, which relays the form to the URL the API gave for that
upload, when the bucket's CORS rule does not admit the playground's origin."""

from __future__ import annotations

import json
import threading
import webbrowser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from imagegen_client.playground.forwarding import REQUEST_HEADERS, Answer, error_answer, send
from imagegen_client.playground.signing import RequestSigner, signer_for

STATIC = Path(__file__).resolve().parent / "static"
LOOPBACK = ("127.0.0.1", "localhost")
# API Gateway takes bodies up to 10 MB; an upload form carries at most the service's largest input
# (18 MB) and its fields.
MAX_API_BODY = 10 * 1024 * 1024
MAX_UPLOAD_BODY = 20 * 1024 * 1024
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
# The page loads only its own files; images and upload forms go to S3 (or the local moto).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' http: https: blob: data:; connect-src 'self' http: https:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


class PlaygroundServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, api_url: str, *, signer: RequestSigner | None = None, host: str = "127.0.0.1", port: int = 0):
        if host not in LOOPBACK:
            raise ValueError(f"The playground signs with your credentials: it listens on loopback only, not {host!r}")
        self.api_url = api_url.rstrip("/")
        self.signer = signer
        self._upload_urls: dict[str, str] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        super().__init__((host, port), _Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def authorities(self) -> set[str]:
        """Every host:port the page may be loaded from (the loopback names with this port)."""
        return {f"{name}:{self.port}" for name in LOOPBACK}

    def remember_upload(self, answer: Answer) -> None:
        """Notes the form URL of an upload the API created, the only URLs the relay posts to."""
        try:
            form = json.loads(answer.body)
            with self._lock:
                self._upload_urls[str(form["upload_id"])] = str(form["url"])
        except (ValueError, KeyError, TypeError):
            pass

    def upload_url(self, upload_id: str) -> str | None:
        with self._lock:
            return self._upload_urls.get(upload_id)

    def start(self) -> None:
        """Serves in a background thread (the local run and tests)."""
        self._thread = threading.Thread(target=self.serve_forever, name="playground", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=10)
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: PlaygroundServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the page shows what happened

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _dispatch(self) -> None:
        if self.headers.get("Host", "") not in self.server.authorities():
            self._reply(error_answer(HTTPStatus.FORBIDDEN, "forbidden", "Open the playground by its own address"))
            return
        path = self.path.split("?", 1)[0]
        if path == "/api" or path.startswith("/api/"):
            if self._from_own_page():
                self._forward()
        elif path.startswith("/upload/") and self.command == "POST":
            if self._from_own_page():
                self._relay_upload(path.removeprefix("/upload/"))
        elif self.command == "GET":
            self._static(path)
        else:
            self._reply(error_answer(HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed", f"{self.command} {path}"))

    def _from_own_page(self) -> bool:
        """Refuses what another site's page sends here (it could not read the answer, but the
        request itself would run with the user's credentials)."""
        origin = self.headers.get("Origin")
        # A browser says where a request comes from: only this origin ("same-origin") or the user
        # ("none": typed, bookmarked) may call. Another port of localhost is "same-site", not ours.
        fetch_site = self.headers.get("Sec-Fetch-Site")
        foreign = fetch_site is not None and fetch_site not in ("same-origin", "none")
        if foreign or (origin is not None and origin.removeprefix("http://") not in self.server.authorities()):
            self._reply(error_answer(HTTPStatus.FORBIDDEN, "forbidden", "Only the playground's own page may call it"))
            return False
        return True

    def _body(self, limit: int) -> bytes | None:
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > limit:
            self.close_connection = True
            too_large = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
            self._reply(error_answer(too_large, "payload_too_large", f"The body is over {limit} bytes"))
            return None
        return self.rfile.read(int(length))

    def _forward(self) -> None:
        if (body := self._body(MAX_API_BODY)) is None:
            return
        rest = self.path.removeprefix("/api") or "/"
        headers = {name: value for name in REQUEST_HEADERS if (value := self.headers.get(name)) is not None}
        server = self.server
        answer = send(self.command, server.api_url + rest, headers, body, signer=server.signer)
        if self.command == "POST" and rest.split("?", 1)[0] == "/uploads" and answer.status == HTTPStatus.CREATED:
            server.remember_upload(answer)
        self._reply(answer)

    def _relay_upload(self, upload_id: str) -> None:
        if (url := self.server.upload_url(upload_id)) is None:
            self._reply(error_answer(HTTPStatus.NOT_FOUND, "not_found", f"No upload {upload_id} was created here"))
            return
        if (body := self._body(MAX_UPLOAD_BODY)) is None:
            return
        # Unsigned: the form's policy and signature are the credential, as when a browser posts it.
        headers = {"Content-Type": self.headers.get("Content-Type", "")}
        self._reply(send("POST", url, headers, body))

    def _static(self, path: str) -> None:
        file = (STATIC / (path.lstrip("/") or "index.html")).resolve()
        if not file.is_relative_to(STATIC) or not file.is_file() or file.suffix not in CONTENT_TYPES:
            self._reply(error_answer(HTTPStatus.NOT_FOUND, "not_found", f"No page {path}"))
            return
        headers = {"Content-Type": CONTENT_TYPES[file.suffix], "Cache-Control": "no-cache"}
        if file.suffix == ".html":
            headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        self._reply(Answer(HTTPStatus.OK, headers, file.read_bytes()))

    def _reply(self, answer: Answer) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)


def serve(
    api_url: str, client: object | None = None, host: str = "127.0.0.1", port: int = 8765, open_browser: bool = True
) -> None:
    """Serves the playground for the API at `api_url` until Ctrl-C. `client` signs what is
    forwarded: an object with `sign(method, url, headers, body) -> headers` (see
    `SigV4Signer.from_default_chain`), or None to forward unsigned (the local run)."""
    server = PlaygroundServer(api_url, signer=signer_for(client), host=host, port=port)
    print(f"Playground: {server.url}  (calls {server.api_url}; Ctrl-C stops it)", flush=True)
    if open_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
