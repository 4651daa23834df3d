"""The staff workspace: what waits for a clerk's department across applications and one-stop cases."""
