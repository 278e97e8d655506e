"""A local Amazon Bedrock Runtime (InvokeModel) for the Stability AI image models.

boto3's ``bedrock-runtime`` client pointed at it (``endpoint_url=`` or
``AWS_ENDPOINT_URL_BEDROCK_RUNTIME``) runs unchanged: signing, JSON, error parsing, retries.
"""

from .emulator import BedrockEmulator
from .faults import CONFIGURATION_FAULT_MESSAGES, FAULTS

__all__ = ["CONFIGURATION_FAULT_MESSAGES", "FAULTS", "BedrockEmulator"]
