import { useEffect, useRef, useState } from "preact/hooks";
import { Page, mount } from "../components/app";
import { type DeviceSession, DeviceSignIn } from "../components/device-sign-in";
import { Alert, Loading } from "../components/feedback";
import { ProcedureDetailView } from "../components/procedure";
import type { ProcedureList } from "../lib/procedures";
import { ApiError, newKey, useApi } from "../lib/http";
import { formatFee } from "../lib/format";
import { type MessageKey, useI18n } from "../lib/i18n";
import {
  type BasicFour,
  BridgeError,
  CERTIFICATES,
  type Certificate,
  type OrderView,
  asError,
  bridgeStatus,
  fiscalYearOf,
  kioskApi,
  pdfUrl,
  pinTries,
  readBasicFour,
  signChallenge,
  warekiFiscalYear,
} from "../lib/kiosk";
import "../styles/base.css";
import "../styles/kiosk.css";

/** No touch for this long wipes the screen: personal data never stays for the next person. */
export const IDLE_SECONDS = 90;
const PIN_LENGTH = 4;
const MAX_COPIES = 10;
const POLL_MS = 1500;
/** The bridge's error codes (devices/cardbridge/README.md), each with a message in every language. */
const BRIDGE_CODES = [
  "unreachable",
  "no_reader",
  "no_card",
  "not_my_number_card",
  "wrong_pin",
  "pin_last_try",
  "pin_locked",
  "invalid_pin_format",
  "card_error",
];

type Step = "idle" | "insert" | "pin" | "checking" | "choose" | "pay" | "done" | "stopped";

function useIdleReset(active: boolean, onIdle: () => void) {
  const last = useRef(Date.now());
  const latest = useRef(onIdle);
  latest.current = onIdle; // re-rendering (polling) must not restart the idle clock
  useEffect(() => {
    if (!active) return;
    last.current = Date.now();
    const touch = () => {
      last.current = Date.now();
    };
    const events = ["pointerdown", "keydown"] as const;
    events.forEach((e) => window.addEventListener(e, touch));
    const timer = window.setInterval(() => {
      if (Date.now() - last.current >= IDLE_SECONDS * 1000) latest.current();
    }, 1000);
    return () => {
      events.forEach((e) => window.removeEventListener(e, touch));
      window.clearInterval(timer);
    };
  }, [active]);
}

function errorText(error: ApiError | BridgeError | null, t: (key: MessageKey, vars?: Record<string, string | number>) => string) {
  if (error === null) return null;
  if (error instanceof BridgeError) {
    const code = BRIDGE_CODES.includes(error.code) ? error.code : "card_error";
    return t(`kiosk.error.${code}` as MessageKey, { count: error.triesLeft ?? 0 });
  }
  return error.message || t("error.network");
}

/** Tax years offered for a 所得課税証明書: this 年度 and the two before (older ones at the counter). */
const TAX_YEARS = 3;

