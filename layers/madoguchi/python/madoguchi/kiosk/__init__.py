"""Kiosk self-service: My Number card authentication (JPKI) and certificate issuance at enrolled kiosks."""
