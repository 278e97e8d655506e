"""Image generation on Amazon Bedrock (Stability AI models), stored in S3."""
