"""Adapters of the ports: DynamoDB for the cloud and the local stack, in-memory for unit tests."""
