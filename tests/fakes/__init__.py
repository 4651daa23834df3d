"""In-memory fakes of the ports, for unit tests (never shipped in the layer)."""
