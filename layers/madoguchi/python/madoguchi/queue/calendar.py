"""The congestion calendar: the nightly job that learns and writes the coming months, and the ways it is read
(JSON for pages and apps, iCalendar for residents' calendars, a month page in HTML that needs no JavaScript)."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from madoguchi.queue.models import BANDS, COUNTERS, TOKYO
from madoguchi.queue.store import QueueStore
from madoguchi.shared.errors import InvalidInput, NotFound
from madoguchi.shared.i18n import Lang, pick

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
HISTORY_DAYS = 3 * 365


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_months(today: date, count: int) -> list[str]:
    out, y, m = [], today.year, today.month
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


Level = Literal["low", "medium", "high"]  # madoguchi.forecast.Level, without importing the model to read


def nightly(store: QueueStore, today: date, months_ahead: int = 3) -> dict[str, Any]:
    """Learn from the stored daily aggregates of every counter and write the calendar of this month and the
    next ones. Returns what it did (months written, rows learned, the effects found) for the job's log."""
    from madoguchi.queue import forecast

    since = today - timedelta(days=HISTORY_DAYS)
    history = {cid: store.day_stats(cid, since, today - timedelta(days=1)) for cid in COUNTERS}
    models = forecast.learn(history)
    months = next_months(today, months_ahead)
    learned_at = datetime.now(UTC).isoformat()
    for month in months:
        payload = forecast.predict_month(models, month)
        payload["learned_at"] = learned_at
        payload["effects"] = {cid: m.effects() for cid, m in models.items()}
        store.put_forecast(month, payload)
    return {
        "months": months,
        "rows": {cid: m.rows for cid, m in models.items()},
        "effects": {cid: m.effects() for cid, m in models.items()},
    }


# --- reading ------------------------------------------------------------------------------------------------
class BandView(BaseModel):
    band: str
    start: str
    end: str
    level: Level
    label: str
    wait_minutes: int


class DayView(BaseModel):
    date: date
    closed: bool
    holiday: str | None
    rokuyo: str
    bands: list[BandView]


class CalendarView(BaseModel):
    month: str
    counter: str | None = Field(description="The counter shown, or null for the busiest counter of each band")
    learned_at: str | None
    days: list[DayView]


LABELS: dict[str, dict[str, str]] = {
    "low": {"ja": "空いている", "ja-easy": "すいている", "en": "Quiet", "pt": "Tranquilo", "vi": "Vắng", "zh": "空闲"},
    "medium": {
        "ja": "やや混雑",
        "ja-easy": "すこし こんでいる",
        "en": "Somewhat busy",
        "pt": "Um pouco cheio",
        "vi": "Hơi đông",
        "zh": "稍拥挤",
    },
    "high": {"ja": "混雑", "ja-easy": "こんでいる", "en": "Busy", "pt": "Cheio", "vi": "Đông", "zh": "拥挤"},
    "closed": {"ja": "閉庁日", "ja-easy": "おやすみ", "en": "Closed", "pt": "Fechado", "vi": "Nghỉ", "zh": "休息日"},
}


def parse_month(value: str | None, now: datetime) -> str:
    if value is None:
        return month_of(now.astimezone(TOKYO).date())
    if not MONTH.match(value):
        raise InvalidInput([(["query", "month"], "queue_month_format")])
    return value


def calendar(store: QueueStore, month: str, counter: str | None, lang: Lang) -> CalendarView:
    if counter is not None and counter not in COUNTERS:
        raise InvalidInput([(["query", "counter"], "queue_unknown_counter")])
    payload = store.forecast(month)
    if payload is None:
        raise NotFound(month=month)
    days = []
    for d in payload["days"]:
        bands = []
        for b in d["bands"]:
            chosen = b["counters"].get(counter) if counter else b
            if chosen is None:
                continue
            bands.append(
                BandView(
                    band=b["band"],
                    start=b["start"],
                    end=b["end"],
                    level=chosen["level"],
                    label=pick(LABELS[chosen["level"]], lang),
                    wait_minutes=chosen["wait_minutes"],
                )
            )
        days.append(DayView(date=d["date"], closed=d["closed"], holiday=d["holiday"], rokuyo=d["rokuyo"], bands=bands))
    return CalendarView(month=month, counter=counter, learned_at=payload.get("learned_at"), days=days)


