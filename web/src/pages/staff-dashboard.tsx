import * as Plot from "@observablehq/plot";
import { useEffect, useRef, useState } from "preact/hooks";
import { mount } from "../components/app";
import { Alert, Loading } from "../components/feedback";
import type { Session } from "../components/sign-in";
import { StaffPage } from "../components/staff-nav";
import { type ApiError, asApiError, request, withLang } from "../lib/http";
import { type MessageKey, type Translate, useI18n } from "../lib/i18n";
import {
  CHANNELS,
  type MetricsChannel,
  type MetricsMonth,
  R8_VOLUME,
  R9_VOLUME,
  type TargetRow,
  busiestHours,
  gaps,
  handoffsByMonth,
  pastMonths,
  paymentRates,
  percentile,
  targets,
  toCsv,
} from "../lib/metrics";
import type { ProcedureList } from "../lib/procedures";
import type { FacilitySummary } from "../lib/reservations";
import "../styles/base.css";
import "../styles/dashboard.css";

type Cell = string | number | null;
interface TableData {
  id: string;
  header: string[];
  rows: Cell[][];
}

const CHANNEL_KEY: Record<MetricsChannel, MessageKey> = {
  online: "dashboard.channel.online",
  kiosk: "dashboard.channel.kiosk",
  counter: "dashboard.channel.counter",
  onestop: "dashboard.channel.onestop",
  line: "dashboard.channel.line",
};
const BASIS_KEY: Record<string, MessageKey> = {
  allowed: "dashboard.basis.allowed",
  e_signature: "dashboard.basis.e_signature",
  counter_only: "dashboard.basis.counter_only",
};

function duration(t: Translate, minutes: number | null): string {
  if (minutes === null) return "—";
  if (minutes < 120) return t("dashboard.time.minutes", { n: minutes });
  if (minutes < 1440) return t("dashboard.time.hours", { n: Math.round(minutes / 60) });
  return t("dashboard.time.days", { n: Math.round(minutes / 1440) });
}

