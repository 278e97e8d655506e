#!/usr/bin/env python3
"""The CDK app. `npx cdk synth` / `npx cdk deploy` run it (cdk.json); `python app.py` alone
synthesizes the same template into cdk.out/."""

import os
from pathlib import Path

from infra.application import build_app


def main() -> None:
    # The cdk CLI says where to write; run alone, the app writes where the CLI would.
    outdir = None if "CDK_OUTDIR" in os.environ else str(Path(__file__).resolve().parent / "cdk.out")
    app, _stack = build_app(outdir=outdir)
    app.synth()


if __name__ == "__main__":  # not when a worker process of the bundling imports it
    main()