def ics(store: QueueStore, months: list[str], counter: str | None, lang: Lang, base_url: str) -> bytes:
    """One event per open day and band that is at least somewhat busy, so a resident's calendar shows when not
    to come (quiet bands are left out: they are the default)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Madoguchi//Congestion calendar//JA")
    cal.add("version", "2.0")
    cal.add(
        "x-wr-calname",
        pick(
            {
                "ja": "窓口の混雑予想",
                "en": "City hall congestion forecast",
                "pt": "Previsão de movimento da prefeitura",
                "vi": "Dự báo mức đông đúc",
                "zh": "窗口拥挤预测",
                "ja-easy": "まどぐちの こみぐあい よそう",
            },
            lang,
        ),
    )
    cal.add("x-wr-timezone", "Asia/Tokyo")
    for month in months:
        try:
            view = calendar(store, month, counter, lang)
        except NotFound:
            continue
        for d in view.days:
            for b in d.bands:
                if b.level == "low":
                    continue
                start = datetime.combine(d.date, datetime.strptime(b.start, "%H:%M").time(), TOKYO)
                end = datetime.combine(d.date, datetime.strptime(b.end, "%H:%M").time(), TOKYO)
                event = Event()
                event.add("uid", f"{d.date.isoformat()}-{b.band}-{counter or 'all'}@madoguchi")
                event.add("dtstamp", datetime.now(UTC))
                event.add("dtstart", start)
                event.add("dtend", end)
                event.add(
                    "summary",
                    f"{b.label}（{b.wait_minutes}分）"
                    if lang.startswith("ja") or lang == "zh"
                    else f"{b.label} (~{b.wait_minutes} min)",
                )
                event.add("url", f"{base_url.rstrip('/')}/congestion/")
                event.add("transp", "TRANSPARENT")
                cal.add_component(event)
    return bytes(cal.to_ical())


# --- the month page without JavaScript ---------------------------------------------------------------------------
PAGE_TEXT: dict[str, dict[str, str]] = {
    "title": {
        "ja": "窓口の混雑予想カレンダー",
        "ja-easy": "まどぐちの こみぐあい カレンダー",
        "en": "Congestion forecast calendar",
        "pt": "Calendário de previsão de movimento",
        "vi": "Lịch dự báo mức đông đúc",
        "zh": "窗口拥挤预测日历",
    },
    "intro": {
        "ja": "過去の発券記録から学習した、日ごと・時間帯ごとの混雑の予想です。",
        "ja-easy": "まえの きろくから よそうした こみぐあいです。",
        "en": "Expected congestion by day and time of day, learned from past tickets.",
        "pt": "Movimento previsto por dia e horário, aprendido com os atendimentos anteriores.",
        "vi": "Mức đông đúc dự kiến theo ngày và khung giờ, học từ dữ liệu trước đây.",
        "zh": "根据以往取号记录预测的每日各时段拥挤情况。",
    },
    "prev": {
        "ja": "前の月",
        "ja-easy": "まえの つき",
        "en": "Previous month",
        "pt": "Mês anterior",
        "vi": "Tháng trước",
        "zh": "上个月",
    },
    "next": {
        "ja": "次の月",
        "ja-easy": "つぎの つき",
        "en": "Next month",
        "pt": "Próximo mês",
        "vi": "Tháng sau",
        "zh": "下个月",
    },
    "all": {
        "ja": "すべての窓口（最も混む窓口）",
        "ja-easy": "ぜんぶの まどぐち",
        "en": "All counters (busiest)",
        "pt": "Todos os balcões (o mais cheio)",
        "vi": "Tất cả quầy (đông nhất)",
        "zh": "所有窗口（最拥挤）",
    },
    "show": {"ja": "表示", "ja-easy": "みる", "en": "Show", "pt": "Mostrar", "vi": "Xem", "zh": "显示"},
    "counter": {"ja": "窓口", "ja-easy": "まどぐち", "en": "Counter", "pt": "Balcão", "vi": "Quầy", "zh": "窗口"},
    "ics": {
        "ja": "カレンダーアプリに登録（.ics）",
        "ja-easy": "カレンダーに いれる（.ics）",
        "en": "Add to your calendar (.ics)",
        "pt": "Adicionar ao calendário (.ics)",
        "vi": "Thêm vào lịch (.ics)",
        "zh": "添加到日历（.ics）",
    },
    "minutes": {"ja": "分", "ja-easy": "ふん", "en": "min", "pt": "min", "vi": "phút", "zh": "分钟"},
    "missing": {
        "ja": "この月の予想はまだありません。",
        "ja-easy": "この つきの よそうは まだ ありません。",
        "en": "No forecast for this month yet.",
        "pt": "Ainda não há previsão para este mês.",
        "vi": "Chưa có dự báo cho tháng này.",
        "zh": "本月尚无预测。",
    },
    "change_lang": {"ja": "切り替える", "ja-easy": "かえる", "en": "Change", "pt": "Mudar", "vi": "Đổi", "zh": "切换"},
    "rokuyo": {
        "ja": "日付の横の「大安」「仏滅」などは六曜（ろくよう）という昔の暦の日の呼び方です。"
        "手続きには関係ありませんが、大安・友引の日は婚姻届などを出す人が多く、戸籍の窓口が混みやすくなります。",
        "ja-easy": "ひづけの よこの「大安（たいあん）」などは「ろくよう」と いう むかしの こよみです。"
        "てつづきには かんけい ありません。「大安」と「友引（ともびき）」の ひは けっこんの とどけが おおく、"
        "こむ ことが あります。",
        "en": "The word next to each date (大安 taian, 仏滅 butsumetsu, …) is the day's rokuyō, a traditional Japanese "
        "six-day cycle of lucky and unlucky days. It changes nothing at the counters, but many couples register "
        "their marriage on 大安 and 友引 days, so the family register counter is busier then.",
        "pt": "A palavra ao lado de cada data (大安 taian, 仏滅 butsumetsu, …) é o rokuyō do dia, um ciclo tradicional "
        "japonês de seis dias de sorte e azar. Não muda nada no atendimento, mas muitos casais registram o casamento "
        "nos dias 大安 e 友引, por isso o balcão de registro familiar (koseki) fica mais cheio nesses dias.",
        "vi": "Chữ bên cạnh mỗi ngày (大安 taian, 仏滅 butsumetsu, …) là rokuyō của ngày đó, chu kỳ sáu ngày truyền "
        "thống của Nhật Bản chỉ ngày tốt và ngày xấu. Nó không ảnh hưởng đến thủ tục, nhưng nhiều cặp đôi đăng ký kết "
        "hôn vào ngày 大安 và 友引 nên quầy hộ tịch (koseki) thường đông hơn vào những ngày này.",
        "zh": "日期旁的“大安”“佛灭”等是当天的六曜，即日本传统历法中表示吉凶的六日循环。它与窗口办理无关，"
        "但很多人在大安、友引日提交结婚申报，因此户籍窗口在这些日子较为拥挤。",
    },
}
# The site header, as every page of the web front end shows it: the same words as the web catalogues
# (web/src/i18n/<lang>.json, keys as here; tests/unit/test_translations.py holds them equal).
SITE_TEXT: dict[str, dict[str, str]] = {
    "app.name": {
        "ja": "市役所 窓口サービス",
        "en": "City Hall Counter Services",
        "pt": "Atendimento da Prefeitura",
        "vi": "Dịch vụ quầy Tòa thị chính",
        "zh": "市政府窗口服务",
        "ja-easy": "しやくしょの まどぐち",
    },
    "skip": {
        "ja": "本文へスキップ",
        "en": "Skip to main content",
        "pt": "Pular para o conteúdo principal",
        "vi": "Chuyển đến nội dung chính",
        "zh": "跳到主要内容",
        "ja-easy": "ほんぶんへ すすむ",
    },
    "language.label": {
        "ja": "言語（Language）",
        "en": "Language",
        "pt": "Idioma (Language)",
        "vi": "Ngôn ngữ (Language)",
        "zh": "语言（Language）",
        "ja-easy": "ことば（Language）",
    },
    "nav.label": {
        "ja": "サイト内のページ",
        "en": "Site sections",
        "pt": "Seções do site",
        "vi": "Các mục của trang",
        "zh": "网站导航",
        "ja-easy": "ページの いちらん",
    },
    "nav.applications": {
        "ja": "オンライン申請",
        "en": "Online applications",
        "pt": "Pedidos on-line",
        "vi": "Nộp đơn trực tuyến",
        "zh": "网上申请",
        "ja-easy": "インターネットで もうしこむ",
    },
    "nav.facilities": {
        "ja": "施設予約",
        "en": "Book a facility",
        "pt": "Reservar instalações",
        "vi": "Đặt cơ sở",
        "zh": "设施预约",
        "ja-easy": "しせつの よやく",
    },
    "nav.congestion": {
        "ja": "混雑状況",
        "en": "Queue and waiting",
        "pt": "Fila e espera",
        "vi": "Mức đông đúc",
        "zh": "拥挤情况",
        "ja-easy": "こみぐあい",
    },
    "nav.guide": {
        "ja": "手続きガイド",
        "en": "Procedure guide",
        "pt": "Guia de procedimentos",
        "vi": "Hướng dẫn thủ tục",
        "zh": "手续指南",
        "ja-easy": "てつづきの ガイド",
    },
    "nav.faq": {
        "ja": "よくある質問",
        "en": "FAQ",
        "pt": "Perguntas frequentes",
        "vi": "Câu hỏi thường gặp",
        "zh": "常见问题",
        "ja-easy": "よく ある しつもん",
    },
    "nav.reservations": {
        "ja": "予約の確認",
        "en": "My reservations",
        "pt": "Minhas reservas",
        "vi": "Đặt chỗ của tôi",
        "zh": "我的预约",
        "ja-easy": "じぶんの よやく",
    },
}
# Same order and paths as RESIDENT_NAV in web/src/components/app.tsx.
SITE_NAV = [
    ("/apply/", "nav.applications"),
    ("/facilities/", "nav.facilities"),
    ("/congestion/", "nav.congestion"),
    ("/guide/", "nav.guide"),
    ("/faq/", "nav.faq"),
    ("/reservations/", "nav.reservations"),
]
# Each language's name in that language (LANG_NAMES in web/src/lib/i18n.ts) and its BCP 47 tag (HTML_LANG).
LANG_NAMES: dict[str, str] = {
    "ja": "日本語",
    "en": "English",
    "pt": "Português",
    "vi": "Tiếng Việt",
    "zh": "中文（简体）",
    "ja-easy": "やさしい にほんご",
}
HTML_LANG: dict[str, str] = {"ja": "ja", "en": "en", "pt": "pt-BR", "vi": "vi", "zh": "zh-Hans", "ja-easy": "ja"}
WEEKDAYS: dict[str, list[str]] = {
    "ja": ["月", "火", "水", "木", "金", "土", "日"],
    "ja-easy": ["月", "火", "水", "木", "金", "土", "日"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    "pt": ["seg", "ter", "qua", "qui", "sex", "sáb", "dom"],
    "vi": ["T2", "T3", "T4", "T5", "T6", "T7", "CN"],
    "zh": ["一", "二", "三", "四", "五", "六", "日"],
}
BAND_LABEL = {"morning": "8:30–11:00", "midday": "11:00–14:00", "afternoon": "14:00–17:15"}
STYLE = """
:root{--blue:#0031d8;--navy:#00118f;--ink:#1a1a1c;--line:#949497;--low:#e6f5ec;--low-ink:#115a36;--mid:#fff4c2;
--mid-ink:#5c4a00;--high:#fde2e2;--high-ink:#8a0b0b;--closed:#f2f2f2}
body{font-family:"Noto Sans JP",system-ui,sans-serif;color:var(--ink);margin:0;line-height:1.6}
main,.hi,.hn{max-width:72rem;margin:0 auto;padding:0 1rem}a{color:var(--blue)}h1{font-size:1.75rem}
.skip{position:absolute;left:.5rem;top:-3rem;background:#fff;padding:.5rem 1rem}.skip:focus{top:.5rem}
header{background:var(--navy);color:#fff}header a{color:#fff}header :focus-visible{outline:3px solid #ffd43d}
.hi{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between;padding-block:.5rem}
.brand{margin:0;font-size:1.25rem;font-weight:700}.brand a{text-decoration:none}
header form{display:flex;gap:.5rem;align-items:center;margin:0}
.hn ul{display:flex;flex-wrap:wrap;gap:0 1.5rem;margin:0;padding:0 0 .5rem;list-style:none}
.hn a{display:inline-block;min-height:44px;padding:.5rem 0}.hn a[aria-current=page]{font-weight:700}
table{border-collapse:collapse;width:100%;table-layout:fixed}caption{font-size:1.25rem;font-weight:700;text-align:left}
th,td{border:1px solid var(--line);padding:.25rem;vertical-align:top}th{background:#f1f1f4}
td.closed{background:var(--closed)}.d{font-weight:700}.r{font-size:.8rem}.wd{display:none}
ul.b{list-style:none;margin:0;padding:0;font-size:.85rem}ul.b li{margin:.1rem 0;padding:0 .2rem;border-radius:4px}
.low{background:var(--low);color:var(--low-ink)}.medium{background:var(--mid);color:var(--mid-ink)}
.high{background:var(--high);color:var(--high-ink);font-weight:700}
nav.m{display:flex;gap:1rem;margin:1rem 0;flex-wrap:wrap}main form{margin:1rem 0}
select,button{font:inherit;min-height:2.75rem}
.legend span{display:inline-block;margin-right:1rem;padding:0 .4rem;border-radius:4px}
@media (max-width:40rem){table,tbody,tr,td,th,thead{display:block}thead{display:none}td{border-width:0 0 1px}
td:empty{display:none}.wd{display:inline}.hn li{flex:1 1 40%}}
"""


def _shift(month: str, delta: int) -> str:
    y, m = int(month[:4]), int(month[5:7]) + delta
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return f"{y:04d}-{m:02d}"


def _header(month: str, counter: str | None, lang: Lang) -> str:
    """The site's header without JavaScript: home link, site navigation, and the language choice as a form that
    reloads this page (same month and counter) in the chosen language."""
    site = {k: pick(v, lang) for k, v in SITE_TEXT.items()}
    e = html.escape
    links = "".join(
        f'<li><a href="{path}?lang={lang}"{" aria-current=page" if path == "/congestion/" else ""}>'
        f"{e(site[key])}</a></li>"
        for path, key in SITE_NAV
    )
    options = "".join(
        f'<option value="{code}" lang="{HTML_LANG[code]}"{" selected" if code == lang else ""}>{e(name)}</option>'
        for code, name in LANG_NAMES.items()
    )
    keep = f'<input type="hidden" name="month" value="{month}">' + (
        f'<input type="hidden" name="counter" value="{e(counter)}">' if counter else ""
    )
    return (
        f'<a class="skip" href="#main">{e(site["skip"])}</a><header><div class="hi">'
        f'<p class="brand"><a href="/?lang={lang}">{e(site["app.name"])}</a></p>'
        f'<form method="get" action="/congestion/calendar.html">{keep}'
        f'<label for="lang">{e(site["language.label"])}</label> <select id="lang" name="lang">{options}</select> '
        f'<button type="submit">{e(pick(PAGE_TEXT["change_lang"], lang))}</button></form></div>'
        f'<nav class="hn" aria-label="{e(site["nav.label"])}"><ul>{links}</ul></nav></header>'
    )


def page(store: QueueStore, month: str, counter: str | None, lang: Lang) -> str:
    """The month as an accessible HTML table (server-rendered: reads well without JavaScript)."""
    t = {k: pick(v, lang) for k, v in PAGE_TEXT.items()}
    site = {k: pick(v, lang) for k, v in SITE_TEXT.items()}
    e = html.escape
    q = f"&lang={lang}" + (f"&counter={counter}" if counter else "")
    options = [f'<option value="">{e(t["all"])}</option>'] + [
        f'<option value="{c.id}"{" selected" if c.id == counter else ""}>{e(pick(c.name, lang))}</option>'
        for c in COUNTERS.values()
    ]
    parts = [
        f'<!doctype html><html lang="{HTML_LANG[lang]}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(t['title'])} {month} | {e(site['app.name'])}</title><style>{STYLE}</style></head><body>",
        _header(month, counter, lang),
        f'<main id="main" tabindex="-1"><h1>{e(t["title"])}</h1><p>{e(t["intro"])}</p>',
        '<p class="legend">'
        + "".join(f'<span class="{lv}">{e(pick(LABELS[lv], lang))}</span>' for lv in ("low", "medium", "high"))
        + "</p>",
        f'<p id="rokuyo-note">{e(t["rokuyo"])}</p>',
        f'<form method="get" action="/congestion/calendar.html"><input type="hidden" name="month" value="{month}">'
        f'<input type="hidden" name="lang" value="{lang}"><label for="counter">{e(t["counter"])}</label> '
        f'<select id="counter" name="counter">{"".join(options)}</select> <button type="submit">{e(t["show"])}'
        "</button></form>",
        f'<nav class="m" aria-label="{e(t["title"])}"><a href="?month={_shift(month, -1)}{q}">{e(t["prev"])}</a>'
        f'<a href="?month={_shift(month, 1)}{q}">{e(t["next"])}</a>'
        f'<a href="/congestion/calendar.ics?lang={lang}{("&counter=" + counter) if counter else ""}">'
        f"{e(t['ics'])}</a></nav>",
    ]
    try:
        view = calendar(store, month, counter, lang)
    except NotFound:
        parts.append(f"<p>{e(t['missing'])}</p></main></body></html>")
        return "".join(parts)
    names = WEEKDAYS[lang]
    rokuyo_lang = "" if lang.startswith("ja") else ' lang="ja"'
    parts.append(f"<table><caption>{month}</caption><thead><tr>")
    parts += [f'<th scope="col">{e(n)}</th>' for n in names]
    parts.append("</tr></thead><tbody><tr>")
    first = view.days[0].date
    parts += ["<td></td>"] * first.weekday()
    for d in view.days:
        if d.date.weekday() == 0 and d.date != first:
            parts.append("</tr><tr>")
        label = e(d.holiday or pick(LABELS["closed"], lang)) if d.closed else ""
        cell = [
            f'<td class="{"closed" if d.closed else "open"}"><span class="d">'
            f'<time datetime="{d.date.isoformat()}">{d.date.day}</time></span> '
            # The weekday again in the cell: a phone shows the days as a list, without the table's header row.
            f'<span class="wd">({e(names[d.date.weekday()])})</span> '
            f'<span class="r"{rokuyo_lang}>{e(d.rokuyo)}</span>'
        ]
        if d.closed:
            cell.append(f"<div>{label}</div>")
        else:
            cell.append('<ul class="b">')
            cell += [
                f'<li class="{b.level}">{BAND_LABEL[b.band]} {e(b.label)} {b.wait_minutes}{e(t["minutes"])}</li>'
                for b in d.bands
            ]
            cell.append("</ul>")
        parts.append("".join(cell) + "</td>")
    parts += ["<td></td>"] * (6 - view.days[-1].date.weekday())
    parts.append("</tr></tbody></table></main></body></html>")
    return "".join(parts)


BANDS_ORDER = [b for b, _, _ in BANDS]
