"""LINE official account webhook: POST /line/webhook.

Called by LINE's platform, not by a signed-in user: the X-Line-Signature header (HMAC-SHA256 of the raw body
with the channel secret) is the only proof it comes from LINE, checked with the official line-bot-sdk before
anything is read. A missing or wrong signature is 401 (the caller failed to authenticate; nothing is
processed). Text messages are answered with the FAQ chat's answer through the Messaging API reply; only
public FAQ text, a phone number and links go back over LINE, and the user's message is never echoed or logged.
"""

from __future__ import annotations

import base64
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from madoguchi.faq.line_chat import answer_texts
from madoguchi.faq.service import FaqDeps
from madoguchi.shared import clock
from madoguchi.shared.api import SIGNED_IN, make_resolver
from madoguchi.shared.errors import Unauthorized
from madoguchi.shared.secrets import secret
from madoguchi.wiring import faq_store, line_messenger


class LineAck(BaseModel):
    """LINE ignores the body; an empty object."""


logger = Logger()
metrics = Metrics()
app = make_resolver()


@app.post(
    "/line/webhook",
    summary="LINE Messaging API webhook (signed by LINE with the channel secret)",
    tags=["line"],
    responses={401: SIGNED_IN[401], 200: {"description": "Accepted (LINE expects 200 for every verified delivery)"}},
)
def webhook() -> LineAck:
    from linebot.v3 import WebhookParser
    from linebot.v3.exceptions import InvalidSignatureError
    from linebot.v3.webhooks import MessageEvent, TextMessageContent

    event = app.current_event
    raw = event.body or ""
    body = base64.b64decode(raw).decode() if event.is_base64_encoded else raw
    signature = event.headers.get("X-Line-Signature") or ""
    if not signature:
        raise Unauthorized()
    try:
        events = WebhookParser(secret("line")["channel_secret"]).parse(body, signature)
    except InvalidSignatureError as e:
        logger.warning("LINE webhook with an invalid signature")
        raise Unauthorized() from e
    now = clock.now()
    for item in events if isinstance(events, list) else []:
        if isinstance(item, MessageEvent) and isinstance(item.message, TextMessageContent) and item.reply_token:
            texts = answer_texts(item.message.text, FaqDeps(store=faq_store()), now)
            line_messenger().reply(item.reply_token, texts)
            metrics.add_metric(name="LineFaqReply", unit="Count", value=1)
    return LineAck()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
