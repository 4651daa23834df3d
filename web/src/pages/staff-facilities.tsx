import { useEffect, useState } from "preact/hooks";
import { mount } from "../components/app";
import { Alert } from "../components/feedback";
import type { Session } from "../components/sign-in";
import { StaffPage } from "../components/staff-nav";
import { type ApiError, asApiError, request, useApi, withLang } from "../lib/http";
import { type MessageKey, useI18n } from "../lib/i18n";
import { type DayBooking, type FacilitySummary, type FeeReduction, addDays, tokyoToday, yen } from "../lib/reservations";
import "../styles/base.css";
import "../styles/reservations.css";

interface Facility {
  id: string;
  opens: string;
  closes: string;
  prices: Record<string, number>;
  lottery: boolean;
  [key: string]: unknown;
}

const PRICE_KEYS = ["resident_weekday", "resident_weekend", "nonresident_weekday", "nonresident_weekend"] as const;

function Settings({ id, session }: { id: string; session: Session }) {
  const { t, lang } = useI18n();
  const [facility, setFacility] = useState<Facility | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    setSaved(false);
    request<Facility>(withLang(`/staff/facilities/${id}`, lang), { token: session.token }).then(setFacility, (e) =>
      setError(asApiError(e)),
    );
  }, [id, session.token]);
  if (!facility) return <Alert error={error} />;
  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      setFacility(await request<Facility>(withLang(`/staff/facilities/${id}`, lang), {
        method: "PUT",
        token: session.token,
        body: facility,
      }));
      setSaved(true);
    } catch (e) {
      setError(asApiError(e));
    }
  };
  return (
    <section class="panel" aria-labelledby="settings-heading">
      <h2 id="settings-heading">{t("staffFacilities.settings")}</h2>
      <form class="form" onSubmit={save}>
        {(["opens", "closes"] as const).map((k) => (
          <div class="field" key={k}>
            <label for={`setting-${k}`}>{t(`staffFacilities.${k}` as MessageKey)}</label>
            <input
              id={`setting-${k}`}
              value={facility[k]}
              onInput={(e) => setFacility({ ...facility, [k]: (e.target as HTMLInputElement).value })}
            />
          </div>
        ))}
        {PRICE_KEYS.map((k) => (
          <div class="field" key={k}>
            <label for={`price-${k}`}>{t(`staffFacilities.price.${k}` as MessageKey)}</label>
            <input
              id={`price-${k}`}
              type="number"
              min={0}
              value={facility.prices[k]}
              onInput={(e) =>
                setFacility({
                  ...facility,
                  prices: { ...facility.prices, [k]: Number((e.target as HTMLInputElement).value) },
                })
              }
            />
          </div>
        ))}
        <div class="field">
          <label>
            <input
              type="checkbox"
              checked={facility.lottery}
              onChange={() => setFacility({ ...facility, lottery: !facility.lottery })}
            />{" "}
            {t("facilities.lottery")}
          </label>
        </div>
        <Alert error={error} />
        <div role="status">{saved && <p class="notice notice--ok">{t("staffFacilities.saved")}</p>}</div>
        <button type="submit" class="button">
          {t("staffFacilities.save")}
        </button>
      </form>
    </section>
  );
}

