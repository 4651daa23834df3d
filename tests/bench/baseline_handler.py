"""The yardstick for cold start: a minimal Powertools + pydantic + boto3 handler (not deployed)."""

from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from pydantic import BaseModel

logger = Logger()
app = APIGatewayRestResolver(enable_validation=True)


class Item(BaseModel):
    id: str


@app.get("/items/<item_id>")
def get_item(item_id: str) -> Item:
    return Item(id=item_id)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)


def store() -> Any:
    return boto3.resource("dynamodb").Table("items")
