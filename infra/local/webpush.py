"""A browser push service, locally (queue context): records what the application server POSTs to a Web Push
subscription whose endpoint points here. The local stack lists its origin in WEBPUSH_ORIGINS, the setting
through which a deployment may allow further push services; the code path is the cloud's."""

from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response


class PushStandIn:
    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.server: BaseWSGIServer | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.received.append((request.path, dict(request.headers), request.get_data()))
        return Response(status=201)(environ, start_response)

    def start(self) -> PushStandIn:
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        threading.Thread(target=self.server.serve_forever, name="push-standin", daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
