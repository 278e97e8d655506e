"""The CDK infrastructure of the image generation service.

infra builds the API Gateway request model from the runtime's own request model and takes
the model ids from its catalog, so the Lambda source directory must be importable here.
"""

import sys
from pathlib import Path

_LAMBDA_SOURCE = str(Path(__file__).resolve().parent.parent / "lambda_src")
if _LAMBDA_SOURCE not in sys.path:
    sys.path.append(_LAMBDA_SOURCE)
