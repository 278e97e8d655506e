"""Offline runtime: run the service on one machine without an AWS account."""
