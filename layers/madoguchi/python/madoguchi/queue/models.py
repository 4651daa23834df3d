"""Queue tickets (整理券) at the city's counters: counters and services, tickets, the cached counter status.

A ticket's number is unique and gap-free per counter and day (Asia/Tokyo). The ticket id carries counter, day,
number and a random key, so the public status page can be found from the id alone and ids cannot be guessed.
Nothing here is personal data: a ticket holds a number, a service, times and, if the resident opted in, a
LINE user id or a Web Push subscription (ids only, no names).
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from madoguchi.shared.i18n import Lang, Localized, pick

TOKYO = ZoneInfo("Asia/Tokyo")

TicketState = Literal["waiting", "called", "absent", "done", "transferred", "cancelled"]
Priority = Literal["appointment", "assistance"]
# States whose tickets still belong in the counter's live status.
LIVE: tuple[TicketState, ...] = ("waiting", "called", "absent")


class Service(BaseModel):
    id: str
    name: Localized
    minutes: int = Field(description="Typical service time at the desk, before any history is learned")


class Counter(BaseModel):
    id: str
    department: str = Field(description="Department (madoguchi.departments) whose staff call at this counter")
    name: Localized
    desks: int = Field(description="Desks usually open, for the wait estimate")
    services: list[Service]

    def service(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)


def _s(sid: str, minutes: int, ja: str, en: str, pt: str, vi: str, zh: str, easy: str) -> Service:
    return Service(id=sid, minutes=minutes, name={"ja": ja, "en": en, "pt": pt, "vi": vi, "zh": zh, "ja-easy": easy})


COUNTERS: dict[str, Counter] = {
    c.id: c
    for c in (
        Counter(
            id="shimin_cert",
            department="shimin",
            desks=3,
            name={
                "ja": "市民課 証明書",
                "en": "Certificates",
                "pt": "Certidões",
                "vi": "Giấy chứng nhận",
                "zh": "证明书",
                "ja-easy": "しょうめいしょ",
            },
            services=[
                _s(
                    "juminhyo",
                    6,
                    "住民票の写し",
                    "Residence certificate",
                    "Atestado de residência",
                    "Giấy chứng nhận cư trú",
                    "住民票副本",
                    "じゅうみんひょう",
                ),
                _s(
                    "inkan",
                    5,
                    "印鑑登録証明書",
                    "Seal registration certificate",
                    "Certificado de registro de carimbo",
                    "Giấy chứng nhận đăng ký con dấu",
                    "印章登记证明",
                    "いんかん とうろく しょうめいしょ",
                ),
                _s(
                    "koseki",
                    8,
                    "戸籍証明書",
                    "Family register certificate",
                    "Certidão de registro familiar",
                    "Giấy chứng nhận hộ tịch",
                    "户籍证明",
                    "こせき しょうめいしょ",
                ),
            ],
        ),
        Counter(
            id="shimin_idou",
            department="shimin",
            desks=3,
            name={
                "ja": "市民課 転入・転出",
                "en": "Moving in and out",
                "pt": "Mudança de endereço",
                "vi": "Chuyển đến và chuyển đi",
                "zh": "迁入・迁出",
                "ja-easy": "ひっこし",
            },
            services=[
                _s(
                    "tennyu",
                    20,
                    "転入届",
                    "Moving-in notification",
                    "Notificação de mudança (entrada)",
                    "Thông báo chuyển đến",
                    "迁入申报",
                    "ひっこして きた",
                ),
                _s(
                    "tenshutsu",
                    12,
                    "転出届",
                    "Moving-out notification",
                    "Notificação de mudança (saída)",
                    "Thông báo chuyển đi",
                    "迁出申报",
                    "ひっこして いく",
                ),
                _s(
                    "tenkyo",
                    15,
                    "転居届",
                    "Change of address in the city",
                    "Mudança dentro da cidade",
                    "Thay đổi địa chỉ trong thành phố",
                    "市内搬迁",
                    "しの なかで ひっこし",
                ),
            ],
        ),
        Counter(
            id="shimin_koseki",
            department="shimin",
            desks=2,
            name={
                "ja": "市民課 戸籍の届出",
                "en": "Family register notifications",
                "pt": "Registro civil",
                "vi": "Đăng ký hộ tịch",
                "zh": "户籍申报",
                "ja-easy": "こせきの とどけ",
            },
            services=[
                _s(
                    "konin",
                    20,
                    "婚姻届",
                    "Marriage notification",
                    "Registro de casamento",
                    "Đăng ký kết hôn",
                    "结婚申报",
                    "けっこんの とどけ",
                ),
                _s(
                    "shussei",
                    15,
                    "出生届",
                    "Birth notification",
                    "Registro de nascimento",
                    "Đăng ký khai sinh",
                    "出生申报",
                    "こどもが うまれた とどけ",
                ),
            ],
        ),
        Counter(
            id="hoken",
            department="hoken",
            desks=3,
            name={
                "ja": "保険年金",
                "en": "Health insurance and pension",
                "pt": "Seguro de saúde e pensão",
                "vi": "Bảo hiểm y tế và lương hưu",
                "zh": "保险・年金",
                "ja-easy": "ほけんと ねんきん",
            },
            services=[
                _s(
                    "kokuho",
                    15,
                    "国民健康保険",
                    "National Health Insurance",
                    "Seguro Nacional de Saúde",
                    "Bảo hiểm y tế quốc dân",
                    "国民健康保险",
                    "こくみん けんこう ほけん",
                ),
                _s(
                    "nenkin",
                    15,
                    "国民年金",
                    "National Pension",
                    "Pensão Nacional",
                    "Lương hưu quốc dân",
                    "国民年金",
                    "こくみん ねんきん",
                ),
            ],
        ),
        Counter(
            id="zei",
            department="zei",
            desks=2,
            name={
                "ja": "市民税",
                "en": "Municipal tax",
                "pt": "Imposto municipal",
                "vi": "Thuế thị dân",
                "zh": "市民税",
                "ja-easy": "しの ぜいきん",
            },
            services=[
                _s(
                    "shotoku",
                    7,
                    "所得課税証明書",
                    "Income and tax certificate",
                    "Certificado de renda e imposto",
                    "Giấy chứng nhận thu nhập và thuế",
                    "所得课税证明",
                    "しょとくの しょうめいしょ",
                ),
                _s(
                    "shinkoku",
                    20,
                    "市県民税の申告",
                    "Municipal tax return",
                    "Declaração de imposto municipal",
                    "Khai thuế thị dân",
                    "市县民税申报",
                    "ぜいきんの しんこく",
                ),
            ],
        ),
        Counter(
            id="kodomo",
            department="kodomo",
            desks=2,
            name={
                "ja": "こども",
                "en": "Children and families",
                "pt": "Crianças e famílias",
                "vi": "Trẻ em và gia đình",
                "zh": "儿童・家庭",
                "ja-easy": "こども",
            },
            services=[
                _s(
                    "jido_teate",
                    15,
                    "児童手当",
                    "Child allowance",
                    "Auxílio infantil",
                    "Trợ cấp nhi đồng",
                    "儿童津贴",
                    "こどもの てあて",
                ),
                _s(
                    "iryohi",
                    10,
                    "子ども医療費助成",
                    "Children's medical expense aid",
                    "Auxílio médico infantil",
                    "Hỗ trợ chi phí y tế trẻ em",
                    "儿童医疗费补助",
                    "こどもの びょういん だい",
                ),
            ],
        ),
        Counter(
            id="okuyami",
            department="onestop",
            desks=2,
            name={
                "ja": "おくやみ窓口（ワンストップ）",
                "en": "Bereavement one-stop counter",
                "pt": "Balcão único para falecimentos",
                "vi": "Quầy một cửa về tang lễ",
                "zh": "丧事一站式窗口",
                "ja-easy": "なくなった ひとの てつづき",
            },
            services=[
                _s(
                    "okuyami",
                    40,
                    "おくやみ手続き",
                    "Procedures after a death",
                    "Procedimentos após falecimento",
                    "Thủ tục sau khi có người mất",
                    "逝世后手续",
                    "なくなった あとの てつづき",
                ),
            ],
        ),
    )
}


def counter(counter_id: str) -> Counter | None:
    return COUNTERS.get(counter_id)


def service_day(at: datetime) -> date:
    """The counter's day of an instant: tickets number from 1 each day in Asia/Tokyo."""
    return at.astimezone(TOKYO).date()


