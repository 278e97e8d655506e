"""Offline runtime: run the service on one machine without an AWS account.

It serves the runtime from lambda_src/ and provisions what the stack declares, with the names
the runtime's contract module (imagegen.contract) gives both."""

import sys
from pathlib import Path

_RUNTIME = str(Path(__file__).resolve().parent.parent / "lambda_src")
if _RUNTIME not in sys.path:
    sys.path.append(_RUNTIME)
