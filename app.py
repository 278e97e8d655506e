#!/usr/bin/env python3
"""The CDK app. `npx cdk synth` / `npx cdk deploy` run it (cdk.json); `python app.py` alone
synthesizes the same template into cdk.out/."""

import os
import sys
from pathlib import Path

from infra.application import build_app
from infra.config import ConfigError


def main() -> int:
    # The cdk CLI says where to write; run alone, the app writes where the CLI would.
    outdir = None if "CDK_OUTDIR" in os.environ else str(Path(__file__).resolve().parent / "cdk.out")
    try:
        app, _stack = build_app(outdir=outdir)
    except ConfigError as error:
        # A setting the deployment cannot use: the message names the key, a trace adds nothing.
        print(error, file=sys.stderr)
        return 1
    app.synth()
    return 0


if __name__ == "__main__":  # not when a worker process of the bundling imports it
    sys.exit(main())
