import { useEffect, useRef, useState } from "preact/hooks";
import type { Me } from "../lib/auth";
import { type CaseStatus, type CaseStep, type StepStatus, useCase, type Verification } from "../lib/cases";
import { ApiError, asApiError, request, withLang } from "../lib/http";
import { formatTokyoDate, formatTokyoTime } from "../lib/format";
import { type Lang, type MessageKey, useI18n } from "../lib/i18n";
import { IDENTITY_LABEL, IdentityFields } from "./case-open";
import { Alert, Loading } from "./feedback";
import { DEPARTMENTS, FRONT_COUNTERS, Field, controlProps, departmentName, describedBy, fieldErrorsOf } from "./forms";

const CASE_STATUS: Record<CaseStatus, MessageKey> = {
  open: "case.status.open",
  awaiting_identity: "case.status.awaiting_identity",
  needs_resident: "case.status.needs_resident",
  closed: "case.status.closed",
};

const STEP_STATUS: Record<StepStatus, MessageKey> = {
  pending: "case.step.status.pending",
  waiting: "case.step.status.waiting",
  approved: "case.step.status.approved",
  needs_resident: "case.step.status.needs_resident",
  escalated: "case.step.status.escalated",
};

const TIMELINE_ACTION: Record<string, MessageKey> = {
  case_opened: "case.timeline.case_opened",
  case_viewed: "case.timeline.case_viewed",
  identity_verified: "case.timeline.identity_verified",
  step_waiting: "case.timeline.step_waiting",
  step_approved: "case.timeline.step_approved",
  step_returned: "case.timeline.step_returned",
  step_needs_resident: "case.timeline.step_needs_resident",
  missing_item_received: "case.timeline.missing_item_received",
  step_escalated: "case.timeline.step_escalated",
  case_closed: "case.timeline.case_closed",
  message_posted: "case.timeline.message_posted",
  verification_asked: "case.timeline.verification_asked",
  verification_answered: "case.timeline.verification_answered",
};

function When({ at, lang }: { at: string; lang: Lang }) {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return <>{at}</>;
  return (
    <time dateTime={at}>
      {formatTokyoDate(date, lang)} {formatTokyoTime(date, lang)}
    </time>
  );
}

/** Where focus goes once the case has reloaded after an action: an element id, or one chosen from the outcome. */
type FocusAfter = string | ((error: ApiError | null) => string | undefined);

/** Result of an action: null when it worked, else the error (already announced by the page). */
type Act = (path: string, body: unknown, done: MessageKey, focusAfter?: FocusAfter) => Promise<ApiError | null>;

/** The first field error of a 422, for a form with one main field. */
const fieldMessage = (error: ApiError | null): string | undefined =>
  error && error.status === 422 ? Object.values(fieldErrorsOf(error))[0] : undefined;

/** Approve / Return for the signed-in department's own step (authenticated POSTs, never links). */
function Decision({ step, act }: { step: CaseStep; act: Act }) {
  const { t } = useI18n();
  const [note, setNote] = useState("");
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const taskId = step.task_id as string;
  const base = `/staff/tasks/${encodeURIComponent(taskId)}`;
  const stepHeading = `step-${step.department}-heading`;
  const awaitingResident = step.status === "needs_resident";

  const approve = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const trimmed = note.trim();
    const failed = await act(`${base}/approve`, trimmed ? { note: trimmed } : {}, "case.done.approved", stepHeading);
    setBusy(false);
    if (!failed) setNote("");
  };

  const sendBack = async (e: Event) => {
    e.preventDefault();
    const trimmed = reason.trim();
    if (!trimmed) {
      setReasonError(t("case.decision.reasonRequired"));
      document.getElementById(`reason-${step.department}`)?.focus();
      return;
    }
    setReasonError(undefined);
    setBusy(true);
    const failed = await act(`${base}/return`, { reason: trimmed }, "case.done.returned", stepHeading);
    setBusy(false);
    if (failed) setReasonError(fieldMessage(failed));
    else setReason("");
  };

  const noteId = `note-${step.department}`;
  const reasonId = `reason-${step.department}`;
  return (
    <div class="decision print-hide">
      <h5>{t("case.decision.heading")}</h5>
      <form class="form" onSubmit={approve}>
        <Field id={noteId} label={t("case.decision.note")}>
          <input
            type="text"
            {...controlProps(noteId, undefined, undefined)}
            value={note}
            onInput={(e) => setNote(e.currentTarget.value)}
          />
        </Field>
        <button type="submit" class="button" disabled={busy}>
          {t(awaitingResident ? "case.decision.received" : "case.decision.approve")}
        </button>
      </form>
      {!awaitingResident && (
        <form class="form" onSubmit={sendBack} noValidate>
          <Field
            id={reasonId}
            label={t("case.decision.reason")}
            hint={t("case.decision.reasonHint")}
            error={reasonError}
          >
            <textarea
              rows={3}
              required
              {...controlProps(reasonId, t("case.decision.reasonHint"), reasonError)}
              value={reason}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
          </Field>
          <button type="submit" class="button button--secondary" disabled={busy}>
            {t("case.decision.return")}
          </button>
        </form>
      )}
    </div>
  );
}

