import { useEffect, useRef, useState } from "preact/hooks";
import {
  AnswerList,
  ApplicationFields,
  answerErrors,
  CheckAnswers,
  ErrorSummary,
  type SummaryProblem,
  StatusBadge,
} from "../components/application-form";
import { Page, mount } from "../components/app";
import { Alert, Loading } from "../components/feedback";
import { departmentName, type FieldErrors } from "../components/forms";
import { type Session, SignIn } from "../components/sign-in";
import { hasStoredSession } from "../lib/auth";
import type { ProcedureList } from "../lib/procedures";
import { type ApiError, asApiError, newKey, request, withLang } from "../lib/http";
import {
  type Answer,
  type ApplicationReceipt,
  type ApplicationSummary,
  type ApplicationView,
  downloadReceipt,
  EDITABLE,
  getApplication,
  pageOf,
  questionPages,
  type UploadTicket,
  uploadFile,
} from "../lib/applications";
import { formatTokyoDate, formatTokyoTime } from "../lib/format";
import { type MessageKey, useI18n } from "../lib/i18n";
import { hrefWith, queryParam } from "../lib/url";
import "../styles/base.css";

const ATTACHMENT_STATUS: Record<"pending" | "valid" | "rejected", MessageKey> = {
  pending: "apply.attachment.pending",
  valid: "apply.attachment.valid",
  rejected: "apply.attachment.rejected",
};

const yen = (n: number) => `${n.toLocaleString("ja-JP")}`;

