import { useEffect, useRef, useState } from "preact/hooks";
import { AnswerList, ApplicationFields, answerErrors, STATUS_LABEL, StatusBadge } from "../components/application-form";
import { mount } from "../components/app";
import { Alert, Loading } from "../components/feedback";
import type { FieldErrors } from "../components/forms";
import { QrScanner } from "../components/qr-scanner";
import type { Session } from "../components/sign-in";
import { StaffPage, useWorkspace } from "../components/staff-nav";
import type { ProcedureList } from "../lib/procedures";
import { type ApiError, asApiError, newKey, request, withLang } from "../lib/http";
import {
  type Answer,
  type ApplicationStatus,
  type ApplicationSummary,
  type ApplicationView,
  type AppVerification,
  STATUSES,
} from "../lib/applications";
import { formatFee, formatTokyoDate, formatTokyoTime } from "../lib/format";
import { type MessageKey, useI18n } from "../lib/i18n";
import { queryParam } from "../lib/url";
import { BridgeError, asError, readBasicFour } from "../lib/kiosk";
import "../styles/base.css";

const AUDIT_ACTIONS = [
  "created",
  "viewed",
  "answers_changed",
  "answers_changed_by_staff",
  "upload_requested",
  "submitted",
  "paid",
  "checkout_expired",
  "confirmed_by_resident",
  "verification_answered",
  "start_review",
  "approve",
  "return",
  "reject",
  "accepted_at_counter",
  "issued",
  "reissued_copy",
];

/** An audit entry's action in words ("submitted:received" is a submission that ended in that status). */
const auditLabel = (action: string): MessageKey => {
  const base = action.split(":", 1)[0];
  return `staffapps.audit.action.${AUDIT_ACTIONS.includes(base) ? base : "other"}` as MessageKey;
};

const REJECT_REASONS = ["file_type_mismatch", "file_too_large"];
const rejectReason = (reason: string | null): MessageKey =>
  `staffapps.attachment.reason.${reason && REJECT_REASONS.includes(reason) ? reason : "other"}` as MessageKey;

const initialStatus = (): ApplicationStatus | "" => {
  const asked = queryParam("status");
  if (asked === "") return "";
  return asked && (STATUSES as readonly string[]).includes(asked) ? (asked as ApplicationStatus) : "received";
};

type Open = (view: ApplicationView) => void;