function Step({ step, me, act }: { step: CaseStep; me: Me; act: Act }) {
  const { t } = useI18n();
  const own = me.department === step.department;
  const headingId = `step-${step.department}-heading`;
  const decidable = own && step.task_id && step.status !== "approved";
  return (
    <li class={own ? "step step--own" : "step"}>
      <h4 id={headingId} tabIndex={-1}>
        {step.department_name}
        {own && <span class="step__mine print-hide"> ({t("case.step.yours")})</span>}
      </h4>
      <dl class="facts">
        <div>
          <dt>{t("case.status")}</dt>
          <dd>
            <span class={`status status--${step.status}`}>
              {t(STEP_STATUS[step.status] ?? "case.step.status.waiting")}
            </span>
          </dd>
        </div>
        {step.return_reason && (
          <div>
            <dt>{t("case.step.returnReason")}</dt>
            <dd>{step.return_reason}</dd>
          </div>
        )}
      </dl>
      {!own && step.procedures.length > 0 && (
        <ul aria-label={t("case.step.procedures")}>
          {step.procedures.map((p) => (
            <li key={p.id}>{p.name}</li>
          ))}
        </ul>
      )}
      {own &&
        step.procedures.map((p) => (
          <div class="procedure-guide" key={p.id}>
            <h5>{p.name}</h5>
            <div class="print-hide">
              <h6>{t("case.procedure.check")}</h6>
              <ul class="checklist">
                {p.check.map((item) => (
                  <li key={item}>{item}</li>
                ))}
              </ul>
              <h6>{t("case.procedure.explain")}</h6>
              <ul>
                {p.explain.map((item) => (
                  <li key={item}>{item}</li>
                ))}
              </ul>
            </div>
          </div>
        ))}
      {decidable && <Decision key={step.task_id} step={step} act={act} />}
    </li>
  );
}

/**
 * Submit logic of a form around one required text: an empty text shows `required` under it and
 * focuses it; otherwise `submit` gets the trimmed text, then a refusal's field error is shown, or
 * (with `clear`) the text is emptied.
 */
function useRequiredText(
  textId: string,
  required: MessageKey,
  submit: (trimmed: string) => Promise<ApiError | null>,
  clear = true,
) {
  const { t } = useI18n();
  const [text, setText] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const send = async (e: Event) => {
    e.preventDefault();
    const trimmed = text.trim();
    if (!trimmed) {
      setError(t(required));
      document.getElementById(textId)?.focus();
      return;
    }
    setError(undefined);
    setBusy(true);
    const failed = await submit(trimmed);
    setBusy(false);
    if (failed) setError(fieldMessage(failed));
    else if (clear) setText("");
  };
  return { text, setText, error, busy, send };
}

interface DepartmentTextFormProps {
  me: Me;
  act: Act;
  path: string;
  done: MessageKey;
  /** The POST body from the chosen department and the trimmed text. */
  body: (department: string, text: string) => Record<string, string>;
  departmentId: string;
  departmentLabel: MessageKey;
  textId: string;
  textLabel: MessageKey;
  textRequired: MessageKey;
  rows: number;
  submitLabel: MessageKey;
}

