"""Lambda entry points: they parse the event and delegate to the domain modules."""
