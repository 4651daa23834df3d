"""Software for the kiosk and counter PCs (not deployed to AWS)."""