def new_key() -> str:
    return secrets.token_hex(4)


def ticket_id(counter_id: str, day: date, number: int, key: str) -> str:
    return f"{counter_id}-{day:%Y%m%d}-{number}-{key}"


def parse_ticket_id(value: str) -> tuple[str, date, int, str] | None:
    """(counter, day, number, key) of a well-formed id, else None."""
    parts = value.rsplit("-", 3)
    if len(parts) != 4:
        return None
    counter_id, day, number, key = parts
    try:
        parsed = datetime.strptime(day, "%Y%m%d").date()
        n = int(number)
    except ValueError:
        return None
    if counter_id not in COUNTERS or n < 1 or len(key) != 8 or not all(c in "0123456789abcdef" for c in key):
        return None
    return counter_id, parsed, n, key


class WebPushSubscription(BaseModel):
    """What the browser's PushManager.subscribe() returns (PushSubscription.toJSON())."""

    endpoint: str = Field(pattern=r"^https?://", max_length=1000)
    keys: dict[str, str] = Field(description="p256dh and auth, base64url")


class Notify(BaseModel):
    """A resident's opt-in on one ticket: ids only, never a name."""

    lang: Lang = "ja"
    ahead: int = Field(default=3, ge=0, le=50, description="Tell me when this many tickets or fewer are ahead")
    line_user_id: str | None = None
    webpush: WebPushSubscription | None = None


