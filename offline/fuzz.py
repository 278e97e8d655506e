"""`make fuzz`: schemathesis against the local run's OpenAPI document, with every check, positive
and negative data and the stateful phase, on a service this command starts on free ports and
stops afterwards. Exits with schemathesis's status.

    python -m offline.fuzz ST [schemathesis options...]

ST is the `st` command; the options given after it are added to (and may override) these.

The service runs as deployed with IAM authorization: unsigned requests are refused, and the
fuzzer signs its own (in due form; the local API Gateway does not check signatures), so that
schemathesis's authentication checks test what API Gateway does."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from offline.lambda_events import REGION
from offline.service import OfflineConfig, OfflineService

MAX_EXAMPLES = 50  # test cases per operation and phase: a run of a minute or two
SIGNATURE_HEADERS = (
    f"Authorization: AWS4-HMAC-SHA256 Credential=FUZZER/20261201/{REGION}/execute-api/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0000",
    "X-Amz-Date: 20261201T000000Z",
)
# POST /jobs answers 422 idempotency_key_reused, as the contract says, when the fuzzer sends an
# Idempotency-Key it already sent with another body: a valid answer to a schema-valid request.
# A body over the contract's 64 KiB is refused with 413 payload_too_large, whatever else is wrong
# with it: a rejection of invalid data like the statuses schemathesis expects by default.
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]

[[operations]]
include-path = "/jobs"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def schemathesis_command(st: str, api_url: str, config_file: Path, extra: list[str]) -> list[str]:
    return [
        st,
        "--config-file",
        str(config_file),
        "run",
        f"{api_url}/openapi.json",
        "--url",
        api_url,
        "--checks",
        "all",
        "--mode",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--request-timeout",
        "60",
        *(option for header in SIGNATURE_HEADERS for option in ("--header", header)),
        *extra,
    ]


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    st, *extra = argv
    st = os.path.abspath(shutil.which(st) or st)  # schemathesis runs in another directory
    config = OfflineConfig(
        port=_free_port(),
        s3_port=_free_port(),
        bedrock_port=_free_port(),
        # Failed jobs retry at once; the functions' warnings and errors still show.
        function_env={"RETRY_BACKOFF_SECONDS": "0", "POWERTOOLS_LOG_LEVEL": "WARNING"},
        require_signature=True,
    )
    with tempfile.TemporaryDirectory() as directory, OfflineService(config) as service:
        config_file = Path(directory) / "schemathesis.toml"
        config_file.write_text(CONFIG)
        print(f"Fuzzing {service.api_url}/openapi.json", flush=True)
        command = schemathesis_command(st, service.api_url, config_file, extra)
        # Run from the temporary directory: schemathesis keeps its example database and reports
        # in the working directory, and none of that belongs in the repository.
        return subprocess.run(command, cwd=directory, check=False).returncode  # noqa: S603 (make names st)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
