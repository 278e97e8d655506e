"""BedrockEmulator: the server on a background thread, for tests and the local run."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from .faults import EmulatorState, parse_fault, parse_latency
from .server import EmulatorHTTPServer


class BedrockEmulator:
    """A Bedrock Runtime InvokeModel endpoint on host:port (port 0 picks a free one)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._requested_port = port
        self.state = EmulatorState()
        self._stopping = threading.Event()
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("The emulator is not running; call start() first.")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> BedrockEmulator:
        """Bind and serve on a daemon thread; the socket accepts connections on return."""
        if self._server is not None:
            raise RuntimeError("The emulator is already running.")
        self._stopping.clear()
        server = EmulatorHTTPServer((self.host, self._requested_port), self.state, self._stopping)
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="bedrock-emulator", daemon=True
        )
        self._server = server
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections and close the socket; safe to call twice."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        self._stopping.set()  # ends latency waits early
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join()

    # In-process shortcuts to the controls the HTTP endpoints expose.
    def reset(self) -> None:
        self.state.reset()

    def arm_fault(self, name: str, times: int = 1) -> None:
        self.state.arm(*parse_fault({"fault": name, "times": times}))

    def set_latency(self, ms: int) -> None:
        self.state.set_latency(parse_latency({"ms": ms}))

    def invocations(self) -> dict[str, Any]:
        return self.state.invocations()

    def __enter__(self) -> BedrockEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
