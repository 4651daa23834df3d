/** The management figures (GET /staff/metrics) and what the dashboard derives from them. */
import type { ProcedureSummary } from "./procedures";

export type MetricsChannel = "online" | "kiosk" | "counter" | "onestop" | "line";
export const CHANNELS: MetricsChannel[] = ["online", "kiosk", "counter", "onestop", "line"];

export interface MetricsRow {
  procedure_id: string;
  channel: MetricsChannel;
  received: number;
  completed: number;
  returned: number;
  rejected: number;
  handed_off: number; // procedure `faq` only: chat questions handed to a person
  cancelled?: number; // facility bookings (`facility-<id>`): confirmed bookings cancelled
  payment_succeeded?: number;
  payment_failed?: number; // checkouts left to expire unpaid, kiosk cards declined
  lead_time_p50_minutes: number | null;
  lead_time_p90_minutes: number | null;
  handling_time_p50_minutes: number | null;
  handling_time_p90_minutes: number | null;
  waiting_time_p50_minutes: number | null;
  waiting_time_p90_minutes: number | null;
  lead_time_histogram: number[];
  handling_time_histogram: number[];
  waiting_time_histogram: number[];
}

export interface CounterRow {
  counter_id: string;
  received: number;
  completed: number;
  waiting_time_p50_minutes: number | null;
  waiting_time_p90_minutes: number | null;
  handling_time_p50_minutes: number | null;
  received_by_hour: number[];
}

export interface MetricsMonth {
  month: string;
  complete: boolean;
  bucket_bounds_minutes: number[];
  rows: MetricsRow[];
  counters?: CounterRow[];
}

/** Tickets issued per hour of the day (Tokyo) over every counter of the given months; only hours with tickets. */
export function busiestHours(months: MetricsMonth[]): { hour: number; tickets: number }[] {
  const hours = Array.from({ length: 24 }, () => 0);
  for (const m of months) for (const c of m.counters ?? []) c.received_by_hour.forEach((n, h) => (hours[h] += n));
  return hours.map((tickets, hour) => ({ hour, tickets })).filter((d) => d.tickets > 0);
}

/** FAQ questions handed to a person per month and channel (online = the site's chat, line = LINE). */
export function handoffsByMonth(months: MetricsMonth[]): { month: string; channel: MetricsChannel; handedOff: number }[] {
  return months.flatMap((m) =>
    CHANNELS.map((channel) => ({
      month: m.month,
      channel,
      handedOff: m.rows.filter((r) => r.procedure_id === FAQ && r.channel === channel).reduce((a, r) => a + r.handed_off, 0),
    })).filter((d) => d.handedOff > 0),
  );
}
export const FAQ = "faq";

export interface PaymentRate {
  procedure_id: string;
  succeeded: number;
  failed: number;
  rate: number; // succeeded / (succeeded + failed), 0–1
}

/** Payment success per procedure over the months read (every channel added), best-paid procedures first. */
export function paymentRates(months: MetricsMonth[]): PaymentRate[] {
  const found = new Map<string, PaymentRate>();
  for (const m of months)
    for (const r of m.rows) {
      const succeeded = r.payment_succeeded ?? 0;
      const failed = r.payment_failed ?? 0;
      if (succeeded + failed === 0) continue;
      const p = found.get(r.procedure_id) ?? { procedure_id: r.procedure_id, succeeded: 0, failed: 0, rate: 0 };
      p.succeeded += succeeded;
      p.failed += failed;
      p.rate = p.succeeded / (p.succeeded + p.failed);
      found.set(r.procedure_id, p);
    }
  return [...found.values()].sort((a, b) => b.succeeded + b.failed - (a.succeeded + a.failed));
}

/** The twelve months before `today`'s month, oldest first (YYYY-MM). */
export function pastMonths(today: Date, count = 12): string[] {
  const months: string[] = [];
  let year = today.getFullYear();
  let month = today.getMonth() + 1;
  for (let i = 0; i < count; i++) {
    month -= 1;
    if (month === 0) {
      month = 12;
      year -= 1;
    }
    months.unshift(`${year}-${String(month).padStart(2, "0")}`);
  }
  return months;
}

/** Upper bound of the bucket holding the p-th percentile (as the API reads it); null without samples. */
export function percentile(histogram: number[], bounds: number[], p: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i];
    if (seen >= p * total && histogram[i] > 0) return bounds[Math.min(i, bounds.length - 1)];
  }
  return bounds[bounds.length - 1];
}

export interface TargetRow {
  id: string;
  name: string;
  volume: number;
  basis: string;
  onlineHere: boolean;
  received: number;
  online: number;
  share: number; // online share of what was received over the months read, 0–1
}

/** Per register procedure: volume, legal basis and the online share over the months read. */
export function targets(procedures: ProcedureSummary[], months: MetricsMonth[]): TargetRow[] {
  return procedures
    .map((p) => {
      const rows = months.flatMap((m) => m.rows.filter((r) => r.procedure_id === p.id));
      const received = rows.reduce((a, r) => a + r.received, 0);
      const online = rows.filter((r) => r.channel === "online").reduce((a, r) => a + r.received, 0);
      return {
        id: p.id,
        name: p.name,
        volume: p.yearly_volume ?? 0,
        basis: p.online_basis ?? "allowed",
        onlineHere: p.online_here ?? false,
        received,
        online,
        share: received ? online / received : 0,
      };
    })
    .sort((a, b) => b.volume - a.volume);
}

/** The plan's targets: R8 — every procedure received ≥1,000 a year online unless the law forbids it; R9 — ≥100. */
export const R8_VOLUME = 1000;
export const R9_VOLUME = 100;
export const gaps = (rows: TargetRow[], threshold: number): TargetRow[] =>
  rows.filter((r) => r.volume >= threshold && r.basis !== "counter_only" && !r.onlineHere);

/** RFC 4180 CSV (CRLF, quoted where needed) with a BOM so spreadsheet software reads UTF-8 Japanese. */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null) => {
    const text = v === null ? "" : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `\uFEFF${[header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n")}\r\n`;
}
