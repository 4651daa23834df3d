"""Madoguchi's shared code: models, logic, ports and their adapters (deployed as a Lambda layer)."""
