import { useEffect, useState } from "preact/hooks";
import { Page, mount } from "../components/app";
import { Alert, Loading } from "../components/feedback";
import { type Session, SignIn } from "../components/sign-in";
import { type ApiError, asApiError, newKey, request, useApi, withLang } from "../lib/http";
import { type MessageKey, useI18n } from "../lib/i18n";
import {
  type Availability,
  type CheckoutResponse,
  type FacilitySummary,
  type MonthView,
  type Reservation,
  type SlotState,
  addDays,
  tokyoToday,
  yen,
} from "../lib/reservations";
import { hrefWith, queryParam } from "../lib/url";
import "../styles/base.css";
import "../styles/reservations.css";

const STATE: Record<SlotState, MessageKey> = {
  free: "facilities.slot.free",
  held: "facilities.slot.held",
  booked: "facilities.slot.booked",
  closed: "facilities.slot.closed",
};

function FacilityList({ facilities }: { facilities: FacilitySummary[] }) {
  const { t, lang } = useI18n();
  return (
    <ul class="cards">
      {facilities.map((f) => (
        <li class="card" key={f.id}>
          <h2 class="card__title">
            <a href={hrefWith("facility", f.id)}>{f.name}</a>
          </h2>
          <p class="card__summary">{f.description}</p>
          <dl class="facts">
            <div>
              <dt>{t("facilities.hours")}</dt>
              <dd>
                {f.opens}–{f.closes}
              </dd>
            </div>
            <div>
              <dt>{t("facilities.price")}</dt>
              <dd>{t("facilities.priceFrom", { price: yen(f.prices.resident_weekday, lang) })}</dd>
            </div>
            {f.lottery && (
              <div>
                <dt>{t("facilities.lottery")}</dt>
                <dd>{t("facilities.lotteryNote")}</dd>
              </div>
            )}
          </dl>
        </li>
      ))}
    </ul>
  );
}

