import { useEffect, useState } from "preact/hooks";
import { Page, mount } from "../components/app";
import { Alert, Loading } from "../components/feedback";
import { type Session, SignIn } from "../components/sign-in";
import { type ApiError, asApiError, request, useApi, withLang } from "../lib/http";
import { type MessageKey, useI18n } from "../lib/i18n";
import { formatTokyoDate, formatTokyoTime } from "../lib/format";
import {
  type CancelQuote,
  type CancelResponse,
  type CheckoutResponse,
  type FacilitySummary,
  type FeeReduction,
  type LotteryApplicationView,
  type PaymentStatus,
  type ReductionCategory,
  type Reservation,
  type ReservationStatus,
  openReceipt,
  payable,
  yen,
} from "../lib/reservations";
import { hrefWith, queryParam } from "../lib/url";
import "../styles/base.css";
import "../styles/reservations.css";

const STATUS: Record<ReservationStatus, MessageKey> = {
  held: "reservations.status.held",
  confirmed: "reservations.status.confirmed",
  cancelled: "reservations.status.cancelled",
  expired: "reservations.status.expired",
};
const PAYMENT: Record<PaymentStatus, MessageKey> = {
  none: "reservations.payment.none",
  pending: "reservations.payment.pending",
  paid: "reservations.payment.paid",
  free: "reservations.payment.free",
  refunded: "reservations.payment.refunded",
  partially_refunded: "reservations.payment.partially_refunded",
};
const CATEGORIES: ReductionCategory[] = ["disability", "senior", "school", "children"];
const CATEGORY: Record<ReductionCategory, MessageKey> = {
  disability: "reductions.category.disability",
  senior: "reductions.category.senior",
  school: "reductions.category.school",
  children: "reductions.category.children",
};
const LOTTERY: Record<LotteryApplicationView["result"], MessageKey> = {
  pending: "lottery.result.pending",
  won: "lottery.result.won",
  waiting: "lottery.result.waiting",
  lost: "lottery.result.lost",
};