class Ticket(BaseModel):
    id: str
    counter: str
    day: date
    number: int
    key: str
    service: str
    priority: Priority | None = None
    state: TicketState = "waiting"
    arrived_at: datetime = Field(description="First arrival at city hall: kept through transfers")
    issued_at: datetime
    issued_by: str = Field(description="Device id of the ticket machine or kiosk, or staff id for a transfer")
    called_at: datetime | None = None
    first_called_at: datetime | None = None
    called_by: str | None = None
    desk: str | None = None
    recalls: int = 0
    absent_until: datetime | None = None
    completed_at: datetime | None = None
    wait_seconds: int | None = None
    service_seconds: int | None = None
    transferred_to: str | None = None
    transferred_from: str | None = None
    notify: Notify | None = None
    expires_at: int = Field(description="Epoch seconds, for DynamoDB TTL")

    @property
    def priority_rank(self) -> int:
        return 0 if self.priority else 1

    def order(self) -> tuple[int, datetime, str, int]:
        """Call order: priority tickets (booked appointment, needs help) first, then by first arrival."""
        return (self.priority_rank, self.arrived_at, self.day.isoformat(), self.number)


class StatusEntry(BaseModel):
    number: int
    key: str = Field(exclude=True)  # stored in the cache to verify ticket ids, never returned
    service: str
    priority: Priority | None = None
    state: TicketState
    arrived_at: datetime
    called_at: datetime | None = None
    desk: str | None = None
    recalls: int = 0
    absent_until: datetime | None = None
    transferred_from: bool = False
    # Whether the holder opted in (no ids here: those stay on the ticket item)
    notify_line: bool = False
    notify_webpush: bool = False
    notify_ahead: int | None = None
    # Whether the notice was claimed: set in the same write as the change that made it due, which owes the
    # notice to the outbox (madoguchi.queue.effects): claimed once, delivered once
    notified_ahead: bool = False
    notified_called: bool = False


class CounterStatus(BaseModel):
    """The counter day's live status: live tickets in call order and the day's running aggregate. Written in
    the same transaction as every ticket change (madoguchi.queue.service.status.Advance), so reading it costs
    one item whatever the length of the day."""

    counter: str
    day: date
    rev: int = 0
    updated_at: datetime
    last_issued: int = 0
    entries: list[StatusEntry] = Field(default_factory=list, description="Live tickets in call order")
    served: int = 0
    mean_service_seconds: float | None = None
    mean_wait_seconds: float | None = None
    stats: DayStats | None = Field(default=None, description="The day's aggregate so far")

    @classmethod
    def empty(cls, counter: str, day: date) -> CounterStatus:
        """A counter day before its first ticket."""
        return cls(counter=counter, day=day, updated_at=datetime(1970, 1, 1, tzinfo=UTC))

    def waiting(self, now: datetime) -> list[StatusEntry]:
        return [e for e in self.entries if e.state == "waiting"]

    def called(self) -> list[StatusEntry]:
        return sorted(
            (e for e in self.entries if e.state == "called"), key=lambda e: e.called_at or e.arrived_at, reverse=True
        )


