"""The fixed demo users of docs/local-stack.md, signed in by the local OpenID Connect provider (oidc.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoUser:
    id: str
    role: str
    label: str
    department: str | None = None
    device_kind: str | None = None


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("resident-1", "resident", "市民 一郎 (resident)"),
    DemoUser("resident-2", "resident", "市民 花子 (resident)"),
    DemoUser("resident-pt", "resident", "Ana Souza (resident, Português)"),
    DemoUser("staff-shimin", "staff", "市民課 職員", department="shimin"),
    DemoUser("staff-hoken", "staff", "保険年金課 職員", department="hoken"),
    DemoUser("staff-zei", "staff", "市民税課 職員", department="zei"),
    DemoUser("staff-shisan", "staff", "資産税課 職員", department="shisan"),
    DemoUser("staff-kodomo", "staff", "こども未来課 職員", department="kodomo"),
    DemoUser("staff-onestop", "staff", "ワンストップ窓口 職員", department="onestop"),
    DemoUser("staff-chiku", "staff", "地区市民センター 職員", department="chiku"),
    DemoUser("staff-shisetsu", "staff", "施設管理課 職員", department="shisetsu"),
    DemoUser("staff-kanri", "staff", "窓口管理 (management)", department="kanri"),
    DemoUser("kiosk-1", "device", "キオスク端末 1 (kiosk)", device_kind="kiosk"),
    DemoUser("ticket-1", "device", "発券機 1 (ticket machine)", device_kind="ticket_machine"),
)


class UnknownUser(LookupError):
    pass
