"""Card-reader bridge: reads the My Number card over PC/SC for the kiosk and staff pages on this PC."""