class DayStats(BaseModel):
    """Stored aggregate of one counter's day: what the staff console charts and the forecast learns from."""

    counter: str
    day: date
    tickets: int = 0
    served: int = 0
    no_show: int = 0
    bands: dict[str, BandStats] = Field(default_factory=dict)
    services: dict[str, ServiceStats] = Field(default_factory=dict)


class BandStats(BaseModel):
    tickets: int = 0
    wait_seconds_sum: int = 0
    served: int = 0


class ServiceStats(BaseModel):
    served: int = 0
    wait_seconds_sum: int = 0
    service_seconds_sum: int = 0


DayStats.model_rebuild()
CounterStatus.model_rebuild()

# Time bands of the congestion calendar (Asia/Tokyo), from opening 8:30 to closing 17:15.
BANDS: tuple[tuple[str, str, str], ...] = (
    ("morning", "08:30", "11:00"),
    ("midday", "11:00", "14:00"),
    ("afternoon", "14:00", "17:15"),
)


def band_of(at: datetime) -> str:
    hhmm = at.astimezone(TOKYO).strftime("%H:%M")
    for band, _, end in BANDS:
        if hhmm < end:
            return band
    return BANDS[-1][0]


def ttl(now: datetime, days: int) -> int:
    return int((now + timedelta(days=days)).timestamp())


