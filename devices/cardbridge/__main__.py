"""python -m devices.cardbridge --origin https://madoguchi.city.example [--port 8765] [--reader NAME]"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from types import FrameType

from devices.cardbridge.bridge import BridgeConfig, CardBridge
from devices.cardbridge.server import BridgeServer

DEFAULT_PORT = 8765


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devices.cardbridge", description=__doc__)
    parser.add_argument("--origin", action="append", required=True, help="the site allowed to call (repeatable)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--reader", help="part of the reader's PC/SC name (default: the first with a card)")
    parser.add_argument(
        "--allow-last-pin-try", action="store_true", help="let a resident spend the last PIN try (counter PCs)"
    )
    parser.add_argument(
        "--individual-number-procedure",
        action="append",
        default=[],
        help="procedure id that legally needs the 個人番号 (repeatable; none by default)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    bridge = CardBridge(
        BridgeConfig(
            reader=args.reader,
            allow_last_pin_try=args.allow_last_pin_try,
            individual_number_procedures=frozenset(args.individual_number_procedure),
        )
    )
    server = BridgeServer(bridge, frozenset(origin.rstrip("/") for origin in args.origin), port=args.port)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    bridge.start_monitor()
    # The port line lets a supervisor (or a test) find a port chosen with --port 0.
    print(f"cardbridge listening on http://127.0.0.1:{server.port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        bridge.stop_monitor()
    return 0


if __name__ == "__main__":
    sys.exit(main())
