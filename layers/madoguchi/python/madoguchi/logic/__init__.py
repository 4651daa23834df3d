"""Business rules as plain Python: models and ports in, models out, domain errors raised."""
