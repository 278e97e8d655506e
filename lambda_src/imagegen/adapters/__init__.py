"""The only code that talks to AWS: Bedrock, the image store, the job store, the jobs queue,
the event bus. Each adapter stands alone (no adapter imports another) and speaks in models."""
