"""`make load`: the city's busiest hour against the local stack (locust)."""
