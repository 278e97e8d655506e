"""The playground ships with the client package, which lives in client/ beside the service: its
tests import it from the source tree, as the local run does."""

import sys
from pathlib import Path

_CLIENT = str(Path(__file__).resolve().parents[2] / "client")
if _CLIENT not in sys.path:
    sys.path.insert(0, _CLIENT)