/** The card flow: insert card → PIN → choose → pay on the terminal → print; any idle minute wipes it all. */
function CardFlow({ token, fees }: { token: string; fees: Partial<Record<Certificate, number>> }) {
  const { t, lang } = useI18n();
  const api = kioskApi(token, lang);
  const [step, setStep] = useState<Step>("idle");
  const [pin, setPin] = useState("");
  const [tries, setTries] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | BridgeError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [holder, setHolder] = useState<BasicFour | null>(null);
  const [sessionId, setSessionId] = useState<string | null>(null);
  const [copies, setCopies] = useState(1);
  const [scope, setScope] = useState<"self" | "household">("self");
  const offered = CERTIFICATES.filter((c) => fees[c] !== undefined);
  const [certificate, setCertificate] = useState<Certificate>("juminhyo");
  const thisYear = fiscalYearOf(new Date());
  const [fiscalYear, setFiscalYear] = useState(thisYear);
  const fee = fees[certificate] ?? 0;
  const [order, setOrder] = useState<OrderView | null>(null);
  const [pdf, setPdf] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // Reused only after a network failure (the session may have been opened); any answer ends its use.
  const startKey = useRef(newKey());

  const wipe = (message: string | null = null) => {
    if (order?.state === "awaiting_payment" && sessionId) api.cancel(sessionId, order.order_id).catch(() => undefined);
    if (pdf) URL.revokeObjectURL(pdf);
    setPin("");
    setTries(null);
    setError(null);
    setHolder(null);
    setSessionId(null);
    setCopies(1);
    setScope("self");
    setCertificate("juminhyo");
    setFiscalYear(thisYear);
    setOrder(null);
    setPdf(null);
    setNotice(message);
    setStep("idle");
  };
  useIdleReset(step !== "idle", () => wipe(t("kiosk.timeout")));

  useEffect(() => heading.current?.focus(), [step]);

  // Waiting for the card: the bridge reports the reader's state.
  useEffect(() => {
    if (step !== "insert") return;
    let stop = false;
    const look = async () => {
      try {
        const status = await bridgeStatus();
        if (stop) return;
        setError(null);
        if (status.readers.some((r) => r.card)) {
          const counts = await pinTries();
          const left = Math.min(...Object.values(counts.tries_left));
          setTries(left);
          if (left <= 0) {
            setError(new BridgeError("pin_locked"));
            setStep("stopped");
          } else if (left === 1) {
            setError(new BridgeError("pin_last_try"));
            setStep("stopped");
          } else setStep("pin");
          return;
        }
      } catch (e) {
        if (!stop) setError(asError(e));
      }
      if (!stop) window.setTimeout(look, 1000);
    };
    look();
    return () => {
      stop = true;
    };
  }, [step]);

  // Waiting for the payment: the order is settled against the terminal on each poll.
  useEffect(() => {
    if (step !== "pay" || !order || order.state !== "awaiting_payment" || !sessionId) return;
    const timer = window.setTimeout(async () => {
      try {
        const next = await api.poll(sessionId, order.order_id);
        setOrder(next);
        if (next.state === "issued" && next.pdf) {
          setPdf(pdfUrl(next.pdf));
          setStep("done");
        }
      } catch (e) {
        setError(asError(e));
        setOrder({ ...order }); // poll again
      }
    }, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [step, order]);

  const authenticate = async () => {
    setStep("checking");
    setError(null);
    try {
      const opened = await api.start(startKey.current);
      startKey.current = newKey();
      const four = await readBasicFour(pin);
      const signed = await signChallenge(pin, opened.challenge);
      setPin("");
      await api.authenticate(opened.session_id, signed, four);
      setHolder(four);
      setSessionId(opened.session_id);
      setStep("choose");
    } catch (e) {
      const failure = asError(e);
      if (failure instanceof ApiError && failure.status !== 0) startKey.current = newKey();
      setPin("");
      setError(failure);
      if (failure instanceof BridgeError && failure.code === "wrong_pin") {
        setTries(failure.triesLeft);
        setStep("pin");
      } else setStep("stopped");
    }
  };

  const pay = async () => {
    if (!sessionId) return;
    setError(null);
    try {
      const body = {
        certificate,
        copies,
        scope: certificate === "juminhyo" ? scope : ("self" as const),
        ...(certificate === "shotoku-kazei-shomei" ? { fiscal_year: fiscalYear } : {}),
      };
      setOrder(await api.order(sessionId, newKey(), body));
      setStep("pay");
    } catch (e) {
      setError(asError(e));
    }
  };

  const press = (digit: string) => setPin((p) => (p.length < PIN_LENGTH ? p + digit : p));
  const message = errorText(error, t);

  return (
    <section class="panel kiosk-flow" aria-labelledby="flow-heading">
      {notice && step === "idle" && <p role="status">{notice}</p>}
      {step === "idle" && (
        <>
          <h2 id="flow-heading" ref={heading} tabIndex={-1}>
            {t("kiosk.card.heading")}
          </h2>
          <button type="button" class="button kiosk-big" onClick={() => { setNotice(null); setStep("insert"); }}>
            {t("kiosk.card.start")}
          </button>
        </>
      )}
      {step === "insert" && (
        <>
          <h2 id="flow-heading" ref={heading} tabIndex={-1}>
            {t("kiosk.card.insert")}
          </h2>
          <p role="status">{t("kiosk.card.waiting")}</p>
        </>
      )}
      {(step === "pin" || step === "checking") && (
        <>
          <h2 id="flow-heading" ref={heading} tabIndex={-1}>
            {t("kiosk.pin.heading")}
          </h2>
          <p>{t("kiosk.pin.hint")}</p>
          {tries !== null && <p class="kiosk-tries">{t("kiosk.pin.triesLeft", { count: tries })}</p>}
          <p class="pin-dots" role="status" aria-label={t("kiosk.pin.entered", { count: pin.length })}>
            {Array.from({ length: PIN_LENGTH }, (_, i) => (
              <span key={i} class={i < pin.length ? "pin-dot pin-dot--on" : "pin-dot"} aria-hidden="true" />
            ))}
          </p>
          {step === "checking" ? (
            <p role="status">{t("kiosk.pin.checking")}</p>
          ) : (
            <div class="pin-pad" role="group" aria-label={t("kiosk.pin.pad")}>
              {["1", "2", "3", "4", "5", "6", "7", "8", "9"].map((d) => (
                <button key={d} type="button" class="pin-key" onClick={() => press(d)}>
                  {d}
                </button>
              ))}
              <button type="button" class="pin-key pin-key--text" onClick={() => setPin("")}>
                {t("kiosk.pin.clear")}
              </button>
              <button type="button" class="pin-key" onClick={() => press("0")}>
                0
              </button>
              <button type="button" class="pin-key pin-key--text" onClick={() => setPin((p) => p.slice(0, -1))}>
                {t("kiosk.pin.delete")}
              </button>
              <button type="button" class="pin-key pin-key--ok" disabled={pin.length !== PIN_LENGTH} onClick={authenticate}>
                {t("kiosk.pin.ok")}
              </button>
            </div>
          )}
        </>
      )}
      {step === "choose" && holder && (
        <>
          <h2 id="flow-heading" ref={heading} tabIndex={-1}>
            {t("kiosk.choose.heading")}
          </h2>
          <p class="kiosk-holder">{t("kiosk.choose.for", { name: holder.name })}</p>
          <fieldset class="kiosk-choice">
            <legend>{t("kiosk.choose.certificate")}</legend>
            {offered.map((value) => (
              <label key={value} class="kiosk-option">
                <input type="radio" name="certificate" value={value} checked={certificate === value}
                  onChange={() => { setCertificate(value); setError(null); }} />
                {t(`kiosk.choose.${value}` as MessageKey)}
              </label>
            ))}
          </fieldset>
          {certificate === "juminhyo" && (
            <fieldset class="kiosk-choice">
              <legend>{t("kiosk.choose.scope")}</legend>
              {(["self", "household"] as const).map((value) => (
                <label key={value} class="kiosk-option">
                  <input type="radio" name="scope" value={value} checked={scope === value} onChange={() => setScope(value)} />
                  {t(value === "self" ? "kiosk.choose.self" : "kiosk.choose.household")}
                </label>
              ))}
            </fieldset>
          )}
          {certificate === "shotoku-kazei-shomei" && (
            <fieldset class="kiosk-choice">
              <legend>{t("kiosk.choose.fiscalYear")}</legend>
              {Array.from({ length: TAX_YEARS }, (_, i) => thisYear - i).map((year) => (
                <label key={year} class="kiosk-option">
                  <input type="radio" name="fiscal-year" value={year} checked={fiscalYear === year}
                    onChange={() => setFiscalYear(year)} />
                  {t("kiosk.choose.fiscalYearOption", { year, wareki: warekiFiscalYear(year), income: year - 1 })}
                </label>
              ))}
            </fieldset>
          )}
          <div class="kiosk-copies" role="group" aria-labelledby="copies-label">
            <span id="copies-label">{t("kiosk.choose.copies")}</span>
            <button type="button" class="pin-key" aria-label={t("kiosk.choose.fewer")} disabled={copies <= 1}
              onClick={() => setCopies((c) => c - 1)}>
              −
            </button>
            <output aria-live="polite">{copies}</output>
            <button type="button" class="pin-key" aria-label={t("kiosk.choose.more")} disabled={copies >= MAX_COPIES}
              onClick={() => setCopies((c) => c + 1)}>
              +
            </button>
          </div>
          <p class="kiosk-total">{t("kiosk.choose.total", { amount: (fee * copies).toLocaleString(lang) })}</p>
          <div class="actions">
            <button type="button" class="button button--secondary kiosk-big" onClick={() => wipe()}>
              {t("kiosk.cancel")}
            </button>
            <button type="button" class="button kiosk-big" onClick={pay}>
              {t("kiosk.choose.pay")}
            </button>
          </div>
        </>
      )}
      {step === "pay" && order && (
        <>
          <h2 id="flow-heading" ref={heading} tabIndex={-1}>
            {t("kiosk.pay.heading")}
          </h2>
          {order.state === "awaiting_payment" && (
            <p role="status">{t("kiosk.pay.instructions", { amount: order.amount.toLocaleString(lang) })}</p>
          )}
          {order.state === "declined" && <p role="alert" class="alert">{t("kiosk.pay.declined")}</p>}
          <div class="actions">
            <button type="button" class="button button--secondary kiosk-big" onClick={() => wipe()}>
              {t("kiosk.cancel")}
            </button>
            {order.state === "declined" && (
              <button type="button" class="button kiosk-big" onClick={pay}>
                {t("kiosk.pay.retry")}
              </button>
            )}
          </div>
        </>
      )}
      {step === "done" && order && pdf && (
        <>
          <h2 id="flow-heading" ref={heading} tabIndex={-1}>
            {t("kiosk.done.heading")}
          </h2>
          <p>{t("kiosk.done.issue", { number: order.issue_number ?? "" })}</p>
          <iframe class="kiosk-print" src={pdf} title={t("kiosk.done.preview")} id="certificate-frame" />
          <div class="actions">
            <button type="button" class="button kiosk-big"
              onClick={() => (document.getElementById("certificate-frame") as HTMLIFrameElement | null)?.contentWindow?.print()}>
              {t("kiosk.done.print")}
            </button>
            <a class="button button--secondary kiosk-big" href={pdf} download={`${order.certificate}-${order.issue_number}.pdf`}>
              {t("kiosk.done.download")}
            </a>
          </div>
          <p class="kiosk-remind" role="status">{t("kiosk.done.removeCard")}</p>
          <button type="button" class="button kiosk-big" onClick={() => wipe()}>
            {t("kiosk.finish")}
          </button>
        </>
      )}
      {step === "stopped" && (
        <>
          <h2 id="flow-heading" ref={heading} tabIndex={-1}>
            {t("kiosk.stopped")}
          </h2>
          <button type="button" class="button kiosk-big" onClick={() => wipe()}>
            {t("kiosk.finish")}
          </button>
        </>
      )}
      {step !== "idle" && <Alert error={message} />}
    </section>
  );
}

function Kiosk() {
  const { lang, t } = useI18n();
  const { data, error, loading } = useApi<ProcedureList>("/procedures");
  const [selected, setSelected] = useState<string | null>(null);
  // The kiosk's own enrolment (components/device-sign-in.tsx): nothing is offered until it is enrolled.
  const [device, setDevice] = useState<DeviceSession | null>(null);
  const procedures = data?.procedures.filter((p) => p.channels.includes("kiosk")) ?? [];
  // The certificates' fees, from the procedure catalogue (the API charges the same)
  const fees = Object.fromEntries(
    (data?.procedures ?? []).filter((p) => (CERTIFICATES as readonly string[]).includes(p.id)).map((p) => [p.id, p.fee_yen]),
  ) as Partial<Record<Certificate, number>>;

  return (
    <Page title="kiosk.title" variant="theme-kiosk">
      <DeviceSignIn kind="kiosk" onSession={setDevice} />
      {device && fees.juminhyo !== undefined && <CardFlow token={device.token} fees={fees} />}
      {!device ? null : selected ? (
        <ProcedureDetailView id={selected} onBack={() => setSelected(null)} />
      ) : (
        <>
          <p class="lead">{t("kiosk.intro")}</p>
          <Alert error={error} />
          {loading && !data && <Loading />}
          {data && procedures.length === 0 && <p>{t("kiosk.empty")}</p>}
          {procedures.length > 0 && (
            <ul class="tiles">
              {procedures.map((p) => (
                <li key={p.id}>
                  <button type="button" class="tile" onClick={() => setSelected(p.id)}>
                    <span class="tile__name">{p.name}</span>
                    <span class="tile__fee">{formatFee(p.fee_yen, lang, t)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Page>
  );
}

mount(Kiosk);