function Calendar({ facility, month, day, onDay }: { facility: string; month: string; day: string; onDay: (d: string) => void }) {
  const { t } = useI18n();
  const view = useApi<MonthView>(`/facilities/${facility}/calendar?month=${month}`);
  return (
    <section class="panel" aria-labelledby="calendar-heading">
      <h2 id="calendar-heading">{t("facilities.calendar", { month })}</h2>
      <Alert error={view.error} />
      {view.data && (
        <ul class="month">
          {view.data.days.map((d) => (
            <li key={d.date}>
              <button
                type="button"
                class={`day${d.date === day ? " day--chosen" : ""}`}
                aria-pressed={d.date === day}
                disabled={d.closed || d.free === 0}
                onClick={() => onDay(d.date)}
              >
                <span class="day__date">{Number(d.date.slice(8))}</span>
                <span class="day__free">
                  {d.closed ? t("facilities.closedDay") : t("facilities.freeCount", { count: d.free })}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Booking({ facility, day, session }: { facility: FacilitySummary; day: string; session: Session | null }) {
  const { t, lang } = useI18n();
  const [version, setVersion] = useState(0);
  const availability = useApi<Availability>(`/facilities/${facility.id}/availability?date=${day}&v=${version}`);
  const [chosen, setChosen] = useState<string[]>([]);
  const [residency, setResidency] = useState<"resident" | "nonresident">("resident");
  const [reduction, setReduction] = useState(false);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setChosen([]), [day, facility.id]);
  const unitName = (id: string) => facility.units.find((u) => u.id === id)?.name ?? id;

  const toggle = (key: string) => setChosen((c) => (c.includes(key) ? c.filter((k) => k !== key) : [...c, key]));

  const book = async (event: Event) => {
    event.preventDefault();
    if (!session) return;
    if (chosen.length === 0) {
      setError(t("facilities.chooseSlot"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const slots = chosen.map((key) => ({ unit_id: key.split("|")[0], start: key.split("|")[1] }));
      const held = await request<Reservation>(withLang("/reservations", lang), {
        method: "POST",
        token: session.token,
        body: { facility_id: facility.id, date: day, slots, residency, use_reduction: reduction },
        headers: { "Idempotency-Key": newKey() },
      });
      const paid = await request<CheckoutResponse>(withLang(`/reservations/${held.id}/checkout`, lang), {
        method: "POST",
        token: session.token,
        body: { return_url: `/reservations/?lang=${lang}` },
      });
      location.assign(paid.checkout_url ?? `/reservations/?paid=${held.id}`);
    } catch (e) {
      setError(asApiError(e));
      setVersion((v) => v + 1);
      setBusy(false);
    }
  };

  const slots = availability.data?.slots ?? [];
  const starts = [...new Set(slots.map((s) => s.start))];
  return (
    <section class="panel" aria-labelledby="slots-heading">
      <h2 id="slots-heading">{t("facilities.slotsOf", { date: day })}</h2>
      {availability.loading && !availability.data && <Loading />}
      {availability.data?.lottery && <p class="notice">{t("facilities.lotteryPeriod")}</p>}
      <form onSubmit={book}>
        <table class="table slots">
          <caption class="visually-hidden">{t("facilities.slotsOf", { date: day })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("facilities.time")}</th>
              {facility.units.map((u) => (
                <th scope="col" key={u.id}>
                  {u.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {starts.map((start) => (
              <tr key={start}>
                <th scope="row">{start}</th>
                {facility.units.map((u) => {
                  const slot = slots.find((s) => s.unit_id === u.id && s.start === start);
                  if (!slot) return <td key={u.id} />;
                  const key = `${u.id}|${start}`;
                  const id = `slot-${u.id}-${start.replace(":", "")}`;
                  return (
                    <td key={u.id} class={`slot slot--${slot.state}`}>
                      {slot.state === "free" ? (
                        <label for={id}>
                          <input id={id} type="checkbox" checked={chosen.includes(key)} onChange={() => toggle(key)} />
                          <span class="visually-hidden">
                            {unitName(u.id)} {slot.start}–{slot.end}{" "}
                          </span>
                          {t(STATE.free)} {yen(slot.price, lang)}
                        </label>
                      ) : (
                        t(STATE[slot.state])
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        <fieldset class="field">
          <legend>{t("facilities.residency")}</legend>
          <label>
            <input
              type="radio"
              name="residency"
              checked={residency === "resident"}
              onChange={() => setResidency("resident")}
            />{" "}
            {t("facilities.resident")}
          </label>{" "}
          <label>
            <input
              type="radio"
              name="residency"
              checked={residency === "nonresident"}
              onChange={() => setResidency("nonresident")}
            />{" "}
            {t("facilities.nonresident")}
          </label>
        </fieldset>
        <div class="field">
          <label>
            <input type="checkbox" checked={reduction} onChange={() => setReduction(!reduction)} />{" "}
            {t("facilities.useReduction")}
          </label>
        </div>
        <Alert error={error} />
        {session ? (
          <button type="submit" class="button" disabled={busy}>
            {t("facilities.holdAndPay")}
          </button>
        ) : (
          <p class="notice">{t("facilities.signInToBook")}</p>
        )}
        <p>{t("facilities.holdNote")}</p>
      </form>
    </section>
  );
}

function FacilitiesPage() {
  const { t } = useI18n();
  const list = useApi<{ facilities: FacilitySummary[] }>("/facilities");
  const [session, setSession] = useState<Session | null>(null);
  const facilityId = queryParam("facility");
  const [day, setDay] = useState(queryParam("date") ?? addDays(tokyoToday(), 1));
  const facility = list.data?.facilities.find((f) => f.id === facilityId) ?? null;
  const chooseDay = (d: string) => {
    setDay(d);
    history.replaceState(history.state, "", hrefWith("date", d));
  };
  return (
    <Page title="facilities.title">
      <p class="lead">{t("facilities.intro")}</p>
      <SignIn onSession={setSession} audience="resident" />
      <Alert error={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && !facility && <FacilityList facilities={list.data.facilities} />}
      {facility && (
        <>
          <p>
            <a class="back-link" href={hrefWith("facility", null)}>
              {t("facilities.back")}
            </a>
          </p>
          <h2>{facility.name}</h2>
          <p>
            {facility.address} · {t("facilities.capacity", { count: facility.capacity })}
          </p>
          <Calendar facility={facility.id} month={day.slice(0, 7)} day={day} onDay={chooseDay} />
          <div class="field">
            <label for="day">{t("facilities.date")}</label>
            <input id="day" type="date" value={day} onChange={(e) => chooseDay((e.target as HTMLInputElement).value)} />
          </div>
          <Booking facility={facility} day={day} session={session} />
          <p>
            <a href="/reservations/">{t("facilities.mine")}</a>
          </p>
        </>
      )}
    </Page>
  );
}

mount(FacilitiesPage);