/** The department's applications by status: paginated, oldest first within a status. */
function Inbox({ token, onOpen }: { token: string; onOpen: (id: string) => void }) {
  const { t, lang } = useI18n();
  const [status, setStatus] = useState<ApplicationStatus | "">(initialStatus);
  const [page, setPage] = useState<{ applications: ApplicationSummary[]; next: string | null } | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    const query = new URLSearchParams();
    if (status) query.set("status", status);
    if (cursor) query.set("cursor", cursor);
    request<{ applications: ApplicationSummary[]; next: string | null }>(
      withLang(`/staff/applications?${query}`, lang),
      { token },
    ).then(setPage, (e) => setError(asApiError(e)));
  }, [status, cursor, lang, token]);

  return (
    <section class="panel" aria-labelledby="inbox-heading">
      <h2 id="inbox-heading">{t("staffapps.inbox.heading")}</h2>
      <div class="field">
        <label for="inbox-status">{t("apply.statusLabel")}</label>
        <select
          id="inbox-status"
          value={status}
          onChange={(e) => {
            setCursor(null);
            setStatus(e.currentTarget.value as ApplicationStatus | "");
          }}
        >
          <option value="">{t("staffapps.inbox.all")}</option>
          {STATUSES.filter((s) => s !== "draft").map((s) => (
            <option key={s} value={s}>
              {t(STATUS_LABEL[s])}
            </option>
          ))}
        </select>
      </div>
      <Alert error={error} />
      {!page ? (
        <Loading />
      ) : page.applications.length === 0 ? (
        <p>{t("staffapps.inbox.empty")}</p>
      ) : (
        <table class="table">
          <caption class="visually-hidden">{t("staffapps.inbox.heading")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("apply.number")}</th>
              <th scope="col">{t("staffapps.procedure")}</th>
              <th scope="col">{t("apply.statusLabel")}</th>
              <th scope="col">{t("staffapps.age")}</th>
            </tr>
          </thead>
          <tbody>
            {page.applications.map((a) => (
              <tr key={a.id}>
                <td>
                  <button type="button" class="link-button" onClick={() => onOpen(a.id)}>
                    {a.code}
                  </button>
                </td>
                <td>{a.procedure_name}</td>
                <td>
                  <StatusBadge status={a.status} />
                </td>
                <td>{a.age_days === null ? "" : t("staffapps.days", { days: a.age_days })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page?.next && (
        <button type="button" class="button button--secondary" onClick={() => setCursor(page.next)}>
          {t("staffapps.more")}
        </button>
      )}
    </section>
  );
}

/** Open a pre-registration handed over by QR code: the scanner types the short code like a keyboard does. */
function ByCode({ token, onOpen }: { token: string; onOpen: Open }) {
  const { t, lang } = useI18n();
  const [code, setCode] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const open = async (text: string) => {
    setError(null);
    const cleaned = text.replace(/^MADOGUCHI:/i, "").trim();
    try {
      onOpen(await request<ApplicationView>(withLang(`/staff/applications/by-code/${encodeURIComponent(cleaned)}`, lang), { token }));
    } catch (err) {
      setError(asApiError(err));
    }
  };
  const find = (e: Event) => {
    e.preventDefault();
    void open(code);
  };
  return (
    <section class="panel" aria-labelledby="bycode-heading">
      <h2 id="bycode-heading">{t("staffapps.byCode.heading")}</h2>
      <form class="form" onSubmit={find}>
        <div class="field">
          <label for="bycode-input">{t("staffapps.byCode.label")}</label>
          <p class="hint" id="bycode-hint">
            {t("staffapps.byCode.hint")}
          </p>
          <input id="bycode-input" aria-describedby="bycode-hint" value={code} autoComplete="off" onInput={(e) => setCode(e.currentTarget.value)} />
        </div>
        <button type="submit" class="button">
          {t("staffapps.byCode.open")}
        </button>
      </form>
      <QrScanner
        onCode={(text) => {
          setCode(text.replace(/^MADOGUCHI:/i, ""));
          void open(text);
        }}
      />
      <Alert error={error} />
    </section>
  );
}

/** Internal verifications asked of this department (instead of residents attaching city certificates). */
function Verifications({ token }: { token: string }) {
  const { t } = useI18n();
  const { reloadInbox } = useWorkspace();
  const [items, setItems] = useState<{ application_id: string; verification: AppVerification }[] | null>(null);
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const load = () =>
    request<{ verifications: { application_id: string; verification: AppVerification }[] }>("/staff/verifications", {
      token,
    }).then((p) => setItems(p.verifications), (e) => setError(asApiError(e)));
  useEffect(() => {
    load();
  }, [token]);
  const answer = async (applicationId: string, id: string) => {
    try {
      await request(`/staff/applications/${applicationId}/verifications/${id}/answer`, {
        method: "POST",
        body: { answer: answers[id] ?? "" },
        token,
      });
      await load();
      reloadInbox();
    } catch (e) {
      setError(asApiError(e));
    }
  };
  return (
    <section class="panel" aria-labelledby="verify-heading">
      <h2 id="verify-heading">{t("staffapps.verify.heading")}</h2>
      <Alert error={error} />
      {!items ? (
        <Loading />
      ) : items.length === 0 ? (
        <p>{t("staffapps.verify.none")}</p>
      ) : (
        <ul>
          {items.map(({ application_id, verification: v }) => (
            <li key={v.id}>
              <p>{v.question}</p>
              <label for={`answer-${v.id}`}>{t("staffapps.verify.answer")}</label>
              <input id={`answer-${v.id}`} value={answers[v.id] ?? ""} onInput={(e) => setAnswers({ ...answers, [v.id]: e.currentTarget.value })} />{" "}
              <button type="button" class="button" onClick={() => answer(application_id, v.id)}>
                {t("staffapps.verify.send")}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Staff start a form while listening to the resident; it goes to the confirmation tablet before submission. */
function Proxy({ token, onOpen }: { token: string; onOpen: Open }) {
  const { t, lang } = useI18n();
  const [procedures, setProcedures] = useState<ProcedureList | null>(null);
  const [procedure, setProcedure] = useState("");
  const [resident, setResident] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  // The resident's My Number card on the counter's reader (the card bridge on this PC, docs/kiosk.md): its four
  // items become a visit (30 minutes) that prefills the form; the PIN is the resident's and is never kept.
  const [cardPin, setCardPin] = useState("");
  const [visit, setVisit] = useState<{ id: string; name: string } | null>(null);
  const [cardError, setCardError] = useState<string | null>(null);
  const [reading, setReading] = useState(false);
  useEffect(() => {
    request<ProcedureList>(withLang("/procedures", lang)).then(setProcedures, (e) => setError(asApiError(e)));
  }, [lang]);
  const readCard = async () => {
    setReading(true);
    setCardError(null);
    setVisit(null);
    try {
      const four = await readBasicFour(cardPin);
      const opened = await request<{ id: string }>(withLang("/visits", lang), {
        method: "POST",
        body: { name: four.name, address: four.address, date_of_birth: four.date_of_birth, sex: four.sex },
        token,
        headers: { "Idempotency-Key": newKey() },
      });
      setVisit({ id: opened.id, name: four.name });
    } catch (err) {
      const failure = asError(err);
      setCardError(
        failure instanceof BridgeError
          ? t(`kiosk.error.${failure.code}` as MessageKey, { count: failure.triesLeft ?? 0 })
          : failure.message || t("error.network"),
      );
    } finally {
      setCardPin("");
      setReading(false);
    }
  };
  const start = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      onOpen(
        await request<ApplicationView>(withLang("/applications", lang), {
          method: "POST",
          body: {
            procedure,
            proxy: true,
            answers: {},
            ...(resident ? { for_resident: resident } : {}),
            ...(visit ? { visit_id: visit.id } : {}),
          },
          token,
          headers: { "Idempotency-Key": newKey() },
        }),
      );
    } catch (err) {
      setError(asApiError(err));
    }
  };
  return (
    <section class="panel" aria-labelledby="proxy-heading">
      <h2 id="proxy-heading">{t("staffapps.proxy.heading")}</h2>
      <form class="form" onSubmit={start}>
        <div class="field">
          <label for="proxy-procedure">{t("staffapps.procedure")}</label>
          <select id="proxy-procedure" value={procedure} onChange={(e) => setProcedure(e.currentTarget.value)}>
            <option value="">{t("apply.choose")}</option>
            {procedures?.procedures.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="proxy-resident">{t("staffapps.proxy.resident")}</label>
          <input id="proxy-resident" value={resident} onInput={(e) => setResident(e.currentTarget.value)} />
        </div>
        <fieldset class="field">
          <legend>{t("staffapps.proxy.card")}</legend>
          <label for="proxy-card-pin">{t("staffapps.proxy.cardPin")}</label>
          <input id="proxy-card-pin" type="password" inputMode="numeric" autoComplete="off" maxLength={4}
            pattern="[0-9]{4}" value={cardPin} onInput={(e) => setCardPin(e.currentTarget.value)} />{" "}
          <button type="button" class="button button--secondary" disabled={reading || cardPin.length !== 4}
            onClick={readCard}>
            {t("staffapps.proxy.readCard")}
          </button>
          {visit && <p role="status">{t("staffapps.proxy.cardRead", { name: visit.name })}</p>}
          {cardError && <p role="alert" class="alert">{cardError}</p>}
        </fieldset>
        <button type="submit" class="button" disabled={!procedure}>
          {t("staffapps.proxy.start")}
        </button>
      </form>
      <Alert error={error} />
    </section>
  );
}

/** One application for staff: answers, photos (short-lived links), verifications, decisions, certificate. */
function Detail({ view, token, onClose }: { view: ApplicationView; token: string; onClose: () => void }) {
  const { t, lang } = useI18n();
  const [app, setApp] = useState(view);
  const [answers, setAnswers] = useState<Record<string, Answer>>(view.answers);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [reason, setReason] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const { reloadInbox } = useWorkspace();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [app.id]);

  const act = async (path: string, body: unknown = undefined, method: "POST" | "PATCH" = "POST") => {
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      setApp(await request<ApplicationView>(withLang(path, lang), { method, body, token }));
      reloadInbox();
    } catch (e) {
      const err = asApiError(e);
      setError(err);
      if (err.status === 422) setErrors(answerErrors(err.detail));
    } finally {
      setBusy(false);
    }
  };
  const decide = (decision: string) => act(`/staff/applications/${app.id}/decision`, { decision, reason: reason || null });
  const certificate = async () => {
    setBusy(true);
    try {
      const response = await fetch(`/staff/applications/${app.id}/certificate`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, Accept: "application/pdf" },
      });
      if (!response.ok) throw new Error(String(response.status));
      const url = URL.createObjectURL(await response.blob());
      window.open(url, "_blank");
      setApp(await request<ApplicationView>(withLang(`/applications/${app.id}`, lang), { token }));
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };
  const editable = app.status === "preregistered" || (app.typed_by !== null && app.status === "draft");

  return (
    <section class="panel" aria-labelledby="detail-heading">
      <h2 id="detail-heading" ref={heading} tabIndex={-1}>
        {app.procedure_name}（{app.code}）
      </h2>
      <p role="status">
        {t("apply.statusLabel")}:{" "}
        <span id="detail-status">
          <StatusBadge status={app.status} />
        </span>
        {app.typed_by && ` ・ ${t("staffapps.typedBy", { who: app.typed_by })}`}
        {app.confirmed_by && ` ・ ${t("staffapps.confirmedBy", { who: app.confirmed_by })}`}
      </p>
      <Alert error={error} />
      {editable ? (
        <form class="form" onSubmit={(e) => e.preventDefault()} noValidate>
          <ApplicationFields
            fields={app.form.fields}
            answers={answers}
            prefilled={app.prefilled}
            errors={errors}
            onChange={(field, value) =>
              setAnswers((a) => {
                const next = { ...a };
                if (value === null) delete next[field];
                else next[field] = value;
                return next;
              })
            }
          />
          <button
            type="button"
            class="button button--secondary"
            disabled={busy}
            onClick={() =>
              act(`/applications/${app.id}`, {
                answers: Object.fromEntries(Object.entries(answers).filter(([k]) => !app.prefilled.includes(k))),
              }, "PATCH")
            }
          >
            {t("apply.save")}
          </button>{" "}
          {app.status === "preregistered" ? (
            <button type="button" class="button" disabled={busy} onClick={() => act(`/staff/applications/${app.id}/accept`)}>
              {t("staffapps.accept")}
            </button>
          ) : (
            <button
              type="button"
              class="button"
              disabled={busy}
              onClick={() => act(`/applications/${app.id}/submit`, {})}
            >
              {t("staffapps.handover")}
            </button>
          )}
        </form>
      ) : (
        <AnswerList application={app} />
      )}
      {app.status === "awaiting_confirmation" && (
        <p>
          <a href={`/confirm/?id=${encodeURIComponent(app.id)}`}>{t("staffapps.confirmLink")}</a>
        </p>
      )}
      <Attachments app={app} />
      <PaymentStatus app={app} />
      {app.verifications.length > 0 && (
        <>
          <h3>{t("staffapps.verify.heading")}</h3>
          <ul>
            {app.verifications.map((v) => (
              <li key={v.id}>
                {v.question} — {v.answer ?? t("staffapps.verify.waiting")}
              </li>
            ))}
          </ul>
        </>
      )}
      {["received", "in_review"].includes(app.status) && (
        <div class="decisions">
          <div class="field">
            <label for="decision-reason">{t("staffapps.reason")}</label>
            <textarea id="decision-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </div>
          {app.status === "received" && (
            <button type="button" class="button button--secondary" disabled={busy} onClick={() => decide("start_review")}>
              {t("staffapps.startReview")}
            </button>
          )}{" "}
          <button type="button" class="button" id="approve-button" disabled={busy} onClick={() => decide("approve")}>
            {t("staffapps.approve")}
          </button>{" "}
          <button type="button" class="button button--secondary" disabled={busy} onClick={() => decide("return")}>
            {t("staffapps.return")}
          </button>{" "}
          <button type="button" class="button button--secondary" disabled={busy} onClick={() => decide("reject")}>
            {t("staffapps.reject")}
          </button>
        </div>
      )}
      {["approved", "issued"].includes(app.status) && (
        <button type="button" class="button" disabled={busy} onClick={certificate}>
          {t("staffapps.certificate")}
        </button>
      )}
      <AuditTrail app={app} />
      <p>
        <button type="button" class="link-button" onClick={onClose}>
          {t("staffapps.close")}
        </button>
      </p>
    </section>
  );
}

/** The uploads in use (valid or being checked) apart from rejected ones, which are never used. */
function Attachments({ app }: { app: ApplicationView }) {
  const { t } = useI18n();
  if (app.attachments.length === 0) return null;
  const label = (kind: string) => app.form.attachments.find((spec) => spec.id === kind)?.label ?? kind;
  const inUse = app.attachments.filter((a) => a.status !== "rejected");
  const rejected = app.attachments.filter((a) => a.status === "rejected");
  return (
    <>
      <h3 id="attachments-heading">{t("staffapps.attachments.current")}</h3>
      {inUse.length === 0 ? (
        <p>{t("staffapps.attachments.noneInUse")}</p>
      ) : (
        <ul id="attachments-in-use">
          {inUse.map((a) => (
            <li key={a.id}>
              {label(a.kind)}: {a.link ? <a href={a.link}>{t("staffapps.openFile")}</a> : t("staffapps.attachment.pending")}
            </li>
          ))}
        </ul>
      )}
      {rejected.length > 0 && (
        <details class="rejected-uploads" id="attachments-rejected">
          <summary>{t("staffapps.attachments.rejected", { count: rejected.length })}</summary>
          <ul>
            {rejected.map((a) => (
              <li key={a.id}>
                {label(a.kind)}: {t(rejectReason(a.reason))}
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

/** The fee, what was paid and refunded, and whether payment is still due. */
function PaymentStatus({ app }: { app: ApplicationView }) {
  const { t, lang } = useI18n();
  const yen = (amount: number) => formatFee(amount, lang, t);
  const refunds = app.refunded_yen + app.refund_pending_yen;
  const due = app.status === "awaiting_payment" || (app.fee_yen > app.paid_yen - refunds && !app.paid);
  return (
    <>
      <h3 id="payment-heading">{t("staffapps.payment.heading")}</h3>
      <ul id="payment-status">
        {app.fee_yen === 0 && app.paid_yen === 0 ? (
          <li>{t("staffapps.payment.none")}</li>
        ) : (
          <>
            <li>{t("staffapps.payment.fee", { amount: yen(app.fee_yen) })}</li>
            {app.paid_yen > 0 && <li>{t("staffapps.payment.paid", { amount: yen(app.paid_yen) })}</li>}
            {app.refunded_yen > 0 && <li>{t("staffapps.payment.refunded", { amount: yen(app.refunded_yen) })}</li>}
            {app.refund_pending_yen > 0 && (
              <li>{t("staffapps.payment.refundPending", { amount: yen(app.refund_pending_yen) })}</li>
            )}
            {due && app.paid_yen === 0 && <li>{t("staffapps.payment.unpaid")}</li>}
          </>
        )}
      </ul>
    </>
  );
}

/** Who read or changed the application and when (the API gives it to staff of the department only). */
function AuditTrail({ app }: { app: ApplicationView }) {
  const { t, lang } = useI18n();
  if (!app.audit || app.audit.length === 0) return null;
  return (
    <details class="audit-trail">
      <summary id="audit-heading">{t("staffapps.audit.heading", { count: app.audit.length })}</summary>
      <table class="table" id="audit-table">
        <caption class="visually-hidden">{t("staffapps.audit.heading", { count: app.audit.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("staffapps.audit.when")}</th>
            <th scope="col">{t("staffapps.audit.who")}</th>
            <th scope="col">{t("staffapps.audit.what")}</th>
          </tr>
        </thead>
        <tbody>
          {app.audit.map((entry, i) => {
            const at = new Date(entry.at);
            return (
              <tr key={i}>
                <td>
                  <time dateTime={entry.at}>
                    {formatTokyoDate(at, lang)} {formatTokyoTime(at, lang)}
                  </time>
                </td>
                <td>{entry.actor}</td>
                <td>{t(auditLabel(entry.action))}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </details>
  );
}

function StaffApplications() {
  const { t, lang } = useI18n();
  const [session, setSession] = useState<Session | null>(null);
  const [open, setOpen] = useState<ApplicationView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const openId = async (id: string) => {
    if (!session) return;
    try {
      setOpen(await request<ApplicationView>(withLang(`/applications/${id}`, lang), { token: session.token }));
    } catch (e) {
      setError(asApiError(e));
    }
  };
  const staff = session?.me.role === "staff";
  return (
    <StaffPage title="staffapps.title" section="applications" onSession={setSession}>
      <Alert error={error} />
      {session && !staff && <p class="notice">{t("staffapps.staffOnly")}</p>}
      {session && staff &&
        (open ? (
          <Detail key={open.id} view={open} token={session.token} onClose={() => setOpen(null)} />
        ) : (
          <>
            <Inbox token={session.token} onOpen={openId} />
            <ByCode token={session.token} onOpen={setOpen} />
            <Proxy token={session.token} onOpen={setOpen} />
            <Verifications token={session.token} />
          </>
        ))}
    </StaffPage>
  );
}

mount(StaffApplications);