def tokyo_now(now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(TOKYO)


# What a LINE or Web Push message may say: the number, the counter and a link. Nothing about the person.
NoticeKind = Literal["ahead", "called"]
NOTICE_AHEAD: Localized = {
    "ja": "【{counter}】番号 {number}：あと {ahead} 人でお呼びします。{link}",
    "ja-easy": "【{counter}】ばんごう {number}：あと {ahead} にんで よびます。{link}",
    "en": "[{counter}] Number {number}: {ahead} ahead of you. {link}",
    "pt": "[{counter}] Número {number}: faltam {ahead} pessoas. {link}",
    "vi": "[{counter}] Số {number}: còn {ahead} người trước bạn. {link}",
    "zh": "【{counter}】{number}号：前面还有 {ahead} 人。{link}",
}
NOTICE_CALLED: Localized = {
    "ja": "【{counter}】番号 {number} をお呼びしています。{desk}窓口へお越しください。{link}",
    "ja-easy": "【{counter}】ばんごう {number} の ばんです。{desk}まどぐちへ きて ください。{link}",
    "en": "[{counter}] Number {number} is being called. Please come to desk {desk}. {link}",
    "pt": "[{counter}] Número {number} está sendo chamado. Dirija-se ao guichê {desk}. {link}",
    "vi": "[{counter}] Đang gọi số {number}. Vui lòng đến quầy {desk}. {link}",
    "zh": "【{counter}】正在呼叫 {number} 号，请到 {desk} 号窗口。{link}",
}


def notice_text(kind: NoticeKind, ticket: Ticket, lang: Lang, link: str, ahead: int = 0) -> str:
    c = COUNTERS[ticket.counter]
    template = pick(NOTICE_AHEAD if kind == "ahead" else NOTICE_CALLED, lang)
    return template.format(
        counter=pick(c.name, lang), number=ticket.number, ahead=ahead, desk=ticket.desk or "", link=link
    )


# --- API requests and views ------------------------------------------------------------------------------


class IssueRequest(BaseModel):
    service: str = Field(min_length=1, max_length=40, description="Service id of the counter")
    priority: Priority | None = Field(default=None, description="appointment (booked) or assistance (needs help)")


class CallNext(BaseModel):
    desk: str = Field(min_length=1, max_length=10, description="Desk (窓口番号) the resident should come to")


class Transfer(BaseModel):
    to: str = Field(min_length=1, max_length=40, description="Counter id to hand the resident over to")
    service: str = Field(min_length=1, max_length=40, description="Service at that counter")


class NotifyRequest(BaseModel):
    ahead: int = Field(default=3, ge=0, le=50, description="Tell me when this many tickets or fewer are ahead")
    lang: Lang = "ja"
    webpush: WebPushSubscription | None = None


class LineNotifyRequest(BaseModel):
    """LINE notices go to the LINE account the signed-in resident linked; the request names no account."""

    ahead: int = Field(default=3, ge=0, le=50, description="Tell me when this many tickets or fewer are ahead")
    lang: Lang = "ja"


class TicketView(BaseModel):
    id: str
    number: int
    counter: str
    counter_name: str
    service: str
    service_name: str
    state: TicketState
    ahead: int | None = Field(description="Tickets to be called before this one (waiting only)")
    estimated_wait_minutes: int | None
    desk: str | None = None
    called_at: datetime | None = None
    absent_until: datetime | None = None
    transferred_to: str | None = None
    arrived_at: datetime
    notify_line: bool = False
    notify_webpush: bool = False
    notify_ahead: int | None = None


class TicketReceipt(TicketView):
    """The printable ticket: number, counter, people ahead, estimated wait and a QR code to the status page."""

    status_url: str
    qr_svg: str = Field(description="SVG QR code of status_url, for the ticket printer or kiosk screen")


class CalledView(BaseModel):
    number: int
    desk: str | None
    called_at: datetime | None
    recalls: int


class WaitingView(BaseModel):
    """Public: numbers and services only (who has priority, e.g. needs help, is for staff to see)."""

    number: int
    service: str
    state: TicketState
    absent_until: datetime | None = None


class StatusView(BaseModel):
    counter: str
    counter_name: str
    department: str
    day: date
    updated_at: datetime | None
    waiting: int
    estimated_wait_minutes: int
    last_issued: int
    calling: list[CalledView]
    queue: list[WaitingView] = Field(description="Live tickets in call order (numbers only)")
    served: int


class StaffTicketView(BaseModel):
    """What the staff console sees of a ticket it acts on."""

    id: str
    number: int
    counter: str
    service: str
    priority: Priority | None
    state: TicketState
    desk: str | None
    arrived_at: datetime
    called_at: datetime | None
    absent_until: datetime | None
    recalls: int
    wait_seconds: int | None
    service_seconds: int | None
    transferred_to: str | None
    transferred_from: str | None
    called_by_me: bool = Field(
        default=False, description="Called by the staff member asking: the ticket their console acts on"
    )


class StaffTicketList(BaseModel):
    tickets: list[StaffTicketView] = Field(description="Today's live tickets (called, waiting, absent) in call order")


class CallResult(BaseModel):
    ticket: StaffTicketView | None = Field(description="The called ticket, or null if nobody waits")


class ServiceInfo(BaseModel):
    id: str
    name: str
    minutes: int


class CounterInfo(BaseModel):
    id: str
    department: str
    name: str
    desks: int
    services: list[ServiceInfo]


class CounterList(BaseModel):
    counters: list[CounterInfo]


class LiveCounter(BaseModel):
    counter: str
    name: str
    waiting: int
    estimated_wait_minutes: int
    calling: list[int] = Field(description="Numbers being called, latest first")
    desks: list[str | None] = Field(description="Desk of each number in `calling`")
    level: Literal["low", "medium", "high"]


class CongestionNow(BaseModel):
    updated_at: datetime | None
    counters: list[LiveCounter]


class StatsDay(BaseModel):
    day: date
    tickets: int
    served: int
    no_show: int
    mean_wait_minutes: float | None
    bands: dict[str, float | None] = Field(description="Mean wait minutes per time band")


class StatsService(BaseModel):
    service: str
    name: str
    served: int
    mean_wait_minutes: float | None
    mean_service_minutes: float | None


class CounterStats(BaseModel):
    counter: str
    days: list[StatsDay]
    services: list[StatsService]


Action = Literal["recall", "absent", "requeue", "complete", "cancel"]


NOTICE_EFFECT = "queue.notice"  # the outbox effect that delivers a notice (madoguchi.queue.effects)


class OwedNotice(BaseModel):
    """The payload of a `queue.notice` effect: ids and counts only. Who gets it (the LINE account, the browser's
    subscription) and in which language is read from the ticket when the notice is delivered."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ticket: str = Field(description="The ticket id")
    notice: NoticeKind
    recalls: int = Field(ge=0, description="The ticket's recalls when the notice was owed (a called notice's call)")
    ahead: int = Field(ge=0, description="Tickets ahead when the notice was owed")
