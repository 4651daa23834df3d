"""The local stack: moto in server mode, our handlers in-process, a gateway in front. Never deployed."""
