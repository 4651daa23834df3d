"""The demo kiosk and ticket machine (docs/local-stack.md: `kiosk-1`, `ticket-1`), enrolled as a manager would
enrol them, so their tokens from the local provider pass the device check every device request gets."""

from __future__ import annotations

from datetime import UTC, datetime

from madoguchi.devices.dynamodb import device_item
from madoguchi.devices.models import Device, DeviceStatus
from madoguchi.shared.auth import DeviceKind
from madoguchi.shared.aws import dynamodb_table

DEMO_DEVICES = (
    ("kiosk-1", DeviceKind.KIOSK, "キオスク端末 1", "本庁 1階 市民課前"),
    ("ticket-1", DeviceKind.TICKET_MACHINE, "発券機 1", "本庁 1階 入口"),
)


def seed_devices(devices_table: str) -> int:
    table = dynamodb_table(devices_table)
    at = datetime(2026, 4, 1, tzinfo=UTC)
    for device_id, kind, label, location in DEMO_DEVICES:
        device = Device(
            id=device_id,
            kind=kind,
            label=label,
            location=location,
            status=DeviceStatus.ACTIVE,
            created_at=at,
            created_by="seed",
            enrolled_at=at,
        )
        table.put_item(Item=device_item(device))
    return len(DEMO_DEVICES)
