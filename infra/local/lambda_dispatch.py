"""Route moto's Lambda invocations (Step Functions' lambda:invoke tasks among them) to our in-process handlers.

moto without Docker only echoes payloads; this replaces the invoke of its Docker-less backend, so a
state machine's Lambda task runs our real handler, and a raised exception becomes a FunctionError that the
state machine's Catch sees, as on AWS.
"""

from __future__ import annotations

import json
import traceback
from typing import Any

from moto.awslambda_simple.models import LambdaSimpleBackend

from infra.local.functions import Functions


def install(functions: Functions) -> None:
    def invoke(
        self: LambdaSimpleBackend,
        function_name: str,
        qualifier: str | None,
        body: Any,
        headers: Any,
        response_headers: Any,
    ) -> bytes:
        fn = self.get_function(function_name, qualifier)
        event = json.loads(body) if body else {}
        try:
            result = functions.by_local_name(fn.function_name).invoke(event)
        except Exception as e:
            response_headers["x-amz-function-error"] = "Unhandled"
            error = {
                "errorType": type(e).__name__,
                "errorMessage": str(e),
                "stackTrace": traceback.format_tb(e.__traceback__),
            }
            return json.dumps(error).encode()
        return json.dumps(result).encode()

    LambdaSimpleBackend.invoke = invoke  # type: ignore[method-assign]
