"""Run the Bedrock Runtime emulator: python -m offline.bedrock_emulator [--host H] [--port P]."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from types import FrameType

from .emulator import BedrockEmulator
from .faults import FAULTS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.bedrock_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BEDROCK_PORT", "3002")))
    args = parser.parse_args(argv)

    done = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    # SIGTERM (e.g. from a process manager) stops as cleanly as Ctrl-C.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    emulator = BedrockEmulator(args.host, args.port)
    try:
        emulator.start()
    except OSError as error:
        print(f"Cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    try:
        print(
            f"Bedrock Runtime emulator listening on {emulator.url} "
            f"(AWS_ENDPOINT_URL_BEDROCK_RUNTIME={emulator.url}; faults: {', '.join(FAULTS)})",
            flush=True,
        )
        while not done.wait(1.0):
            pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
