/**
 * /staff/certificates/: staff of the issuing department look a certificate up by its issue number (typed, pasted,
 * or the verify link read from the paper's QR code), see its register entry and revoke it with a reason after a
 * confirmation. The API refuses other departments (403) and unknown numbers (404); both are said in words here.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { mount } from "../components/app";
import { ErrorSummary } from "../components/application-form";
import { Alert, Loading } from "../components/feedback";
import { controlProps, Field } from "../components/forms";
import type { Session } from "../components/sign-in";
import { StaffPage, useWorkspace } from "../components/staff-nav";
import { formatTokyoDate, formatTokyoTime } from "../lib/format";
import { type ApiError, asApiError, request, withLang } from "../lib/http";
import { type MessageKey, type Translate, useI18n } from "../lib/i18n";
import "../styles/base.css";

const REASON_MAX = 200; // as the API (madoguchi.certificates.models.REVOKE_REASON_MAX)
const ISSUE_NUMBER = /[AK]\d{4}-\d{6}/;

interface AuditEntry {
  at: string;
  action: "viewed" | "revoked";
  by: string;
  department: string;
}

interface StaffCertificate {
  issue_number: string;
  kind: string;
  title: string;
  department: string;
  office: string;
  channel: "online" | "counter" | "kiosk";
  issued_at: string;
  reference: string;
  status: "valid" | "revoked";
  revoked_at: string | null;
  revoked_by: string | null;
  revoked_reason: string | null;
  audit: AuditEntry[];
}

/**
 * The issue number in what a clerk typed or a QR reader pasted: a number in any case and width
 * (Ａ２０２６－０００１２３), or the verify link `…/verify/?number=…&code=…` (only the number is kept).
 */
function issueNumberOf(typed: string): string {
  const text = typed.normalize("NFKC").trim();
  let candidate = text;
  if (text.includes("number=")) {
    try {
      candidate = new URL(text, location.origin).searchParams.get("number") ?? text;
    } catch {
      candidate = text;
    }
  }
  const upper = candidate.toUpperCase().replace(/\s/g, "");
  return upper.match(ISSUE_NUMBER)?.[0] ?? upper;
}

const when = (iso: string, lang: Parameters<typeof formatTokyoDate>[1]): string =>
  `${formatTokyoDate(new Date(iso), lang)} ${formatTokyoTime(new Date(iso), lang)}`;

/** What the API's refusal means for this page, in words. */
function lookupError(error: ApiError, t: Translate): ApiError | string {
  if (error.status === 404) return t("staffcerts.notFound");
  if (error.status === 403) return t("staffcerts.otherDepartment");
  return error;
}

/** "application:app-1" → 申請 app-1; "kiosk-order:…" → キオスク注文 … */
function Reference({ reference }: { reference: string }) {
  const { t } = useI18n();
  const [kind, id] = reference.includes(":") ? reference.split(/:(.*)/s, 2) : ["", reference];
  const label: MessageKey | null =
    kind === "application" ? "staffcerts.reference.application" : kind === "kiosk-order" ? "staffcerts.reference.kiosk" : null;
  return (
    <>
      {label ? `${t(label)} ` : ""}
      <code>{id}</code>
    </>
  );
}