/** A department (another than the signed-in one by default) and a required text, posted to `path`. */
function DepartmentTextForm(props: DepartmentTextFormProps) {
  const { me, act, path, done, body, departmentId, textId } = props;
  const { t } = useI18n();
  const [department, setDepartment] = useState<string>(DEPARTMENTS.find((d) => d !== me.department) ?? DEPARTMENTS[0]);
  const { text, setText, error, busy, send } = useRequiredText(textId, props.textRequired, (trimmed) =>
    act(path, body(department, trimmed), done),
  );
  return (
    <form class="case-form" onSubmit={send} noValidate>
      <Field id={departmentId} label={t(props.departmentLabel)}>
        <select
          {...controlProps(departmentId, undefined, undefined)}
          value={department}
          onChange={(e) => setDepartment(e.currentTarget.value)}
        >
          {DEPARTMENTS.map((d) => (
            <option key={d} value={d}>
              {departmentName(t, d)}
            </option>
          ))}
        </select>
      </Field>
      <Field id={textId} label={t(props.textLabel)} error={error}>
        <textarea
          rows={props.rows}
          required
          {...controlProps(textId, undefined, error)}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </Field>
      <div>
        <button type="submit" class="button" disabled={busy}>
          {t(props.submitLabel)}
        </button>
      </div>
    </form>
  );
}

function ThreadForm({ caseId, me, act }: { caseId: string; me: Me; act: Act }) {
  return (
    <DepartmentTextForm
      me={me}
      act={act}
      path={`/cases/${encodeURIComponent(caseId)}/thread`}
      done="case.done.posted"
      body={(department, text) => ({ to_department: department, text })}
      departmentId="thread-to"
      departmentLabel="case.thread.to"
      textId="thread-text"
      textLabel="case.thread.text"
      textRequired="case.thread.textRequired"
      rows={3}
      submitLabel="case.thread.send"
    />
  );
}

function AnswerForm({ caseId, verification, act }: { caseId: string; verification: Verification; act: Act }) {
  const { t } = useI18n();
  const id = `answer-${verification.id}`;
  const path = `/cases/${encodeURIComponent(caseId)}/verifications/${encodeURIComponent(verification.id)}/answer`;
  // Not cleared once answered: the reload replaces the form with the answer.
  const { text, setText, error, busy, send } = useRequiredText(
    id,
    "case.verifications.answerRequired",
    (answer) => act(path, { answer }, "case.done.answered"),
    false,
  );
  return (
    <form class="form" onSubmit={send} noValidate>
      <div class={error ? "field field--invalid" : "field"}>
        <label for={id}>{t("case.verifications.answer")}</label>
        <textarea
          rows={2}
          required
          id={id}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={describedBy(`question-${verification.id}`, error && `${id}-error`)}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        {error && (
          <p id={`${id}-error`} class="field-error">
            {error}
          </p>
        )}
      </div>
      <button type="submit" class="button" disabled={busy}>
        {t("case.verifications.send")}
      </button>
    </form>
  );
}

function AskForm({ caseId, me, act }: { caseId: string; me: Me; act: Act }) {
  return (
    <DepartmentTextForm
      me={me}
      act={act}
      path={`/cases/${encodeURIComponent(caseId)}/verifications`}
      done="case.done.asked"
      body={(department, question) => ({ department, question })}
      departmentId="verification-department"
      departmentLabel="case.verifications.department"
      textId="verification-question"
      textLabel="case.verifications.question"
      textRequired="case.verifications.questionRequired"
      rows={2}
      submitLabel="case.verifications.ask"
    />
  );
}

/**
 * One-stop staff record how a pre-registered case's identity was verified at the counter
 * (POST /cases/{caseId}/identity); the case then opens and the departments' steps start.
 */
function RecordIdentity({ caseId, act }: { caseId: string; act: Act }) {
  const { t } = useI18n();
  const [method, setMethod] = useState("");
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState<{ method?: string; note?: string }>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!method) {
      setErrors({ method: t("case.open.methodRequired") });
      document.getElementById("record-identity-method")?.focus();
      return;
    }
    setErrors({});
    setBusy(true);
    const path = `/cases/${encodeURIComponent(caseId)}/identity`;
    // Done: the form is gone, so focus the identity section; refused: back to the form (if it is still shown).
    const focusAfter = (error: ApiError | null) => {
      if (!error) return "case-identity-heading";
      const noteOnly = error.status === 422 && fieldErrorsOf(error).note && !fieldErrorsOf(error).method;
      return noteOnly ? "record-identity-note" : "record-identity-method";
    };
    const failed = await act(path, { method, note: note.trim() }, "case.done.identity", focusAfter);
    setBusy(false);
    if (failed?.status === 422) {
      const fields = fieldErrorsOf(failed);
      setErrors({ method: fields.method, note: fields.note });
    }
  };
  return (
    <form
      class="case-form identity-form print-hide"
      onSubmit={submit}
      noValidate
      aria-labelledby="record-identity-heading"
    >
      <h4 id="record-identity-heading">{t("case.recordIdentity.heading")}</h4>
      <p>{t("case.recordIdentity.intro")}</p>
      <IdentityFields
        idPrefix="record-identity"
        method={method}
        note={note}
        errors={errors}
        onMethod={setMethod}
        onNote={setNote}
      />
      <div>
        <button type="submit" class="button" disabled={busy}>
          {t("case.recordIdentity.submit")}
        </button>
      </div>
    </form>
  );
}