function MyReservations({ session }: { session: Session }) {
  const { t, lang } = useI18n();
  const names = useFacilityNames();
  const [items, setItems] = useState<Reservation[] | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [notice, setNotice] = useState("");
  const [version, setVersion] = useState(0);
  const [clock, setClock] = useState(() => Date.now());
  const [cancelling, setCancelling] = useState<{ reservation: Reservation; quote: CancelQuote } | null>(null);
  const paid = queryParam("paid");
  const unpaid = queryParam("unpaid");
  const target = queryParam("id"); // the booking an e-mail links to

  // A hold's time runs out while the page is open: "pay" goes when it does.
  useEffect(() => {
    const timer = setInterval(() => setClock(Date.now()), 5000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (!target || !items) return;
    const row = document.querySelector<HTMLElement>(`[data-reservation="${CSS.escape(target)}"]`);
    row?.scrollIntoView({ block: "center" });
    row?.focus();
  }, [target, items]);

  useEffect(() => {
    let stop = false;
    let tries = 0;
    const load = async () => {
      try {
        const list = await request<{ reservations: Reservation[] }>(withLang("/me/reservations", lang), {
          token: session.token,
        });
        if (stop) return;
        setItems(list.reservations);
        const waiting = paid && list.reservations.find((r) => r.id === paid && r.status === "held");
        if (waiting && tries++ < 20) setTimeout(load, 500); // the webhook confirms within moments
      } catch (e) {
        if (!stop) setError(asApiError(e));
      }
    };
    load();
    return () => {
      stop = true;
    };
  }, [session.token, lang, version]);

  const act = async (what: () => Promise<string>) => {
    setError(null);
    try {
      setNotice(await what());
      setVersion((v) => v + 1);
    } catch (e) {
      setError(asApiError(e));
    }
  };
  const pay = (r: Reservation) =>
    act(async () => {
      const answer = await request<CheckoutResponse>(withLang(`/reservations/${r.id}/checkout`, lang), {
        method: "POST",
        token: session.token,
        body: { return_url: `/reservations/?lang=${lang}` },
      });
      if (answer.checkout_url) location.assign(answer.checkout_url);
      return t("reservations.confirmedNotice");
    });
  /** First the refund, stated from the API's quote; the cancellation only once the resident confirms it. */
  const askCancel = async (r: Reservation) => {
    setError(null);
    setNotice("");
    try {
      const quote = await request<CancelQuote>(withLang(`/reservations/${r.id}/cancellation`, lang), {
        token: session.token,
      });
      setCancelling({ reservation: r, quote });
    } catch (e) {
      setError(asApiError(e));
    }
  };
  const cancel = (r: Reservation) =>
    act(async () => {
      const answer = await request<CancelResponse>(withLang(`/reservations/${r.id}/cancel`, lang), {
        method: "POST",
        token: session.token,
        body: {},
      });
      setCancelling(null);
      return answer.refund > 0
        ? t("reservations.cancelled", { refund: yen(answer.refund, lang), percent: answer.refund_percent })
        : t("reservations.cancelledNoRefund");
    });
  const whenText = (iso: string) => `${formatTokyoDate(new Date(iso), lang)} ${formatTokyoTime(new Date(iso), lang)}`;

  const just = paid ? items?.find((r) => r.id === paid) : undefined;
  return (
    <section class="panel" aria-labelledby="mine-heading">
      <h2 id="mine-heading">{t("reservations.mine")}</h2>
      {just?.status === "confirmed" && (
        <>
          <div class="confirmation-panel" id="confirmation-panel">
            <h3 class="confirmation-panel__title">{t("reservations.panel.title")}</h3>
            <p class="confirmation-panel__body">
              {t("reservations.panel.reference")}
              <br />
              <strong class="confirmation-panel__code">{just.receipt_number ?? just.id}</strong>
            </p>
          </div>
          <section aria-labelledby="booking-next-heading" id="what-happens-next">
            <h3 id="booking-next-heading">{t("apply.next.heading")}</h3>
            <p>{t("reservations.next.mail")}</p>
            <p>{t("reservations.next.day", { date: just.date })}</p>
            {just.amount > 0 && just.receipt_number && (
              <p>
                <a href={hrefWith("receipt", just.id)} id="receipt-link">
                  {t("reservations.next.receipt")}
                </a>
              </p>
            )}
          </section>
        </>
      )}
      {cancelling && (
        <section class="confirm-panel" aria-labelledby="cancel-heading" id="cancel-confirmation">
          <h3 id="cancel-heading" tabIndex={-1} ref={(h) => h?.focus()}>
            {t("reservations.cancelHeading", { date: cancelling.reservation.date })}
          </h3>
          <p id="cancel-refund">
            {!cancelling.quote.cancellable
              ? t("reservations.cancelNotPossible")
              : cancelling.quote.paid === 0
                ? t("reservations.cancelNothingPaid")
                : cancelling.quote.refund > 0
                  ? t("reservations.cancelRefund", {
                      refund: yen(cancelling.quote.refund, lang),
                      percent: cancelling.quote.refund_percent,
                      paid: yen(cancelling.quote.paid, lang),
                    })
                  : t("reservations.cancelNoRefund", { paid: yen(cancelling.quote.paid, lang) })}
          </p>
          <p>{t("reservations.policy")}</p>
          <div class="actions">
            {cancelling.quote.cancellable && (
              <button type="button" class="button button--danger" id="cancel-yes" onClick={() => cancel(cancelling.reservation)}>
                {t("reservations.cancelYes")}
              </button>
            )}{" "}
            <button type="button" class="button button--secondary" onClick={() => setCancelling(null)}>
              {t("reservations.cancelKeep")}
            </button>
          </div>
        </section>
      )}
      <div role="status">
        {just?.status === "confirmed" && <p class="notice notice--ok">{t("reservations.paidNotice")}</p>}
        {just?.status === "held" && <p class="notice">{t("reservations.confirming")}</p>}
        {unpaid && <p class="notice">{t("reservations.unpaidNotice")}</p>}
        {notice && <p class="notice">{notice}</p>}
      </div>
      <Alert error={error} />
      {!items && <Loading />}
      {items && items.length === 0 && <p>{t("reservations.none")}</p>}
      {items && items.length > 0 && (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t("reservations.when")}</th>
              <th scope="col">{t("reservations.facility")}</th>
              <th scope="col">{t("reservations.amount")}</th>
              <th scope="col">{t("reservations.state")}</th>
              <th scope="col">{t("reservations.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr
                key={r.id}
                data-reservation={r.id}
                class={r.id === target ? "is-target" : undefined}
                aria-current={r.id === target ? "true" : undefined}
                tabIndex={r.id === target ? -1 : undefined}
              >
                <td>
                  {r.date} {r.slots.map((s) => `${names.unit(r.facility_id, s.unit_id)} ${s.start}`).join(", ")}
                </td>
                <td>{names.facility(r.facility_id)}</td>
                <td>
                  {yen(r.amount, lang)}
                  {r.refunded_amount > 0 &&
                    ` (${t(r.refund_pending > 0 ? "reservations.refunding" : "reservations.refunded", {
                      amount: yen(r.refunded_amount, lang),
                    })})`}
                </td>
                <td>
                  {r.status === "held" && !payable(r, clock) ? t("reservations.status.expired") : t(STATUS[r.status])} /{" "}
                  {t(r.refund_pending > 0 ? "reservations.payment.refunding" : PAYMENT[r.payment_status])}
                  {r.status === "held" && (
                    <span class="hold-time">
                      <br />
                      {payable(r, clock)
                        ? t("reservations.holdUntil", { time: whenText(r.expires_at) })
                        : t("reservations.holdExpired")}
                    </span>
                  )}
                </td>
                <td class="actions">
                  {payable(r, clock) && (
                    <button type="button" class="button" onClick={() => pay(r)}>
                      {t("reservations.pay")}
                    </button>
                  )}
                  {(payable(r, clock) || r.status === "confirmed") && (
                    <button type="button" class="button button--secondary" onClick={() => askCancel(r)}>
                      {t("reservations.cancel")}
                    </button>
                  )}
                  {r.receipt_number && r.amount > 0 && (
                    <a class="button button--secondary" href={hrefWith("receipt", r.id)}>
                      {t("reservations.receipt")}
                    </a>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>{t("reservations.policy")}</p>
    </section>
  );
}

interface ReceiptView {
  number: string;
  reservation_id: string;
  facility: string;
  date: string;
  slots: string[];
  amount: number;
  refunded: number;
  paid_at: string;
  issuer: string;
}

/** The receipt (領収書) as a page: print it, or download the PDF the API makes. */
function ReceiptPage({ id, session }: { id: string; session: Session }) {
  const { t, lang } = useI18n();
  const [receipt, setReceipt] = useState<ReceiptView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    request<ReceiptView>(withLang(`/reservations/${encodeURIComponent(id)}/receipt`, lang), {
      token: session.token,
    }).then(setReceipt, (e) => setError(asApiError(e)));
  }, [id, session.token, lang]);
  const paidAt = receipt
    ? new Intl.DateTimeFormat(lang === "ja-easy" ? "ja" : lang, { dateStyle: "long", timeZone: "Asia/Tokyo" }).format(
        new Date(receipt.paid_at),
      )
    : "";
  return (
    <section class="panel receipt" aria-labelledby="receipt-heading">
      <h2 id="receipt-heading">{t("receipt.title")}</h2>
      <Alert error={error} />
      {receipt && (
        <>
          <p class="receipt__amount">{yen(receipt.amount, lang)}</p>
          <p>{t("receipt.for")}</p>
          <dl class="facts">
            <div>
              <dt>{t("receipt.number")}</dt>
              <dd>{receipt.number}</dd>
            </div>
            <div>
              <dt>{t("receipt.paidAt")}</dt>
              <dd>{paidAt}</dd>
            </div>
            <div>
              <dt>{t("reservations.facility")}</dt>
              <dd>{receipt.facility}</dd>
            </div>
            <div>
              <dt>{t("facilities.date")}</dt>
              <dd>
                {receipt.date} {receipt.slots.join(", ")}
              </dd>
            </div>
            {receipt.refunded > 0 && (
              <div>
                <dt>{t("receipt.refunded")}</dt>
                <dd>{yen(receipt.refunded, lang)}</dd>
              </div>
            )}
            <div>
              <dt>{t("receipt.issuer")}</dt>
              <dd>{receipt.issuer}</dd>
            </div>
          </dl>
          <p class="print-hide">
            <button type="button" class="button" onClick={() => openReceipt(id, session.token).catch(() => undefined)}>
              {t("receipt.pdf")}
            </button>{" "}
            <button type="button" class="button button--secondary" onClick={() => window.print()}>
              {t("receipt.print")}
            </button>
          </p>
        </>
      )}
      <p class="print-hide">
        <a href={hrefWith("receipt", null)}>{t("receipt.back")}</a>
      </p>
    </section>
  );
}

function Reductions({ session }: { session: Session }) {
  const { t, lang } = useI18n();
  const [items, setItems] = useState<FeeReduction[]>([]);
  const [category, setCategory] = useState<ReductionCategory>("senior");
  const [group, setGroup] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    request<{ reductions: FeeReduction[] }>(withLang("/me/fee-reductions", lang), { token: session.token }).then(
      (r) => setItems(r.reductions),
      (e) => setError(asApiError(e)),
    );
  }, [session.token, lang, version]);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      await request(withLang("/me/fee-reductions", lang), {
        method: "POST",
        token: session.token,
        body: { category, group_name: group },
      });
      setGroup("");
      setVersion((v) => v + 1);
    } catch (e) {
      setError(asApiError(e));
    }
  };
  return (
    <section class="panel" aria-labelledby="reductions-heading">
      <h2 id="reductions-heading">{t("reductions.heading")}</h2>
      <ul>
        {items.map((r) => (
          <li key={r.id}>
            {r.group_name}: {t(CATEGORY[r.category])} ({r.percent}%) — {t(`reductions.status.${r.status}` as MessageKey)}
          </li>
        ))}
      </ul>
      <form class="form" onSubmit={submit}>
        <div class="field">
          <label for="reduction-category">{t("reductions.category")}</label>
          <select
            id="reduction-category"
            value={category}
            onChange={(e) => setCategory((e.target as HTMLSelectElement).value as ReductionCategory)}
          >
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(CATEGORY[c])}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="reduction-group">{t("reductions.group")}</label>
          <input id="reduction-group" value={group} required onInput={(e) => setGroup((e.target as HTMLInputElement).value)} />
        </div>
        <Alert error={error} />
        <button type="submit" class="button button--secondary">
          {t("reductions.ask")}
        </button>
      </form>
    </section>
  );
}

