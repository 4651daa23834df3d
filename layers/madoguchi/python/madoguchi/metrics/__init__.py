"""Measuring the plan: domain events in, counters per procedure × channel × month and day out (docs/metrics.md)."""
