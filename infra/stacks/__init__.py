"""The Madoguchi stacks, built from infra/catalogue.py."""
