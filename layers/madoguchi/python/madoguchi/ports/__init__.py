"""Ports: the small abstract interfaces logic depends on. Adapters live in madoguchi.adapters."""
