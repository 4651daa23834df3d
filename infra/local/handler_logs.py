"""A copy of what our handlers log, line for line as CloudWatch would receive it, written to a file.

Every in-process container's Powertools `Logger()` shares one stdlib logger (named by POWERTOOLS_SERVICE_NAME,
"service_undefined" locally, where all functions share one process) and one Powertools handler whose formatter
holds the keys appended per invocation (cold start, function name, correlation id). The tee below sits beside that
handler and formats each record with the Powertools handler's own formatter, so the file holds exactly the JSON
lines the functions print. Child loggers (`Logger(child=True)`) propagate to it. The test suite captures these
files and scans them for personal data (tests/privacy).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path


class HandlerLogTee(logging.Handler):
    def __init__(self, path: Path) -> None:
        super().__init__(level=logging.NOTSET)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("a", encoding="utf-8")
        self._write_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        logger = logging.getLogger(service_logger_name())
        powertools = getattr(logger, "powertools_handler", None)
        formatter = powertools.formatter if powertools is not None and powertools.formatter else None
        try:
            line = formatter.format(record) if formatter else self.format(record)
        except Exception:  # a line that cannot be formatted is still captured, raw
            line = f"{record.levelname} {record.name} {record.getMessage()}"
        with self._write_lock:
            self._file.write(line.replace("\n", "\\n") + "\n")
            self._file.flush()

    def close(self) -> None:
        with self._write_lock:
            self._file.close()
        super().close()


def service_logger_name() -> str:
    return os.environ.get("POWERTOOLS_SERVICE_NAME", "service_undefined")


def capture(path: Path) -> HandlerLogTee:
    """Start copying the handlers' log lines to `path` (appended); `release` stops it."""
    tee = HandlerLogTee(path)
    logging.getLogger(service_logger_name()).addHandler(tee)
    return tee


def release(tee: HandlerLogTee) -> None:
    logging.getLogger(service_logger_name()).removeHandler(tee)
    tee.close()