function Entry({ entry }: { entry: StaffCertificate }) {
  const { t, lang } = useI18n();
  const { departmentName } = useWorkspace();
  const revoked = entry.status === "revoked";
  const row = (label: MessageKey, value: ComponentChildren, id?: string) => (
    <div class="summary-list__row">
      <dt class="summary-list__key">{t(label)}</dt>
      <dd class="summary-list__value" id={id}>
        {value}
      </dd>
    </div>
  );
  return (
    <section class={revoked ? "confirm-panel" : "panel"} aria-labelledby="cert-heading">
      <h2 id="cert-heading" tabIndex={-1}>
        {t("staffcerts.entry.heading", { number: entry.issue_number })}
      </h2>
      <dl class="summary-list">
        {row("staffcerts.kind", <span lang="ja">{entry.title}</span>)}
        {row("staffcerts.office", entry.office)}
        {row("staffcerts.channel", t(`channel.${entry.channel}` as MessageKey))}
        {row("staffcerts.issuedAt", when(entry.issued_at, lang))}
        {row("staffcerts.reference", <Reference reference={entry.reference} />)}
        {row(
          "staffcerts.status",
          revoked ? t("staffcerts.status.revoked") : t("staffcerts.status.valid"),
          "cert-status",
        )}
        {revoked && entry.revoked_at && row("staffcerts.revokedAt", when(entry.revoked_at, lang))}
        {revoked && entry.revoked_by && row("staffcerts.revokedBy", entry.revoked_by)}
        {revoked && entry.revoked_reason && row("staffcerts.reason", entry.revoked_reason, "cert-reason")}
      </dl>
      {entry.audit.length > 0 && (
        <details>
          <summary>{t("staffapps.audit.heading", { count: entry.audit.length })}</summary>
          <table class="table">
            <caption class="visually-hidden">{t("staffapps.audit.heading", { count: entry.audit.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("staffapps.audit.when")}</th>
                <th scope="col">{t("staffapps.audit.who")}</th>
                <th scope="col">{t("staffapps.audit.what")}</th>
              </tr>
            </thead>
            <tbody>
              {entry.audit.map((a) => (
                <tr key={`${a.at}${a.action}${a.by}`}>
                  <td>{when(a.at, lang)}</td>
                  <td>
                    {a.by} ({departmentName(a.department)})
                  </td>
                  <td>{t(`staffcerts.audit.${a.action}` as MessageKey)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </section>
  );
}

function RevokeForm({
  entry,
  session,
  onRevoked,
}: {
  entry: StaffCertificate;
  session: Session;
  onRevoked: (revoked: StaffCertificate) => void;
}) {
  const { t, lang } = useI18n();
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  const confirmHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (confirming) confirmHeading.current?.focus();
  }, [confirming]);

  const ask = (event: Event) => {
    event.preventDefault();
    setError(null);
    const missing = reason.trim() ? undefined : t("staffcerts.reason.required");
    setProblem(missing);
    if (!missing) setConfirming(true);
  };

  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      const path = `/staff/certificates/${encodeURIComponent(entry.issue_number)}/revoke`;
      onRevoked(await request<StaffCertificate>(withLang(path, lang), { method: "POST", token: session.token, body: { reason } }));
    } catch (failure) {
      const apiError = asApiError(failure);
      setConfirming(false);
      if (apiError.status === 422) setProblem(apiError.detail[0]?.msg || apiError.message);
      else setError(lookupError(apiError, t));
    } finally {
      setBusy(false);
    }
  };

  const problems = problem ? [{ target: "revoke-reason", text: `${t("staffcerts.reason")}: ${problem}` }] : [];
  return (
    <section class="panel" aria-labelledby="revoke-heading">
      <h2 id="revoke-heading">{t("staffcerts.revoke.heading")}</h2>
      <ErrorSummary problems={problems} />
      <p>{t("staffcerts.revoke.intro")}</p>
      <form noValidate onSubmit={ask}>
        <Field id="revoke-reason" label={t("staffcerts.reason")} hint={t("staffcerts.reason.hint", { max: REASON_MAX })} error={problem}>
          <textarea
            {...controlProps("revoke-reason", t("staffcerts.reason.hint", { max: REASON_MAX }), problem)}
            name="reason"
            rows={3}
            maxLength={REASON_MAX}
            value={reason}
            disabled={confirming}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </Field>
        {!confirming && (
          <button type="submit" class="button button--danger">
            {t("staffcerts.revoke")}
          </button>
        )}
      </form>
      {confirming && (
        <div class="confirm-panel" role="group" aria-labelledby="revoke-confirm-heading">
          <h3 id="revoke-confirm-heading" tabIndex={-1} ref={confirmHeading}>
            {t("staffcerts.revoke.confirm", { number: entry.issue_number })}
          </h3>
          <p>{t("staffcerts.revoke.consequence")}</p>
          <button type="button" class="button button--danger" disabled={busy} onClick={() => void revoke()}>
            {t("staffcerts.revoke.yes")}
          </button>{" "}
          <button type="button" class="button button--secondary" disabled={busy} onClick={() => setConfirming(false)}>
            {t("staffcerts.revoke.no")}
          </button>
        </div>
      )}
      <Alert error={error} />
    </section>
  );
}

function Certificates({ session }: { session: Session }) {
  const { t, lang } = useI18n();
  const [typed, setTyped] = useState(() => new URLSearchParams(location.search).get("number") ?? "");
  const [missing, setMissing] = useState<string | undefined>(undefined);
  const [entry, setEntry] = useState<StaffCertificate | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const find = async (text: string) => {
    const number = issueNumberOf(text);
    setMissing(number ? undefined : t("staffcerts.number.required"));
    setEntry(null);
    setError(null);
    setDone(false);
    if (!number) return;
    setTyped(number);
    setBusy(true);
    try {
      const path = `/staff/certificates/${encodeURIComponent(number)}`;
      setEntry(await request<StaffCertificate>(withLang(path, lang), { token: session.token }));
    } catch (failure) {
      setError(lookupError(asApiError(failure), t));
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (typed) void find(typed); // opened with ?number=… (e.g. from another staff page)
  }, [session.token]);

  useEffect(() => {
    if (entry) document.getElementById("cert-heading")?.focus();
  }, [entry?.issue_number, entry?.status]);

  const problems = missing ? [{ target: "cert-number", text: `${t("staffcerts.number")}: ${missing}` }] : [];
  return (
    <>
      <ErrorSummary problems={problems} />
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void find(typed);
        }}
      >
        <Field id="cert-number" label={t("staffcerts.number")} hint={t("staffcerts.number.hint")} error={missing}>
          <input
            {...controlProps("cert-number", t("staffcerts.number.hint"), missing)}
            name="number"
            autoComplete="off"
            autoCapitalize="characters"
            spellcheck={false}
            value={typed}
            onInput={(e) => setTyped(e.currentTarget.value)}
          />
        </Field>
        <button class="button" type="submit" disabled={busy}>
          {t("staffcerts.find")}
        </button>
      </form>
      {busy && <Loading />}
      <Alert error={error} />
      <p role="status" id="cert-done">
        {done ? t("staffcerts.revoked.done") : ""}
      </p>
      {entry && <Entry entry={entry} />}
      {entry && entry.status === "valid" && (
        <RevokeForm
          key={entry.issue_number}
          entry={entry}
          session={session}
          onRevoked={(revoked) => {
            setEntry(revoked);
            setDone(true);
          }}
        />
      )}
    </>
  );
}

/** Staff of the issuing department: look a certificate up, revoke it with a reason. */
function StaffCertificates() {
  const { t } = useI18n();
  const [session, setSession] = useState<Session | null>(null);
  return (
    <StaffPage title="staffcerts.title" section="certificates" onSession={setSession}>
      <p>{t("staffcerts.intro")}</p>
      {session && session.me.role === "staff" && <Certificates session={session} />}
    </StaffPage>
  );
}

mount(StaffCertificates);
