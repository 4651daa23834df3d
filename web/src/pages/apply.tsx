import { useEffect, useRef, useState } from "preact/hooks";
import { AnswerList, ApplicationFields, answerErrors, StatusBadge } from "../components/application-form";
import { Page, mount } from "../components/app";
import { Alert, Loading } from "../components/feedback";
import type { FieldErrors } from "../components/forms";
import { type Session, SignIn } from "../components/sign-in";
import { hasStoredSession } from "../lib/auth";
import type { ProcedureList } from "../lib/procedures";
import { type ApiError, asApiError, request, withLang } from "../lib/http";
import {
  type Answer,
  type ApplicationSummary,
  type ApplicationView,
  EDITABLE,
  getApplication,
  newKey,
  type UploadTicket,
  uploadFile,
} from "../lib/applications";
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

  useEffect(() => {
    request<ProcedureList>(withLang("/procedures", lang)).then(setProcedures, (e) => setError(asApiError(e)));
    request<{ applications: ApplicationSummary[] }>(withLang("/me/applications", lang), { token }).then(
      (page) => setMine(page.applications),
      (e) => setError(asApiError(e)),
    );
  }, [lang, token]);

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
      <section class="panel" aria-labelledby="apply-mine-heading">
        <h2 id="apply-mine-heading">{t("apply.mine.heading")}</h2>
        {mine === null ? (
          <Loading />
        ) : mine.length === 0 ? (
          <p>{t("apply.mine.none")}</p>
        ) : (
          <ul class="application-list">
            {mine.map((a) => (
              <li key={a.id}>
                <a href={hrefWith("id", a.id)} onClick={(e) => (e.preventDefault(), onOpen(a.id))}>
                  {a.procedure_name}（{a.code}）
                </a>{" "}
                <StatusBadge status={a.status} />
              </li>
            ))}
          </ul>
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

/** One application: edit (draft/returned), attach photos, review and submit, pay, follow its status. */
function Application({ id, token, onBack }: { id: string; token: string; onBack: () => void }) {
  const { t, lang } = useI18n();
  const [app, setApp] = useState<ApplicationView | null>(null);
  const [answers, setAnswers] = useState<Record<string, Answer>>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [alert, setAlert] = useState<ApiError | string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reviewing, setReviewing] = useState(false);
  const submitKey = useRef(newKey());
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
  useEffect(() => heading.current?.focus(), [app?.status]);

  // Photos are checked after upload: poll while one is pending.
  useEffect(() => {
    if (!app?.attachments.some((a) => a.status === "pending")) return;
    const timer = setTimeout(() => load(), 700);
    return () => clearTimeout(timer);
  }, [app]);

  const fail = (e: unknown) => {
    const error = asApiError(e);
    const found = error.status === 422 ? answerErrors(error.detail) : {};
    setErrors(found);
    setAlert(error);
    const first = Object.keys(found)[0];
    if (first) document.getElementById(`answer-${first.split(".")[1]}`)?.focus();
  };

  const save = async () => {
    setBusy(true);
    setAlert(null);
    setErrors({});
    try {
      const body = { answers: Object.fromEntries(Object.entries(answers).filter(([k]) => !app?.prefilled.includes(k))) };
      const view = await request<ApplicationView>(withLang(`/applications/${id}`, lang), {
        method: "PATCH",
        body,
        token,
      });
      setApp(view);
      setNotice(t("apply.saved"));
      return true;
    } catch (e) {
      fail(e);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const upload = async (kind: string, file: File | undefined) => {
    if (!file) return;
    const type = file.type === "image/jpg" ? "image/jpeg" : file.type;
    setBusy(true);
    setAlert(null);
    try {
      const ticket = await request<UploadTicket>(withLang(`/applications/${id}/attachments`, lang), {
        method: "POST",
        body: { kind, content_type: type },
        token,
      });
      await uploadFile(ticket, file);
      setNotice(t("apply.uploaded"));
      await load();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  /** Save, then show the answers to check before submitting. */
  const review = async (event: Event) => {
    event.preventDefault();
    if (await save()) {
      setNotice(null);
      setReviewing(true);
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

      {editable && reviewing ? (
        <section aria-labelledby="review-heading" class="review">
          <h3 id="review-heading">{t("apply.reviewHeading")}</h3>
          <AnswerList application={app} />
          <ul>
            {app.form.attachments.map((spec) => (
              <li key={spec.id}>
                {spec.label}: {latest.get(spec.id) ? t(ATTACHMENT_STATUS[latest.get(spec.id)!.status]) : "—"}
              </li>
            ))}
          </ul>
          <div class="actions">
            <button type="button" class="button button--secondary" disabled={busy} onClick={() => setReviewing(false)}>
              {t("apply.edit")}
            </button>{" "}
            <button type="button" class="button" disabled={busy} onClick={submit}>
              {app.fee_yen > 0 && app.channel === "online" ? t("apply.submitAndPay") : t("apply.submit")}
            </button>
          </div>
        </section>
      ) : editable ? (
        <form class="form" onSubmit={review} noValidate>
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
          {app.form.attachments.length > 0 && (
            <fieldset class="attachments">
              <legend>{t("apply.attachments")}</legend>
              {app.form.attachments.map((spec) => {
                const current = latest.get(spec.id);
                const inputId = `file-${spec.id}`;
                const error = errors[`attachments.${spec.id}`];
                return (
                  <div class="field" key={spec.id}>
                    <label for={inputId}>{spec.label}</label>
                    {spec.help && (
                      <p class="hint" id={`${inputId}-hint`}>
                        {spec.help}
                      </p>
                    )}
                    <input
                      id={inputId}
                      type="file"
                      accept="image/jpeg,image/png,application/pdf"
                      aria-describedby={spec.help ? `${inputId}-hint` : undefined}
                      disabled={busy}
                      onChange={(e) => upload(spec.id, e.currentTarget.files?.[0])}
                    />
                    {current && (
                      <p class={`attachment attachment--${current.status}`} id={`attachment-${spec.id}`}>
                        {t(ATTACHMENT_STATUS[current.status])}
                        {current.reason ? ` (${current.reason})` : ""}
                      </p>
                    )}
                    {error && <p class="field-error">{error}</p>}
                  </div>
                );
              })}
            </fieldset>
          )}
          <div class="actions">
            <button type="button" class="button button--secondary" disabled={busy} onClick={save}>
              {t("apply.save")}
            </button>{" "}
            <button type="submit" class="button" disabled={busy}>
              {t("apply.review")}
            </button>
          </div>
        </form>
      ) : (
        <>
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
