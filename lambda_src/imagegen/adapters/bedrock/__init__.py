"""Amazon Bedrock Runtime: the client with its retry policy, and the image model on top of it."""

from imagegen.adapters.bedrock.client import create_client
from imagegen.adapters.bedrock.model import BedrockImageModel

__all__ = ["BedrockImageModel", "create_client"]