/** Pick a procedure (or resume a draft) and start an application. */
function Start({ token, onOpen }: { token: string; onOpen: (id: string) => void }) {
  const { t, lang } = useI18n();
  const [procedures, setProcedures] = useState<ProcedureList | null>(null);
  const [mine, setMine] = useState<ApplicationSummary[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [notice, setNotice] = useState("");
  const [version, setVersion] = useState(0);

  useEffect(() => {
    request<ProcedureList>(withLang("/procedures", lang)).then(setProcedures, (e) => setError(asApiError(e)));
  }, [lang]);
  useEffect(() => {
    request<{ applications: ApplicationSummary[] }>(withLang("/me/applications", lang), { token }).then(
      (page) => setMine(page.applications),
      (e) => setError(asApiError(e)),
    );
  }, [lang, token, version]);

  const remove = async (draft: ApplicationSummary) => {
    setBusy(true);
    setError(null);
    try {
      await request(withLang(`/applications/${encodeURIComponent(draft.id)}`, lang), { method: "DELETE", token });
      setDeleting(null);
      setNotice(t("apply.mine.deleted", { name: draft.procedure_name }));
      setVersion((v) => v + 1);
      document.getElementById("apply-mine-heading")?.focus();
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };
  const when = (iso: string | null) => (iso ? `${formatTokyoDate(new Date(iso), lang)} ${formatTokyoTime(new Date(iso), lang)}` : "");
  const drafts = (mine ?? []).filter((a) => a.status === "draft");
  const others = (mine ?? []).filter((a) => a.status !== "draft");
  const draftOf = new Map(drafts.map((d) => [d.procedure, d]));

  const start = async (procedure: string) => {
    setBusy(true);
    setError(null);
    try {
      const created = await request<ApplicationView>(withLang("/applications", lang), {
        method: "POST",
        body: { procedure, answers: {} },
        token,
        headers: { "Idempotency-Key": newKey() },
      });
      onOpen(created.id);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Alert error={error} />
      <div role="status">
        {notice && (
          <p class="notice notice--ok" id="apply-notice">
            {notice}
          </p>
        )}
      </div>
      <section class="panel" aria-labelledby="apply-mine-heading">
        <h2 id="apply-mine-heading" tabIndex={-1}>
          {t("apply.mine.heading")}
        </h2>
        {mine === null ? (
          <Loading />
        ) : mine.length === 0 ? (
          <p>{t("apply.mine.none")}</p>
        ) : (
          <>
            {drafts.length > 0 && (
              <>
                <h3>{t("apply.mine.drafts")}</h3>
                <ul class="application-list" id="draft-list">
                  {drafts.map((a) => (
                    <li key={a.id} data-application={a.id}>
                      <a id={`draft-${a.id}`} href={hrefWith("id", a.id)} onClick={(e) => (e.preventDefault(), onOpen(a.id))}>
                        {a.procedure_name}（{a.code}）
                      </a>{" "}
                      <span class="application-list__dates">
                        {t("apply.mine.started", { when: when(a.created_at) })}
                        {a.updated_at && a.updated_at !== a.created_at && ` ・ ${t("apply.mine.saved", { when: when(a.updated_at) })}`}
                      </span>{" "}
                      {deleting === a.id ? (
                        <span class="confirm-inline" role="group" aria-labelledby={`delete-question-${a.id}`}>
                          <span id={`delete-question-${a.id}`}>{t("apply.mine.deleteConfirm", { name: a.procedure_name })}</span>{" "}
                          <button type="button" class="button button--danger" disabled={busy} onClick={() => remove(a)}>
                            {t("apply.mine.deleteYes")}
                          </button>{" "}
                          <button type="button" class="button button--secondary" disabled={busy} onClick={() => setDeleting(null)}>
                            {t("apply.mine.keep")}
                          </button>
                        </span>
                      ) : (
                        <button
                          type="button"
                          class="button button--secondary"
                          disabled={busy}
                          onClick={() => setDeleting(a.id)}
                          aria-describedby={`draft-${a.id}`}
                        >
                          {t("apply.mine.delete")}
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              </>
            )}
            {others.length > 0 && (
              <>
                <h3>{t("apply.mine.sent")}</h3>
                <ul class="application-list">
                  {others.map((a) => (
                    <li key={a.id}>
                      <a href={hrefWith("id", a.id)} onClick={(e) => (e.preventDefault(), onOpen(a.id))}>
                        {a.procedure_name}（{a.code}）
                      </a>{" "}
                      <StatusBadge status={a.status} />{" "}
                      {a.submitted_at && (
                        <span class="application-list__dates">{t("apply.mine.submitted", { when: when(a.submitted_at) })}</span>
                      )}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
      </section>
      <section class="panel" aria-labelledby="apply-start-heading">
        <h2 id="apply-start-heading">{t("apply.start.heading")}</h2>
        <p>{t("apply.start.intro")}</p>
        {!procedures ? (
          <Loading />
        ) : (
          <ul class="procedure-start">
            {procedures.procedures.map((p) => (
              <li key={p.id}>
                <button type="button" class="button button--secondary" disabled={busy} onClick={() => start(p.id)}>
                  {p.name}
                  {draftOf.has(p.id) && ` ${t("apply.start.resume")}`}
                </button>{" "}
                <span>
                  {p.fee_yen > 0 ? t("apply.fee", { yen: yen(p.fee_yen) }) : t("apply.free")}
                  {!p.channels.includes("online") && ` ・ ${t("apply.counterOnly")}`}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

/** A receipt's facts and its PDF, for a fee paid online. */
function FeeReceipt({ id, token }: { id: string; token: string }) {
  const { t, lang } = useI18n();
  const [receipt, setReceipt] = useState<ApplicationReceipt | null>(null);
  useEffect(() => {
    request<ApplicationReceipt>(withLang(`/applications/${encodeURIComponent(id)}/receipt`, lang), { token }).then(
      setReceipt,
      () => setReceipt(null), // nothing paid: no receipt
    );
  }, [id, token, lang]);
  if (!receipt) return null;
  return (
    <section class="receipt-summary" aria-labelledby="fee-receipt-heading">
      <h3 id="fee-receipt-heading">{t("apply.receipt.heading")}</h3>
      <dl class="facts" id="fee-receipt">
        <div>
          <dt>{t("receipt.number")}</dt>
          <dd>{receipt.number}</dd>
        </div>
        <div>
          <dt>{t("reservations.amount")}</dt>
          <dd>{t("apply.fee", { yen: yen(receipt.amount) })}</dd>
        </div>
        <div>
          <dt>{t("receipt.paidAt")}</dt>
          <dd>{formatTokyoDate(new Date(receipt.paid_at), lang)}</dd>
        </div>
        {receipt.refunded > 0 && (
          <div>
            <dt>{t("receipt.refunded")}</dt>
            <dd>{t("apply.fee", { yen: yen(receipt.refunded) })}</dd>
          </div>
        )}
      </dl>
      <button type="button" class="button button--secondary" onClick={() => downloadReceipt(id, token).catch(() => undefined)}>
        {t("receipt.pdf")}
      </button>
    </section>
  );
}

/** After submitting: the panel with the reference number, then what happens next and when. */
function Confirmation({ app, token }: { app: ApplicationView; token: string }) {
  const { t } = useI18n();
  const waitingForStaff = ["received", "in_review"].includes(app.status);
  return (
    <>
      {waitingForStaff && (
        <div class="confirmation-panel" id="confirmation-panel">
          <h3 class="confirmation-panel__title">{t("apply.panel.title")}</h3>
          <p class="confirmation-panel__body">
            {t("apply.panel.reference")}
            <br />
            <strong class="confirmation-panel__code">{app.code}</strong>
          </p>
        </div>
      )}
      {waitingForStaff && (
        <section aria-labelledby="next-heading" id="what-happens-next">
          <h3 id="next-heading">{t("apply.next.heading")}</h3>
          <p>
            {t("apply.next.review", {
              department: departmentName(t, app.department),
              days: app.form.processing_days,
            })}
          </p>
          <p>{t("apply.next.mail")}</p>
        </section>
      )}
      {app.paid && <FeeReceipt id={app.id} token={token} />}
    </>
  );
}

/** One application: question pages (each checked by the API before the next), attach photos, check answers and
 * submit, pay, then the confirmation with what happens next, and the status. */
function Application({ id, token, onBack }: { id: string; token: string; onBack: () => void }) {
  const { t, lang } = useI18n();
  const [app, setApp] = useState<ApplicationView | null>(null);
  const [answers, setAnswers] = useState<Record<string, Answer>>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [alert, setAlert] = useState<ApiError | string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reviewing, setReviewing] = useState(false);
  const [focusAfter, setFocusAfter] = useState<string | null>(null);
  const [pageIndex, setPageIndex] = useState(0);
  // Came from "change" on the check page: the next "continue" goes back there (GOV.UK pattern).
  const [backToCheck, setBackToCheck] = useState(false);
  const submitKey = useRef(newKey());
  // One key per attachment kind (and file type: a slot's link takes only its own type) until its upload link
  // arrives, so choosing the file again after a lost answer asks for the same slot, not a second one.
  const uploadKeys = useRef(new Map<string, string>());
  const heading = useRef<HTMLHeadingElement>(null);

  /** Reloads the application; the answers being typed are kept unless `withAnswers` (first load). */
  const load = async (paidReturn = false, withAnswers = false) => {
    try {
      let view = await getApplication(id, token, lang);
      if (paidReturn && view.status === "awaiting_payment") {
        view = await request<ApplicationView>(withLang(`/applications/${id}/payment`, lang), {
          method: "POST",
          token,
        });
      }
      setApp(view);
      if (withAnswers) setAnswers(view.answers);
    } catch (e) {
      setAlert(asApiError(e));
    }
  };

  useEffect(() => {
    load(queryParam("paid") === "1", true);
  }, [id, lang]);
  useEffect(() => {
    if (!focusAfter) heading.current?.focus();
  }, [app?.status, reviewing, pageIndex]);
  // "Change" on the check page: back to the question, focus on it.
  useEffect(() => {
    if (!focusAfter || reviewing) return;
    const control = document.getElementById(focusAfter);
    control?.scrollIntoView({ block: "center" });
    control?.focus();
    setFocusAfter(null);
  }, [focusAfter, reviewing]);

  // Photos are checked after upload: poll while one is pending.
  useEffect(() => {
    if (!app?.attachments.some((a) => a.status === "pending")) return;
    const timer = setTimeout(() => load(), 700);
    return () => clearTimeout(timer);
  }, [app]);

  const pages = app ? questionPages(app.form, answers, app.prefilled) : [];
  const pageAt = Math.min(pageIndex, Math.max(pages.length - 1, 0));
  const shown = pages[pageAt] ?? { fields: [], files: [], fromRecords: false };

  const fail = (e: unknown) => {
    const error = asApiError(e);
    const found = error.status === 422 ? answerErrors(error.detail) : {};
    setErrors(found);
    // Field problems are listed in the error summary and next to each field; other failures in the alert.
    setAlert(Object.keys(found).length > 0 ? null : error);
    // The whole check (or a submit) may find a problem on another page: show the first such page.
    const first = pages.findIndex(
      (p) => p.fields.some((f) => found[`answers.${f.id}`]) || p.files.some((id) => found[`attachments.${id}`]),
    );
    if (first >= 0) setPageIndex(first);
  };

  const clearError = (key: string) =>
    setErrors((current) => {
      if (!(key in current)) return current;
      const next = { ...current };
      delete next[key];
      return next;
    });

  const patch = async (complete: boolean, step: string[] = []) => {
    const body = {
      answers: Object.fromEntries(Object.entries(answers).filter(([k]) => !app?.prefilled.includes(k))),
      complete,
      step,
    };
    return request<ApplicationView>(withLang(`/applications/${id}`, lang), { method: "PATCH", body, token });
  };

  const save = async () => {
    setBusy(true);
    setAlert(null);
    setErrors({});
    try {
      setApp(await patch(false));
      setNotice(t("apply.saved"));
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const upload = async (kind: string, file: File | undefined) => {
    if (!file) return;
    const type = file.type === "image/jpg" ? "image/jpeg" : file.type;
    setBusy(true);
    setAlert(null);
    clearError(`attachments.${kind}`);
    const keyOf = `${kind}:${type}`;
    const key = uploadKeys.current.get(keyOf) ?? newKey();
    uploadKeys.current.set(keyOf, key);
    try {
      const ticket = await request<UploadTicket>(withLang(`/applications/${id}/attachments`, lang), {
        method: "POST",
        body: { kind, content_type: type },
        token,
        headers: { "Idempotency-Key": key },
      });
      uploadKeys.current.delete(keyOf);
      await uploadFile(ticket, file);
      setNotice(t("apply.uploaded"));
      await load();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  /** Every answer and file is checked as a whole before the answers are shown to check. */
  const review = async () => {
    setBusy(true);
    setAlert(null);
    try {
      setApp(await patch(true));
      setErrors({});
      setNotice(null);
      setBackToCheck(false);
      setReviewing(true);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  /** "Continue": this page's questions are checked (and saved) before the next page; the last one leads to the
   * check of everything. */
  const next = async (event: Event) => {
    event.preventDefault();
    if (backToCheck || pageAt >= pages.length - 1) return review();
    setBusy(true);
    setAlert(null);
    try {
      setApp(await patch(false, [...shown.fields.map((f) => f.id), ...shown.files]));
      setErrors({});
      setNotice(null);
      setPageIndex(pageAt + 1);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const submit = async () => {
    setBusy(true);
    try {
      const view = await request<ApplicationView>(withLang(`/applications/${id}/submit`, lang), {
        method: "POST",
        body: { return_url: `${location.origin}/apply/?lang=${encodeURIComponent(lang)}` },
        token,
        headers: { "Idempotency-Key": submitKey.current },
      });
      setApp(view);
      setNotice(null);
      setReviewing(false);
    } catch (e) {
      setReviewing(false);
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  if (!app) return alert ? <Alert error={alert} /> : <Loading />;
  const editable = EDITABLE.includes(app.status) && app.status !== "preregistered" && app.typed_by === null;
  const latest = new Map(app.attachments.map((a) => [a.kind, a]));
  const attachmentState = (kind: string) => {
    const current = latest.get(kind);
    return current ? t(ATTACHMENT_STATUS[current.status]) : t("apply.attachment.none");
  };
  // The summary lists problems in form order: the fields asked, then the files.
  const problems: SummaryProblem[] = [
    ...shown.fields
      .filter((f) => errors[`answers.${f.id}`])
      .map((f) => ({ target: `answer-${f.id}`, text: `${f.label}: ${errors[`answers.${f.id}`]}` })),
    ...app.form.attachments
      .filter((a) => shown.files.includes(a.id) && errors[`attachments.${a.id}`])
      .map((a) => ({ target: `file-${a.id}`, text: `${a.label}: ${errors[`attachments.${a.id}`]}` })),
  ];

  return (
    <section class="panel application" aria-labelledby="application-heading">
      <h2 id="application-heading" ref={heading} tabIndex={-1}>
        {app.procedure_name}
      </h2>
      <div role="status" class="application-status">
        <p>
          {t("apply.number")}: <span id="application-code">{app.code}</span> ・ {t("apply.statusLabel")}:{" "}
          <span id="application-status">
            <StatusBadge status={app.status} />
          </span>
        </p>
        {notice && <p class="notice">{notice}</p>}
      </div>
      <Alert error={alert} />
      {app.return_reason && (
        <p class="notice" id="return-reason">
          {t("apply.returnReason")}: {app.return_reason}
        </p>
      )}
      {app.form.counter_note && <p class="notice">{app.form.counter_note}</p>}
      {app.form.not_asked.length > 0 && <p>{t("apply.notAsked", { names: app.form.not_asked.join("、") })}</p>}
      {app.fee_yen > 0 && <p>{t("apply.fee", { yen: yen(app.fee_yen) })}</p>}
      {app.refund_pending_yen > 0 && (
        <p class="notice" id="refund-pending">
          {t("apply.refundPending", { yen: yen(app.refund_pending_yen) })}
        </p>
      )}

      {editable && reviewing ? (
        <section aria-labelledby="review-heading" class="review">
          <h3 id="review-heading">{t("apply.reviewHeading")}</h3>
          <CheckAnswers
            application={app}
            attachments={app.form.attachments.map((spec) => ({
              id: spec.id,
              label: spec.label,
              state: attachmentState(spec.id),
            }))}
            onChange={(target) => {
              setPageIndex(Math.max(pageOf(pages, target), 0));
              setBackToCheck(true);
              setFocusAfter(target);
              setReviewing(false);
            }}
          />
          <p>{t("apply.next.beforeSubmit", { days: app.form.processing_days })}</p>
          <div class="actions">
            <button type="button" class="button" disabled={busy} onClick={submit}>
              {app.fee_yen > 0 && app.channel === "online" ? t("apply.submitAndPay") : t("apply.submit")}
            </button>
          </div>
        </section>
      ) : editable ? (
        <form class="form form--stacked" onSubmit={next} noValidate aria-labelledby="question-progress">
          <ErrorSummary problems={problems} />
          <p class="question-progress" id="question-progress">
            {t("apply.progress", { n: pageAt + 1, total: pages.length })}
            {shown.fromRecords && <strong class="question-progress__title"> {t("apply.fromRecords")}</strong>}
          </p>
          <ApplicationFields
            fields={shown.fields}
            answers={answers}
            prefilled={app.prefilled}
            errors={errors}
            onChange={(field, value) => {
              clearError(`answers.${field}`); // the message goes once the answer changes
              setAnswers((a) => {
                const next = { ...a };
                if (value === null) delete next[field];
                else next[field] = value;
                return next;
              });
            }}
          />
          {shown.files.length > 0 && (
            <fieldset class="attachments">
              <legend>{t("apply.attachments")}</legend>
              {app.form.attachments.filter((spec) => shown.files.includes(spec.id)).map((spec) => {
                const current = latest.get(spec.id);
                const inputId = `file-${spec.id}`;
                const error = errors[`attachments.${spec.id}`];
                return (
                  <div class={error ? "field field--invalid" : "field"} key={spec.id}>
                    <label for={inputId}>
                      {spec.label}
                      {spec.required && <span class="required"> {t("apply.required")}</span>}
                    </label>
                    {spec.help && (
                      <p class="hint" id={`${inputId}-hint`}>
                        {spec.help}
                      </p>
                    )}
                    <input
                      id={inputId}
                      type="file"
                      accept="image/jpeg,image/png,application/pdf"
                      aria-describedby={
                        [spec.help && `${inputId}-hint`, current && `attachment-${spec.id}`, error && `${inputId}-error`]
                          .filter(Boolean)
                          .join(" ") || undefined
                      }
                      aria-invalid={error ? "true" : undefined}
                      disabled={busy}
                      onChange={(e) => upload(spec.id, e.currentTarget.files?.[0])}
                    />
                    {current && (
                      <p class={`attachment attachment--${current.status}`} id={`attachment-${spec.id}`}>
                        {t(ATTACHMENT_STATUS[current.status])}
                        {current.status === "rejected" && current.reason_text ? `: ${current.reason_text}` : ""}
                      </p>
                    )}
                    {error && (
                      <p class="field-error" id={`${inputId}-error`}>
                        {error}
                      </p>
                    )}
                  </div>
                );
              })}
            </fieldset>
          )}
          <div class="actions">
            <button type="submit" class="button" disabled={busy}>
              {backToCheck || pageAt >= pages.length - 1 ? t("apply.review") : t("apply.continue")}
            </button>{" "}
            {pageAt > 0 && !backToCheck && (
              <>
                <button
                  type="button"
                  class="button button--secondary"
                  disabled={busy}
                  onClick={() => {
                    setErrors({});
                    setPageIndex(pageAt - 1);
                  }}
                >
                  {t("apply.previous")}
                </button>{" "}
              </>
            )}
            <button type="button" class="button button--secondary" disabled={busy} onClick={save}>
              {t("apply.save")}
            </button>
          </div>
        </form>
      ) : (
        <>
          <Confirmation app={app} token={token} />
          <AnswerList application={app} />
          {app.status === "awaiting_payment" && app.payment_url && (
            <p>
              <a class="button" id="pay-link" href={app.payment_url}>
                {t("apply.pay", { yen: yen(app.fee_yen) })}
              </a>
            </p>
          )}
          {app.qr_svg && app.status !== "draft" && (
            <figure class="qr">
              {/* The SVG comes from our API (segno) and carries only the reference number. */}
              <div role="img" aria-label={t("apply.qrLabel", { code: app.code })} dangerouslySetInnerHTML={{ __html: app.qr_svg }} />
              <figcaption>{app.status === "preregistered" ? t("apply.qrCounter") : t("apply.qrKeep")}</figcaption>
            </figure>
          )}
          <button type="button" class="button button--secondary" onClick={() => load()}>
            {t("apply.refresh")}
          </button>
        </>
      )}
      <p>
        <a
          href={hrefWith("id", null)}
          onClick={(e) => {
            e.preventDefault();
            onBack();
          }}
        >
          {t("apply.back")}
        </a>
      </p>
    </section>
  );
}

function Apply() {
  const { t } = useI18n();
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(hasStoredSession);
  const [id, setId] = useState<string | null>(() => queryParam("id"));

  useEffect(() => {
    const onPop = () => setId(queryParam("id"));
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);

  const open = (next: string | null) => {
    history.pushState(null, "", hrefWith("id", next));
    setId(next);
  };

  return (
    <Page title="apply.title">
      <p class="lead">{t("apply.intro")}</p>
      <SignIn
        audience="resident"
        onSession={(s) => {
          setRestoring(false);
          setSession(s);
        }}
      />
      {session && session.me.role !== "resident" ? (
        <p class="notice">{t("resident.residentsOnly")}</p>
      ) : session ? (
        id ? (
          <Application key={id} id={id} token={session.token} onBack={() => open(null)} />
        ) : (
          <Start token={session.token} onOpen={open} />
        )
      ) : restoring ? (
        <Loading />
      ) : (
        <p>{t("resident.signInFirst")}</p>
      )}
    </Page>
  );
}

mount(Apply);