/** Facility and unit names in the page's language (the reservations API answers with ids). */
function useFacilityNames() {
  const { data } = useApi<{ facilities: FacilitySummary[] }>("/facilities");
  const byId = new Map((data?.facilities ?? []).map((f) => [f.id, f]));
  return {
    facility: (id: string) => byId.get(id)?.name ?? "",
    unit: (facility: string, unit: string) => byId.get(facility)?.units.find((u) => u.id === unit)?.name ?? "",
  };
}

function Lottery({ session }: { session: Session }) {
  const { t, lang } = useI18n();
  const names = useFacilityNames();
  const [items, setItems] = useState<LotteryApplicationView[]>([]);
  useEffect(() => {
    request<{ applications: LotteryApplicationView[] }>(withLang("/me/lottery", lang), { token: session.token }).then(
      (r) => setItems(r.applications),
      () => setItems([]),
    );
  }, [session.token, lang]);
  if (items.length === 0) return null;
  return (
    <section class="panel" aria-labelledby="lottery-heading">
      <h2 id="lottery-heading">{t("lottery.heading")}</h2>
      <ul>
        {items.map((v) => (
          <li key={v.application.id}>
            {names.facility(v.application.facility_id)} {v.application.date}{" "}
            {names.unit(v.application.facility_id, v.application.unit_id)} {v.application.start}:{" "}
            {t(LOTTERY[v.result], { position: v.position ?? "" })}
          </li>
        ))}
      </ul>
    </section>
  );
}

function ReservationsPage() {
  const { t } = useI18n();
  const [session, setSession] = useState<Session | null>(null);
  const receiptId = queryParam("receipt");
  return (
    <Page title="reservations.title">
      <p class="lead">
        <a href="/facilities/">{t("reservations.book")}</a>
      </p>
      <SignIn onSession={setSession} audience="resident" />
      {session && session.me.role === "resident" && receiptId && <ReceiptPage id={receiptId} session={session} />}
      {session && session.me.role === "resident" && !receiptId && (
        <>
          <MyReservations session={session} />
          <Reductions session={session} />
          <Lottery session={session} />
        </>
      )}
    </Page>
  );
}

mount(ReservationsPage);