interface CasePageProps {
  caseId: string;
  me: Me | null;
  token: string | null;
  /** True while a kept sign-in is being restored. */
  restoring: boolean;
  backHref: string;
  onBack: () => void;
}

/** One case as staff see it (GET /cases/{caseId}), with the signed-in department's part to decide. */
export function CasePage({ caseId, me, token, restoring, backHref, onBack }: CasePageProps) {
  const { t, lang } = useI18n();
  const { data, error: loadError, loading, reload } = useCase(caseId, token);
  const [actionError, setActionError] = useState<ApiError | string | null>(null);
  const [notice, setNotice] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);
  const focusedFor = useRef<string | null>(null);
  const focusAfterLoad = useRef<string | null>(null);

  // Focus: the case heading when a case is first shown, the acted-on step after an action.
  useEffect(() => {
    if (!data) return;
    if (focusedFor.current !== data.id) {
      focusedFor.current = data.id;
      heading.current?.focus();
    } else if (focusAfterLoad.current) {
      const target = document.getElementById(focusAfterLoad.current) ?? heading.current;
      target?.focus();
    }
    focusAfterLoad.current = null;
  }, [data]);


  const act: Act = async (path, body, done, focusAfter) => {
    setActionError(null);
    setNotice("");
    let failed: ApiError | null = null;
    try {
      await request(withLang(path, lang), { method: "POST", body, token });
      setNotice(t(done));
    } catch (e) {
      failed = asApiError(e);
      setActionError(failed.status === 409 ? failed.message || t("case.error.conflict") : failed);
    }
    focusAfterLoad.current = (typeof focusAfter === "function" ? focusAfter(failed) : focusAfter) ?? null;
    reload();
    return failed;
  };

  const back = (
    <a
      class="back-link print-hide"
      href={backHref}
      onClick={(event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        onBack();
      }}
    >
      {t("case.back")}
    </a>
  );

  if (!token || !me) {
    return (
      <section class="case" aria-labelledby="case-heading">
        {back}
        <h2 id="case-heading">{t("case.title")}</h2>
        {restoring ? <Loading /> : <p>{t("case.signInFirst")}</p>}
      </section>
    );
  }

  return (
    <section class="case" aria-labelledby="case-heading">
      {back}
      {data && (
        <p class="print-only print-title">
          {t("app.name")} — {t("case.print.title")}
        </p>
      )}
      <h2 id="case-heading" ref={heading} tabIndex={-1}>
        {data ? t("case.heading", { event: data.event_name }) : t("case.title")}
      </h2>
      <div class="print-hide">
        <Alert error={actionError ?? loadError} />
      </div>
      {!data && !loadError && <Loading />}
      {data && (
        <>
          <div role="status" id="case-status" class="case-status print-hide">
            <p>
              {t("case.status")}:{" "}
              <strong class={`status status--${data.status}`}>
                {t(CASE_STATUS[data.status] ?? "case.status.open")}
              </strong>
            </p>
            {notice && <p class="case-status__notice">{notice}</p>}
          </div>
          <dl class="facts">
            <div>
              <dt>{t("case.id")}</dt>
              <dd>{data.id}</dd>
            </div>
            <div class="print-hide">
              <dt>{t("case.openedBy")}</dt>
              <dd>{data.opened_by}</dd>
            </div>
            <div>
              <dt>{t("case.openedAt")}</dt>
              <dd>
                <When at={data.opened_at} lang={lang} />
              </dd>
            </div>
            {data.closed_at && (
              <div>
                <dt>{t("case.closedAt")}</dt>
                <dd>
                  <When at={data.closed_at} lang={lang} />
                </dd>
              </div>
            )}
          </dl>
          <div class="case-actions print-hide">
            <button type="button" class="button button--secondary" onClick={reload} disabled={loading}>
              {t("case.refresh")}
            </button>
            <button type="button" class="button button--secondary" onClick={() => window.print()}>
              {t("case.print.button")}
            </button>
          </div>

          <h3 id="case-identity-heading" tabIndex={-1}>
            {t("case.identity.heading")}
          </h3>
          {data.identity ? (
            <dl class="facts">
              <div>
                <dt>{t("case.identity.method")}</dt>
                <dd>
                  {IDENTITY_LABEL[data.identity.method]
                    ? t(IDENTITY_LABEL[data.identity.method])
                    : data.identity.method}
                </dd>
              </div>
              <div class="print-hide">
                <dt>{t("case.identity.by")}</dt>
                <dd>{data.identity.verified_by}</dd>
              </div>
              <div class="print-hide">
                <dt>{t("case.identity.at")}</dt>
                <dd>
                  <When at={data.identity.verified_at} lang={lang} />
                </dd>
              </div>
              {data.identity.note && (
                <div class="print-hide">
                  <dt>{t("case.identity.note")}</dt>
                  <dd>{data.identity.note}</dd>
                </div>
              )}
            </dl>
          ) : (
            <p>{t("case.identity.none")}</p>
          )}
          {data.status === "awaiting_identity" && me.role === "staff" && FRONT_COUNTERS.includes(me.department ?? "") && (
            <RecordIdentity caseId={data.id} act={act} />
          )}

          <h3>{t("case.explained.heading")}</h3>
          {data.explained.length > 0 ? (
            <ul>
              {data.explained.map((item, i) => (
                <li key={i}>{item}</li>
              ))}
            </ul>
          ) : (
            <p>{t("case.none")}</p>
          )}

          <h3 id="case-steps-heading">{t("case.steps.heading")}</h3>
          {data.steps.length > 0 ? (
            <ul class="steps" aria-labelledby="case-steps-heading">
              {data.steps.map((step) => (
                <Step key={step.department} step={step} me={me} act={act} />
              ))}
            </ul>
          ) : (
            <p>{t("case.none")}</p>
          )}

          <h3 id="case-remaining-heading">{t("case.remaining.heading")}</h3>
          {data.remaining.length > 0 ? (
            <ul aria-labelledby="case-remaining-heading">
              {data.remaining.map((r) => (
                <li key={r.id}>
                  {r.name} ({t("case.remaining.where")}: {r.where})
                </li>
              ))}
            </ul>
          ) : (
            <p>{t("case.none")}</p>
          )}

          <div class="print-hide">
            <h3>{t("case.thread.heading")}</h3>
            {data.thread.length > 0 ? (
              <ol class="messages">
                {data.thread.map((m) => (
                  <li key={m.id}>
                    <p class="messages__meta">
                      {t("case.thread.from", {
                        by: m.by,
                        department: departmentName(t, m.department),
                        to: departmentName(t, m.to_department),
                      })}{" "}
                      <When at={m.at} lang={lang} />
                    </p>
                    <p>{m.text}</p>
                  </li>
                ))}
              </ol>
            ) : (
              <p>{t("case.none")}</p>
            )}
            <ThreadForm caseId={data.id} me={me} act={act} />

            <h3>{t("case.verifications.heading")}</h3>
            {data.verifications.length > 0 ? (
              <ul class="verifications">
                {data.verifications.map((v) => (
                  <li key={v.id}>
                    <p class="messages__meta">
                      {t("case.verifications.asked", { by: v.asked_by, department: departmentName(t, v.department) })}
                    </p>
                    <p id={`question-${v.id}`}>{v.question}</p>
                    {v.answer !== null ? (
                      <p>{t("case.verifications.answeredBy", { by: v.answered_by ?? "", answer: v.answer })}</p>
                    ) : me.department === v.department ? (
                      <AnswerForm caseId={data.id} verification={v} act={act} />
                    ) : (
                      <p>{t("case.verifications.pending")}</p>
                    )}
                  </li>
                ))}
              </ul>
            ) : (
              <p>{t("case.none")}</p>
            )}
            <AskForm caseId={data.id} me={me} act={act} />

            <h3>{t("case.timeline.heading")}</h3>
            <ol class="timeline">
              {data.timeline.map((entry, i) => (
                <li key={i}>
                  <When at={entry.at} lang={lang} /> —{" "}
                  {TIMELINE_ACTION[entry.action] ? t(TIMELINE_ACTION[entry.action]) : entry.action}
                  {entry.department && ` (${departmentName(t, entry.department)})`} — {entry.actor}
                  {entry.detail && `: ${entry.detail}`}
                </li>
              ))}
            </ol>
          </div>
        </>
      )}
    </section>
  );
}
