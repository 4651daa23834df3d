import { useEffect, useState } from "preact/hooks";
import { mount } from "../components/app";
import { Alert } from "../components/feedback";
import type { Session } from "../components/sign-in";
import { type Shortcut, StaffPage } from "../components/staff-nav";
import { ApiError, newKey, request, withLang } from "../lib/http";
import { type MessageKey, useI18n } from "../lib/i18n";
import { type CounterInfo, type CounterStats, type CounterStatus, type StaffTicket, usePoll } from "../lib/queue";
import "../styles/base.css";
import "../styles/queue.css";

const STATE_KEY: Record<string, MessageKey> = {
  waiting: "queue.staff.state.waiting",
  called: "queue.staff.state.called",
  absent: "queue.staff.state.absent",
  done: "queue.staff.state.waiting",
  transferred: "queue.staff.state.waiting",
  cancelled: "queue.staff.state.waiting",
};

/** Mean wait per day as an SVG bar chart (drawn here: no chart library, nothing from a CDN). */
function WaitChart({ stats }: { stats: CounterStats }) {
  const { t } = useI18n();
  const days = stats.days.slice(-30);
  const max = Math.max(10, ...days.map((d) => d.mean_wait_minutes ?? 0));
  const width = 600;
  const height = 200;
  const bar = width / Math.max(1, days.length);
  return (
    <figure>
      <svg class="chart" viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-labelledby="chart-title">
        <title id="chart-title">{t("queue.staff.chart")}</title>
        {days.map((d, i) => {
          const h = ((d.mean_wait_minutes ?? 0) / max) * height;
          return (
            <g key={d.day}>
              <rect x={i * bar + 1} y={height - h} width={bar - 2} height={h}>
                <title>{`${d.day}: ${d.mean_wait_minutes ?? "-"}`}</title>
              </rect>
              {i % 5 === 0 && (
                <text x={i * bar} y={height + 14}>
                  {d.day.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>{t("queue.staff.chart")}</figcaption>
    </figure>
  );
}

function Console({ session }: { session: Session }) {
  const { t, lang } = useI18n();
  const [counters, setCounters] = useState<CounterInfo[]>([]);
  const [counter, setCounter] = useState("");
  const [desk, setDesk] = useState("1");
  const [current, setCurrent] = useState<StaffTicket | null>(null);
  const [message, setMessage] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [transferTo, setTransferTo] = useState("");
  // One action at a time: a second "Call next" or "Done" sent before the first answered could call two tickets
  // or complete the one just called.
  const [busy, setBusy] = useState(false);
  const token = session.token;

  useEffect(() => {
    request<{ counters: CounterInfo[] }>(withLang("/queues", lang)).then((list) => {
      const mine = list.counters.filter((c) => c.department === session.me.department);
      setCounters(list.counters);
      setCounter((c) => c || mine[0]?.id || "");
    });
  }, [lang, session]);

  const status = usePoll<CounterStatus>(counter ? `/queues/${counter}/status` : null, 5);
  const live = usePoll<{ tickets: StaffTicket[] }>(counter ? `/queues/${counter}/tickets` : null, 5, token);

  // The server's state drives the controls: after a reload (or on another PC) the ticket this clerk called is
  // found in the counter's live tickets and can still be completed, transferred, recalled or marked absent.
  useEffect(() => {
    if (!live.data) return;
    const mineCalled = live.data.tickets.find((q) => q.state === "called" && q.called_by_me) ?? null;
    setCurrent(mineCalled);
    if (mineCalled?.desk) setDesk(mineCalled.desk);
  }, [live.data]);
  const stats = usePoll<CounterStats>(counter ? `/queues/${counter}/stats?days=30` : null, 300, token);
  const mine = counters.filter((c) => c.department === session.me.department);
  const others = counters.filter((c) => c.id !== counter);

  // Calls and transfers carry a key per press: a retry answers the first press instead of calling someone else.
  const act = async (path: string, body: unknown = undefined, keyed = false) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    setMessage("");
    try {
      const result = await request<StaffTicket | { ticket: StaffTicket | null }>(withLang(path, lang), {
        method: "POST",
        token,
        body: body ?? {},
        headers: keyed ? { "Idempotency-Key": newKey() } : undefined,
      });
      const ticket = "ticket" in result ? result.ticket : result;
      if ("ticket" in result && !ticket) setMessage(t("queue.staff.nobody"));
      setCurrent(ticket && ["called"].includes(ticket.state) && ticket.counter === counter ? ticket : null);
      status.reload();
      live.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "network", ""));
    } finally {
      setBusy(false);
    }
  };
  const ticketPath = (id: string, action: string) => `/queues/${counter}/tickets/${encodeURIComponent(id)}/${action}`;
  const target = counters.find((c) => c.id === transferTo);

  return (
    <>
      <section class="panel" aria-labelledby="call-heading">
        <h2 id="call-heading">{t("queue.staff.callNext")}</h2>
        <div class="form">
          <div class="field">
            <label for="counter">{t("queue.staff.counter")}</label>
            <select id="counter" value={counter} onChange={(e) => setCounter((e.target as HTMLSelectElement).value)}>
              {mine.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="desk">{t("queue.staff.desk")}</label>
            <input id="desk" type="text" size={4} value={desk} onInput={(e) => setDesk((e.target as HTMLInputElement).value)} />
          </div>
          <button
            type="button"
            id="call-next"
            class="button"
            accessKey={CALL_NEXT_KEY}
            disabled={busy || !counter || !desk}
            onClick={() => act(`/queues/${counter}/call-next`, { desk }, true)}
          >
            {t("queue.staff.callNext")}
          </button>
        </div>
        <Alert error={error} />
        <p role="status">{message}</p>
        {current && (
          <div id="current-ticket" data-ticket={current.id}>
            <p class="ticket-state">{t("queue.staff.current", { number: current.number })}</p>
            <div class="actions">
              <button type="button" class="button button--secondary" disabled={busy} onClick={() => act(ticketPath(current.id, "recall"), undefined, true)}>
                {t("queue.staff.recall")}
              </button>
              <button type="button" class="button button--secondary" disabled={busy} onClick={() => act(ticketPath(current.id, "absent"))}>
                {t("queue.staff.absent")}
              </button>
              <button
                type="button"
                id="complete-current"
                class="button"
                accessKey={COMPLETE_KEY}
                disabled={busy}
                onClick={() => act(ticketPath(current.id, "complete"))}
              >
                {t("queue.staff.complete")}
              </button>
            </div>
            <div class="form">
              <div class="field">
                <label for="transfer-to">{t("queue.staff.transferTo")}</label>
                <select id="transfer-to" value={transferTo} onChange={(e) => setTransferTo((e.target as HTMLSelectElement).value)}>
                  <option value="">—</option>
                  {others.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </div>
              <button type="button" class="button button--secondary" disabled={busy || !target}
                onClick={() => target && act(ticketPath(current.id, "transfer"), { to: target.id, service: target.services[0].id }, true)}>
                {t("queue.staff.transfer")}
              </button>
            </div>
          </div>
        )}
      </section>
      {status.data && live.data && (
        <section class="panel" aria-labelledby="queue-heading">
          <h2 id="queue-heading">{t("queue.staff.queue")}</h2>
          <p>
            {t("congestion.people", { count: status.data.waiting })} ・{" "}
            {t("congestion.minutes", { minutes: status.data.estimated_wait_minutes })}
          </p>
          <table class="table">
            <caption>{t("queue.staff.queue")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("queue.ticket.number")}</th>
                <th scope="col">{t("queue.ticket.service")}</th>
                <th scope="col">{t("queue.staff.state")}</th>
                <th scope="col">{t("queue.staff.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {live.data.tickets.map((q) => {
                const service = counters.find((c) => c.id === counter)?.services.find((s) => s.id === q.service);
                return (
                  <tr key={q.id}>
                    <th scope="row">
                      {q.number} {q.priority ? `(${t("queue.staff.priority")})` : ""}
                    </th>
                    <td>{service?.name ?? q.service}</td>
                    <td>{t(STATE_KEY[q.state])}</td>
                    <td class="actions">
                      {q.state === "called" && (
                        <>
                          <button type="button" class="button button--secondary" onClick={() => act(ticketPath(q.id, "recall"), undefined, true)}>
                            {t("queue.staff.recall")}
                            <span class="visually-hidden"> {q.number}</span>
                          </button>
                          <button type="button" class="button button--secondary" onClick={() => act(ticketPath(q.id, "absent"))}>
                            {t("queue.staff.absent")}
                            <span class="visually-hidden"> {q.number}</span>
                          </button>
                        </>
                      )}
                      {q.state === "absent" && (
                        <button type="button" class="button button--secondary" onClick={() => act(ticketPath(q.id, "requeue"))}>
                          {t("queue.staff.requeue")}
                          <span class="visually-hidden"> {q.number}</span>
                        </button>
                      )}
                      {q.state !== "called" && (
                        <button type="button" class="button button--secondary" onClick={() => act(ticketPath(q.id, "cancel"))}>
                          {t("queue.staff.cancel")}
                          <span class="visually-hidden"> {q.number}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}
      {stats.data && (
        <section class="panel" aria-labelledby="stats-heading">
          <h2 id="stats-heading">{t("queue.staff.stats")}</h2>
          <WaitChart stats={stats.data} />
          <table class="table">
            <caption>{t("queue.staff.stats")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("queue.ticket.service")}</th>
                <th scope="col">{t("queue.staff.served")}</th>
                <th scope="col">{t("queue.staff.meanWait")}</th>
                <th scope="col">{t("queue.staff.meanService")}</th>
              </tr>
            </thead>
            <tbody>
              {stats.data.services.map((s) => (
                <tr key={s.service}>
                  <th scope="row">{s.name}</th>
                  <td>{s.served}</td>
                  <td>{s.mean_wait_minutes ?? "—"}</td>
                  <td>{s.mean_service_minutes ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}

const CALL_NEXT_KEY = "n";
const COMPLETE_KEY = "e";
const SHORTCUTS: Shortcut[] = [
  { key: CALL_NEXT_KEY, label: "queue.staff.callNext" },
  { key: COMPLETE_KEY, label: "queue.staff.complete" },
];

function StaffQueue() {
  const { t } = useI18n();
  const [session, setSession] = useState<Session | null>(null);
  return (
    <StaffPage title="queue.staff.title" section="queue" onSession={setSession} shortcuts={SHORTCUTS}>
      {session && session.me.role !== "staff" && <p>{t("queue.staff.staffOnly")}</p>}
      {session && session.me.role === "staff" && <Console session={session} />}
    </StaffPage>
  );
}

mount(StaffQueue);
