/** Shapes of the facilities and reservations API (see /openapi.json), and the receipt download. */

export interface Prices {
  resident_weekday: number;
  resident_weekend: number;
  nonresident_weekday: number;
  nonresident_weekend: number;
}

export interface FacilitySummary {
  id: string;
  name: string;
  kind: string;
  address: string;
  description: string;
  units: { id: string; name: string }[];
  opens: string;
  closes: string;
  slot_minutes: number;
  capacity: number;
  closed_weekdays: number[];
  prices: Prices;
  lottery: boolean;
}

export type SlotState = "free" | "held" | "booked" | "closed";

export interface SlotView {
  unit_id: string;
  start: string;
  end: string;
  state: SlotState;
  price: number;
}

export interface Availability {
  facility_id: string;
  date: string;
  closed: boolean;
  lottery: boolean;
  slots: SlotView[];
}

export interface MonthView {
  facility_id: string;
  month: string;
  days: { date: string; closed: boolean; free: number; taken: number }[];
}

export type ReservationStatus = "held" | "confirmed" | "cancelled" | "expired";
export type PaymentStatus = "none" | "pending" | "paid" | "free" | "refunded" | "partially_refunded";

export interface Reservation {
  id: string;
  owner: string;
  facility_id: string;
  date: string;
  slots: { unit_id: string; start: string }[];
  residency: "resident" | "nonresident";
  source: "direct" | "lottery";
  status: ReservationStatus;
  payment_status: PaymentStatus;
  base_amount: number;
  reduction_percent: number;
  amount: number;
  expires_at: string;
  checkout_url: string | null;
  refunded_amount: number;
  /** Yen of a refund owed and not yet confirmed by Stripe (the outbox worker sends it): "on its way" until 0. */
  refund_pending: number;
  receipt_number: string | null;
}

export interface CheckoutResponse {
  reservation: Reservation;
  checkout_url: string | null;
}

export interface CancelResponse {
  reservation: Reservation;
  refund: number;
  refund_percent: number;
}

/** What cancelling now would refund (stated before the resident confirms). */
export interface CancelQuote {
  cancellable: boolean;
  refund: number;
  refund_percent: number;
  paid: number;
  full_refund_until: string | null;
}

/** Whether a hold can still be paid: it is held and its time has not run out (the API's `expires_at`). */
export const payable = (r: Reservation, now: number): boolean =>
  r.status === "held" && new Date(r.expires_at).getTime() > now;

export type ReductionCategory = "disability" | "senior" | "school" | "children";

export interface FeeReduction {
  id: string;
  owner: string;
  category: ReductionCategory;
  percent: number;
  group_name: string;
  note: string;
  status: "pending" | "approved" | "rejected";
  requested_at: string;
}

export interface DayBooking {
  unit_id: string;
  start: string;
  state: string;
  reservation_id: string | null;
  owner: string | null;
  status: string | null;
  payment_status: string | null;
  amount: number | null;
}

export interface LotteryApplicationView {
  application: { id: string; facility_id: string; date: string; unit_id: string; start: string; group_name: string };
  result: "pending" | "won" | "waiting" | "lost";
  position: number | null;
}

export const yen = (amount: number, lang: string): string =>
  new Intl.NumberFormat(lang === "ja-easy" ? "ja" : lang, { style: "currency", currency: "JPY" }).format(amount);

/** Today in Asia/Tokyo as YYYY-MM-DD. */
export const tokyoToday = (): string =>
  new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Tokyo" }).format(new Date());

export const addDays = (day: string, days: number): string => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

/** GET the receipt PDF with the token (API Gateway answers binary for Accept: application/pdf) and open it. */
export async function openReceipt(id: string, token: string): Promise<void> {
  const response = await fetch(`/reservations/${encodeURIComponent(id)}/receipt.pdf`, {
    headers: { Accept: "application/pdf", Authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(String(response.status));
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = `receipt-${id}.pdf`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
