"""Lambda entry points: each parses its event, calls the logic with the adapters its function's
composition root built, and shapes the answer."""
