"""Bedrock Runtime's failures as the service's errors: by error code, and by message for the
account and configuration problems Bedrock reports as ValidationException."""

from __future__ import annotations

import re

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
)

from imagegen.models.errors import (
    ImageServiceError,
    InternalError,
    ModelError,
    ModelTimeout,
    ModelUnavailable,
    Throttled,
    ValidationFailed,
)

# Bedrock answers some account and configuration problems with ValidationException, the code
# it also uses for a body the model rejects. These are the only messages matched anywhere: each
# known message and what the deployer has to do about it.
ACCOUNT_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^operation not allowed", re.IGNORECASE),
        "This AWS account may not call the model yet: accept its AWS Marketplace offer (open the model "
        "once in the Bedrock console's playground) or ask AWS to authorise the account for Bedrock.",
    ),
    (
        re.compile(r"^the provided model identifier is invalid", re.IGNORECASE),
        "The model is not served in the Bedrock region this deployment calls: set imagegen:bedrockRegion "
        "(and imagegen:inferenceProfilePrefix) to where the model is offered, and deploy again.",
    ),
    (
        # "Invocation of model ID ... with on-demand throughput isn't supported. Retry your request
        # with the ID or ARN of an inference profile that contains this model."
        re.compile(r"with on-demand throughput isn.t supported", re.IGNORECASE),
        "The model cannot be called on demand by its bare id in this region: it needs an inference profile. "
        "Set imagegen:inferenceProfilePrefix (e.g. us.) or imagegen:bedrockRegion, and deploy again.",
    ),
)


def account_problem(message: str) -> str | None:
    """What to fix, when a ValidationException's message names an account or configuration problem."""
    for pattern, advice in ACCOUNT_PROBLEMS:
        if pattern.search(message.strip()):
            return advice
    return None


def from_client_error(error: ClientError) -> ImageServiceError:
    code = error.response.get("Error", {}).get("Code", "")
    message = error.response.get("Error", {}).get("Message", "") or code
    if code in ("ThrottlingException", "ServiceQuotaExceededException"):
        return Throttled("The model is receiving too many requests; try again later.")
    if code == "ModelTimeoutException":
        return ModelTimeout("The model took too long to generate the image.")
    if code in ("ModelErrorException", "InternalServerException"):
        return ModelError("The model failed to generate the image.")
    if code in ("ModelNotReadyException", "ServiceUnavailableException"):
        return ModelUnavailable("The model is not available right now; try again later.")
    if code in ("AccessDeniedException", "ResourceNotFoundException"):
        # Not worth queueing again: the model's AWS Marketplace subscription in this account (or
        # the role's permission) is missing, which takes someone to fix.
        return ModelUnavailable(
            "This deployment cannot use the model (is its AWS Marketplace subscription in place?).",
            retryable=False,
        )
    if code == "ValidationException":
        problem = account_problem(message)
        if problem is not None:
            # Not the caller's request: the account or the deployment's configuration, which
            # takes someone to fix, so a job does not queue it again.
            return ModelUnavailable(problem, retryable=False)
        return ValidationFailed(f"The model rejected the request: {message}", details={"source": "model"})
    return InternalError(f"Unexpected Bedrock error {code or 'without a code'}.")


def from_botocore_error(error: BotoCoreError) -> ImageServiceError:
    if isinstance(error, ReadTimeoutError):
        return ModelTimeout("The model did not answer within the client's timeout.")
    if isinstance(error, (ConnectTimeoutError, ConnectionError)):
        return ModelUnavailable("Could not reach Amazon Bedrock.")
    return InternalError("Unexpected error calling Amazon Bedrock.")