function Bookings({ id, session }: { id: string; session: Session }) {
  const { t, lang } = useI18n();
  const [day, setDay] = useState(addDays(tokyoToday(), 1));
  const [rows, setRows] = useState<DayBooking[]>([]);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState("");
  const [version, setVersion] = useState(0);
  useEffect(() => {
    request<{ bookings: DayBooking[] }>(withLang(`/staff/facilities/${id}/bookings?date=${day}`, lang), {
      token: session.token,
    }).then(
      (r) => setRows(r.bookings.filter((b) => b.state !== "free")),
      (e) => setError(asApiError(e)),
    );
  }, [id, day, session.token, version]);
  const close = async (event: Event) => {
    event.preventDefault();
    if (!confirm(t("staffFacilities.closeConfirm"))) return;
    setError(null);
    try {
      const result = await request<{ cancelled: string[]; refunded: number }>(
        withLang(`/staff/facilities/${id}/closures`, lang),
        { method: "POST", token: session.token, body: { date: day, reason } },
      );
      setNotice(t("staffFacilities.closed", { count: result.cancelled.length, refunded: yen(result.refunded, lang) }));
      setVersion((v) => v + 1);
    } catch (e) {
      setError(asApiError(e));
    }
  };
  return (
    <section class="panel" aria-labelledby="bookings-heading">
      <h2 id="bookings-heading">{t("staffFacilities.bookings")}</h2>
      <div class="field">
        <label for="bookings-day">{t("facilities.date")}</label>
        <input id="bookings-day" type="date" value={day} onChange={(e) => setDay((e.target as HTMLInputElement).value)} />
      </div>
      {rows.length === 0 ? (
        <p>{t("staffFacilities.noBookings")}</p>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t("facilities.time")}</th>
              <th scope="col">{t("staffFacilities.unit")}</th>
              <th scope="col">{t("reservations.state")}</th>
              <th scope="col">{t("staffFacilities.owner")}</th>
              <th scope="col">{t("reservations.amount")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((b) => (
              <tr key={`${b.unit_id}${b.start}`}>
                <td>{b.start}</td>
                <td>{b.unit_id}</td>
                <td>
                  {t(`facilities.slot.${b.state}` as MessageKey)} {b.payment_status ? `/ ${b.payment_status}` : ""}
                </td>
                <td>{b.owner ?? ""}</td>
                <td>{b.amount !== null ? yen(b.amount, lang) : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="form" onSubmit={close}>
        <div class="field">
          <label for="closure-reason">{t("staffFacilities.closeReason")}</label>
          <input id="closure-reason" required value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        </div>
        <Alert error={error} />
        <div role="status">{notice && <p class="notice">{notice}</p>}</div>
        <button type="submit" class="button button--secondary">
          {t("staffFacilities.close")}
        </button>
      </form>
    </section>
  );
}

function Reductions({ session }: { session: Session }) {
  const { t, lang } = useI18n();
  const [items, setItems] = useState<FeeReduction[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    request<{ reductions: FeeReduction[] }>(withLang("/staff/fee-reductions", lang), { token: session.token }).then(
      (r) => setItems(r.reductions),
      (e) => setError(asApiError(e)),
    );
  }, [session.token, version]);
  const decide = async (r: FeeReduction, approve: boolean) => {
    try {
      await request(withLang(`/staff/fee-reductions/${r.id}/decide`, lang), {
        method: "POST",
        token: session.token,
        body: { approve },
      });
      setVersion((v) => v + 1);
    } catch (e) {
      setError(asApiError(e));
    }
  };
  return (
    <section class="panel" aria-labelledby="staff-reductions-heading">
      <h2 id="staff-reductions-heading">{t("staffFacilities.reductions")}</h2>
      <Alert error={error} />
      {items.length === 0 && <p>{t("staffFacilities.noReductions")}</p>}
      <ul>
        {items.map((r) => (
          <li key={r.id}>
            {r.group_name} ({t(`reductions.category.${r.category}` as MessageKey)}, {r.percent}%) {r.owner}{" "}
            <button type="button" class="button" onClick={() => decide(r, true)}>
              {t("staffFacilities.approve")}
              <span class="visually-hidden"> {r.group_name}</span>
            </button>{" "}
            <button type="button" class="button button--secondary" onClick={() => decide(r, false)}>
              {t("staffFacilities.reject")}
              <span class="visually-hidden"> {r.group_name}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function LotteryRound({ facility, session }: { facility: FacilitySummary; session: Session }) {
  const { t, lang } = useI18n();
  const nextMonth = addDays(`${tokyoToday().slice(0, 7)}-01`, 40).slice(0, 7);
  const [month, setMonth] = useState(nextMonth);
  const [closes, setCloses] = useState(`${addDays(tokyoToday(), 7)}T17:00`);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState("");
  if (!facility.lottery) return null;
  const call = async (what: () => Promise<string>) => {
    setError(null);
    try {
      setNotice(await what());
    } catch (e) {
      setError(asApiError(e));
    }
  };
  const open = (event: Event) => {
    event.preventDefault();
    call(async () => {
      await request(withLang(`/staff/lottery/${facility.id}/${month}`, lang), {
        method: "POST",
        token: session.token,
        body: { opens_at: new Date().toISOString(), closes_at: new Date(closes).toISOString() },
      });
      return t("staffFacilities.lottery.opened", { month });
    });
  };
  const draw = () =>
    call(async () => {
      const result = await request<{ winners: number; waiting: number; seed: number }>(
        withLang(`/staff/lottery/${facility.id}/${month}/draw`, lang),
        { method: "POST", token: session.token },
      );
      return t("staffFacilities.lottery.drawn", { winners: result.winners, waiting: result.waiting, seed: result.seed });
    });
  return (
    <section class="panel" aria-labelledby="lottery-round-heading">
      <h2 id="lottery-round-heading">{t("staffFacilities.lottery.heading")}</h2>
      <form class="form" onSubmit={open}>
        <div class="field">
          <label for="lottery-month">{t("staffFacilities.lottery.month")}</label>
          <input id="lottery-month" type="month" value={month} onInput={(e) => setMonth((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="lottery-closes">{t("staffFacilities.lottery.closes")}</label>
          <input
            id="lottery-closes"
            type="datetime-local"
            value={closes}
            onInput={(e) => setCloses((e.target as HTMLInputElement).value)}
          />
        </div>
        <Alert error={error} />
        <div role="status">{notice && <p class="notice">{notice}</p>}</div>
        <button type="submit" class="button button--secondary">
          {t("staffFacilities.lottery.open")}
        </button>{" "}
        <button type="button" class="button" onClick={draw}>
          {t("staffFacilities.lottery.draw")}
        </button>
      </form>
    </section>
  );
}

function StaffFacilitiesPage() {
  const { t } = useI18n();
  const [session, setSession] = useState<Session | null>(null);
  const list = useApi<{ facilities: FacilitySummary[] }>("/facilities");
  const [id, setId] = useState("");
  useEffect(() => {
    if (!id && list.data?.facilities[0]) setId(list.data.facilities[0].id);
  }, [list.data]);
  const chosen = list.data?.facilities.find((f) => f.id === id) ?? null;
  const allowed = session?.me.role === "staff" && session.me.department === "shisetsu";
  return (
    <StaffPage title="staffFacilities.title" section="facilities" onSession={setSession}>
      {session && !allowed && <p class="notice">{t("staffFacilities.onlyShisetsu")}</p>}
      {session && allowed && (
        <>
          <div class="field">
            <label for="facility">{t("reservations.facility")}</label>
            <select id="facility" value={id} onChange={(e) => setId((e.target as HTMLSelectElement).value)}>
              {list.data?.facilities.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}
                </option>
              ))}
            </select>
          </div>
          {id && <Bookings id={id} session={session} />}
          <Reductions session={session} />
          {id && <Settings id={id} session={session} />}
          {chosen && <LotteryRound facility={chosen} session={session} />}
        </>
      )}
    </StaffPage>
  );
}

mount(StaffFacilitiesPage);