function download(table: TableData): void {
  const blob = new Blob([toCsv(table.header, table.rows)], { type: "text/csv;charset=utf-8" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `madoguchi-${table.id}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(link.href);
}

/** A chart (hidden from screen readers) followed by the same figures as a table, with a CSV download. */
function ChartWithTable({ title, plot, table }: { title: string; plot: () => Element; table: TableData }) {
  const { t } = useI18n();
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = plot();
    chart.setAttribute("aria-hidden", "true");
    holder.current?.replaceChildren(chart);
    return () => chart.remove();
  }, [plot]);
  return (
    <section class="panel dashboard-panel" aria-labelledby={`${table.id}-heading`}>
      <h2 id={`${table.id}-heading`}>{title}</h2>
      <div class="chart-holder" ref={holder} />
      <TableView title={title} table={table} />
      <button type="button" class="button button--secondary" onClick={() => download(table)}>
        {t("dashboard.csv")}
        <span class="visually-hidden">: {title}</span>
      </button>
    </section>
  );
}

function TableView({ title, table }: { title: string; table: TableData }) {
  return (
    <div class="table-scroll">
      <table class="table" id={`${table.id}-table`}>
        <caption>{title}</caption>
        <thead>
          <tr>
            {table.header.map((h) => (
              <th scope="col" key={h}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row) => (
            <tr key={String(row[0]) + String(row[1])}>
              <th scope="row">{row[0]}</th>
              {row.slice(1).map((c, i) => (
                <td key={i}>{c ?? "—"}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function GapList({ title, rows, id }: { title: string; rows: TargetRow[]; id: string }) {
  const { t } = useI18n();
  const table: TableData = {
    id,
    header: [t("dashboard.col.procedure"), t("dashboard.col.volume"), t("dashboard.col.basis")],
    rows: rows.map((r) => [r.name, r.volume, t(BASIS_KEY[r.basis])]),
  };
  return (
    <section class="panel dashboard-panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{title}</h2>
      {rows.length === 0 ? <p>{t("dashboard.targets.none")}</p> : <TableView title={title} table={table} />}
      {rows.length > 0 && (
        <button type="button" class="button button--secondary" onClick={() => download(table)}>
          {t("dashboard.csv")}
          <span class="visually-hidden">: {title}</span>
        </button>
      )}
    </section>
  );
}

function Dashboard({ session }: { session: Session }) {
  const { t, lang } = useI18n();
  const [months, setMonths] = useState<MetricsMonth[] | null>(null);
  const [procedures, setProcedures] = useState<ProcedureList | null>(null);
  const [counterNames, setCounterNames] = useState<Map<string, string>>(new Map());
  const [facilityNames, setFacilityNames] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    // Twelve bounded reads (one Query each on the server), in parallel.
    const wanted = pastMonths(new Date());
    Promise.all([
      Promise.all(wanted.map((m) => request<MetricsMonth>(withLang(`/staff/metrics?month=${m}`, lang), { token: session.token }))),
      request<ProcedureList>(withLang("/procedures", lang)),
      request<{ counters: { id: string; name: string }[] }>(withLang("/queues", lang)),
      request<{ facilities: FacilitySummary[] }>(withLang("/facilities", lang)),
    ]).then(
      ([loaded, list, queues, facilities]) => {
        setMonths(loaded);
        setProcedures(list);
        setCounterNames(new Map(queues.counters.map((c) => [c.id, c.name])));
        // a booking counts under the pseudo-procedure `facility-<id>` (docs/metrics.md)
        setFacilityNames(new Map(facilities.facilities.map((f) => [`facility-${f.id}`, f.name])));
      },
      (e: unknown) => setError(asApiError(e)),
    );
  }, [session, lang]);

  if (error) return <Alert error={error} />;
  if (!months || !procedures) return <Loading />;

  const names = new Map(procedures.procedures.map((p) => [p.id, p.name]));
  const name = (id: string) => names.get(id) ?? facilityNames.get(id) ?? id;
  const channelName = (c: MetricsChannel) => t(CHANNEL_KEY[c]);
  const handoffChannel = (c: MetricsChannel) => (c === "online" ? t("dashboard.channel.site") : channelName(c));
  const last = months[months.length - 1];
  const bounds = last.bucket_bounds_minutes;
  const register = targets(procedures.procedures, months);

  const shareTable: TableData = {
    id: "online-share",
    header: [t("dashboard.col.procedure"), t("dashboard.col.volume"), t("dashboard.col.basis"), t("dashboard.col.share")],
    rows: register.map((r) => [r.name, r.volume, t(BASIS_KEY[r.basis]), `${Math.round(r.share * 100)}%`]),
  };
  const sharePlot = () =>
    Plot.plot({
      marginLeft: 200,
      width: 760,
      x: { label: t("dashboard.col.share"), percent: true, domain: [0, 100] },
      y: { label: null },
      marks: [
        Plot.barX(register, { x: (r: TargetRow) => r.share * 100, y: "name", sort: { y: "-x" }, fill: "#0031d8" }),
        Plot.ruleX([0]),
      ],
    });

  // Facility bookings (`facility-<id>`) are no procedure's receipts: they show in the payment panel only.
  const receipts = (m: MetricsMonth, c: MetricsChannel) =>
    m.rows.filter((r) => r.channel === c && !r.procedure_id.startsWith("facility-")).reduce((a, r) => a + r.received, 0);
  const trend = months.flatMap((m) =>
    CHANNELS.map((c) => ({
      month: m.month,
      channel: channelName(c),
      received: receipts(m, c),
    })),
  ).filter((d) => d.received > 0);
  const usedChannels = CHANNELS.filter((c) => trend.some((d) => d.channel === channelName(c)));
  const trendTable: TableData = {
    id: "monthly-receipts",
    header: [t("dashboard.col.month"), ...usedChannels.map(channelName)],
    rows: months.map((m) => [
      m.month,
      ...usedChannels.map((c) => receipts(m, c)),
    ]),
  };
  const trendPlot = () =>
    Plot.plot({
      width: 760,
      color: { legend: true, scheme: "tableau10" },
      x: { label: t("dashboard.col.month"), tickFormat: (m: string) => m.slice(2) },
      y: { label: t("dashboard.col.received"), grid: true },
      marks: [Plot.barY(trend, { x: "month", y: "received", fill: "channel" }), Plot.ruleY([0])],
    });

  const timing = (pick: (r: MetricsMonth["rows"][number]) => number[], only?: MetricsChannel[]) =>
    procedures.procedures
      .map((p) => {
        const rows = last.rows.filter((r) => r.procedure_id === p.id && (!only || only.includes(r.channel)));
        const histogram = bounds.map((_, i) => rows.reduce((a, r) => a + pick(r)[i], 0));
        histogram.push(rows.reduce((a, r) => a + pick(r)[bounds.length], 0));
        return { id: p.id, name: name(p.id), p50: percentile(histogram, bounds, 0.5), p90: percentile(histogram, bounds, 0.9) };
      })
      .filter((d) => d.p50 !== null);
  const lead = timing((r) => r.lead_time_histogram);
  const waiting = timing((r) => r.waiting_time_histogram, ["counter", "onestop"]);
  const timeTable = (id: string, rows: typeof lead): TableData => ({
    id,
    header: [t("dashboard.col.procedure"), t("dashboard.col.p50"), t("dashboard.col.p90")],
    rows: rows.map((d) => [d.name, duration(t, d.p50), duration(t, d.p90)]),
  });
  const timePlot = (rows: typeof lead) => () =>
    Plot.plot({
      marginLeft: 200,
      width: 760,
      x: { type: "log", label: t("dashboard.col.minutes"), grid: true },
      y: { label: null },
      marks: [
        Plot.ruleY(rows, { x1: "p50", x2: "p90", y: "name", stroke: "#767676" }),
        Plot.dot(rows, { x: "p50", y: "name", fill: "#0031d8", r: 4, sort: { y: "x" } }),
        Plot.dot(rows, { x: "p90", y: "name", stroke: "#0031d8", r: 4 }),
      ],
    });

  // Busiest counters (last month) and hours (the twelve months), from the queue's ticket events.
  const counters = last.counters ?? [];
  const counterTable: TableData = {
    id: "busiest-counters",
    header: [t("dashboard.col.counter"), t("dashboard.col.tickets"), t("dashboard.col.served"), t("dashboard.col.p50"), t("dashboard.col.p90")],
    rows: counters.map((c) => [
      counterNames.get(c.counter_id) ?? c.counter_id,
      c.received,
      c.completed,
      duration(t, c.waiting_time_p50_minutes),
      duration(t, c.waiting_time_p90_minutes),
    ]),
  };
  const counterPlot = () =>
    Plot.plot({
      marginLeft: 200,
      width: 760,
      x: { label: t("dashboard.col.tickets"), grid: true },
      y: { label: null },
      marks: [
        Plot.barX(counters, { x: "received", y: (c: (typeof counters)[number]) => counterNames.get(c.counter_id) ?? c.counter_id, sort: { y: "-x" }, fill: "#0031d8" }),
        Plot.ruleX([0]),
      ],
    });
  const hours = busiestHours(months);
  const hourTable: TableData = {
    id: "busiest-hours",
    header: [t("dashboard.col.hour"), t("dashboard.col.tickets")],
    rows: hours.map((d) => [`${String(d.hour).padStart(2, "0")}:00`, d.tickets]),
  };
  const hourPlot = () =>
    Plot.plot({
      width: 760,
      x: { label: t("dashboard.col.hour"), tickFormat: (h: number) => `${h}:00` },
      y: { label: t("dashboard.col.tickets"), grid: true },
      marks: [Plot.barY(hours, { x: "hour", y: "tickets", fill: "#0031d8" }), Plot.ruleY([0])],
    });

  // FAQ hand-offs to a person by month (site chat and LINE), and payment success per procedure.
  const handoffs = handoffsByMonth(months).map((d) => ({ ...d, label: handoffChannel(d.channel) }));
  const handoffChannels = CHANNELS.filter((c) => handoffs.some((d) => d.channel === c));
  const handoffTable: TableData = {
    id: "faq-handoffs",
    header: [t("dashboard.col.month"), ...handoffChannels.map(handoffChannel)],
    rows: months.map((m) => [
      m.month,
      ...handoffChannels.map((c) => handoffs.find((d) => d.month === m.month && d.channel === c)?.handedOff ?? 0),
    ]),
  };
  const handoffPlot = () =>
    Plot.plot({
      width: 760,
      color: { legend: true, scheme: "tableau10" },
      x: { label: t("dashboard.col.month"), tickFormat: (m: string) => m.slice(2) },
      y: { label: t("dashboard.col.handoffs"), grid: true },
      marks: [Plot.barY(handoffs, { x: "month", y: "handedOff", fill: "label" }), Plot.ruleY([0])],
    });
  const payments = paymentRates(months).map((p) => ({ ...p, name: name(p.procedure_id) }));
  const paymentTable: TableData = {
    id: "payment-success",
    header: [t("dashboard.col.procedure"), t("dashboard.col.paid"), t("dashboard.col.failed"), t("dashboard.col.rate")],
    rows: payments.map((p) => [p.name, p.succeeded, p.failed, `${(p.rate * 100).toFixed(1)}%`]),
  };
  const paymentPlot = () =>
    Plot.plot({
      marginLeft: 200,
      width: 760,
      x: { label: t("dashboard.col.rate"), percent: true, domain: [0, 100], grid: true },
      y: { label: null },
      marks: [
        Plot.barX(payments, { x: (p: (typeof payments)[number]) => p.rate * 100, y: "name", sort: { y: "x" }, fill: "#0031d8" }),
        Plot.ruleX([0]),
      ],
    });
  const paymentsTitle = t("dashboard.payments.title");

  return (
    <>
      <p>{t("dashboard.period", { from: months[0].month, to: last.month })}</p>
      <GapList id="r8-gaps" title={t("dashboard.targets.r8")} rows={gaps(register, R8_VOLUME)} />
      <GapList id="r9-gaps" title={t("dashboard.targets.r9")} rows={gaps(register, R9_VOLUME)} />
      <ChartWithTable title={t("dashboard.share.title")} plot={sharePlot} table={shareTable} />
      <ChartWithTable title={t("dashboard.trend.title")} plot={trendPlot} table={trendTable} />
      <ChartWithTable title={t("dashboard.lead.title", { month: last.month })} plot={timePlot(lead)} table={timeTable("lead-times", lead)} />
      <ChartWithTable title={t("dashboard.waiting.title", { month: last.month })} plot={timePlot(waiting)} table={timeTable("waiting-times", waiting)} />
      {counters.length > 0 ? (
        <ChartWithTable title={t("dashboard.counters.title", { month: last.month })} plot={counterPlot} table={counterTable} />
      ) : (
        <section class="panel dashboard-panel" aria-labelledby="busiest-counters-heading">
          <h2 id="busiest-counters-heading">{t("dashboard.counters.title", { month: last.month })}</h2>
          <p>{t("dashboard.counters.none")}</p>
        </section>
      )}
      {hours.length > 0 && <ChartWithTable title={t("dashboard.hours.title")} plot={hourPlot} table={hourTable} />}
      {handoffs.length > 0 && <ChartWithTable title={t("dashboard.handoffs.title")} plot={handoffPlot} table={handoffTable} />}
      {payments.length > 0 ? (
        <ChartWithTable title={paymentsTitle} plot={paymentPlot} table={paymentTable} />
      ) : (
        <section class="panel dashboard-panel" aria-labelledby="payment-success-heading">
          <h2 id="payment-success-heading">{paymentsTitle}</h2>
          <p>{t("dashboard.payments.none")}</p>
        </section>
      )}
    </>
  );
}

function StaffDashboard() {
  const { t } = useI18n();
  const [session, setSession] = useState<Session | null>(null);
  return (
    <StaffPage title="dashboard.title" section="dashboard" onSession={setSession}>
      <p>{t("dashboard.intro")}</p>
      {session && session.me.department !== "kanri" && <p role="status">{t("dashboard.managementOnly")}</p>}
      {session && session.me.department === "kanri" && <Dashboard session={session} />}
    </StaffPage>
  );
}

mount(StaffDashboard);
