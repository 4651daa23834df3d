"""Enrolled devices: kiosks and ticket machines that staff enrol with a one-time code and can revoke."""
