import { useEffect, useRef, useState } from "preact/hooks";
import { Page, mount } from "../components/app";
import { SubjectFacts, SubjectFields, useSubject } from "../components/case-subject";
import { Alert, Loading } from "../components/feedback";
import type { FieldErrors } from "../components/forms";
import { LifeEventFields, caseErrorsOf, focusFirstError, useLifeEventAnswers } from "../components/life-event-fields";
import { type Session, SIGN_IN_BUTTON, SignIn } from "../components/sign-in";
import { hasStoredSession } from "../lib/auth";
import { type CaseStatus, type NewCase, type ResidentCaseView, useCase } from "../lib/cases";
import { ApiError, asApiError, newKey, request, withLang } from "../lib/http";
import { type MessageKey, useI18n } from "../lib/i18n";
import { hrefWith, queryParam } from "../lib/url";
import "../styles/base.css";

const hrefFor = (caseId: string | null): string => hrefWith("case", caseId);
const currentCase = () => queryParam("case");

/** Plain left clicks are handled in the page; others (new tab, …) follow the link. */
const plainClick = (event: MouseEvent) => !(event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0);

const CASE_STATUS: Record<CaseStatus, MessageKey> = {
  awaiting_identity: "resident.status.awaiting_identity",
  open: "resident.status.open",
  needs_resident: "resident.status.needs_resident",
  closed: "resident.status.closed",
};

/** What the resident does next, by case status. */
const NEXT: Record<CaseStatus, MessageKey> = {
  awaiting_identity: "resident.case.bring",
  open: "resident.next.open",
  needs_resident: "resident.next.needs_resident",
  closed: "resident.next.closed",
};

// The API shows an overdue step as waiting: it is the city's concern, not the resident's.
const STEP_STATUS: Record<ResidentCaseView["steps"][number]["status"], MessageKey> = {
  pending: "resident.step.status.pending",
  waiting: "resident.step.status.waiting",
  approved: "resident.step.status.approved",
  needs_resident: "resident.step.status.needs_resident",
};

const FORM_HEADING = "preregister-heading";
const CASE_HEADING = "resident-case-heading";

/**
 * A resident pre-registers a life event for a family member: the event, its questions, then POST /cases
 * without identity (one-stop staff record it at the counter). 422 problems appear next to their fields.
 */
function PreRegister({ token, onOpened }: { token: string; onOpened: (view: ResidentCaseView) => void }) {
  const { t, lang } = useI18n();
  const form = useLifeEventAnswers();
  const subject = useSubject();
  const { events, event, eventId, questions } = form;
  const [errors, setErrors] = useState<FieldErrors>({});
  const [alert, setAlert] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);

  const showErrors = (found: FieldErrors, message: ApiError | string) => {
    setErrors(found);
    setAlert(message);
    focusFirstError(found);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!questions || busy) return;
    const found = { ...form.unanswered(t), ...subject.problems(t) };
    if (Object.keys(found).length > 0) {
      showErrors(found, t("case.open.invalid"));
      return;
    }
    const body: NewCase = { event: eventId, subject: subject.toSend(), answers: form.answered() };
    setBusy(true);
    setErrors({});
    setAlert(null);
    try {
      onOpened(await request<ResidentCaseView>(withLang("/cases", lang), {
          method: "POST",
          body,
          token,
          headers: { "Idempotency-Key": newKey() },
        }));
    } catch (error) {
      const { fields, message } = caseErrorsOf(asApiError(error), t);
      showErrors(fields, message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby={FORM_HEADING}>
      <h2 id={FORM_HEADING} tabIndex={-1}>
        {t("resident.form.heading")}
      </h2>
      <p>{t("resident.form.intro")}</p>
      <Alert error={alert ?? events.error ?? event.error} />
      {events.loading && !events.data && <Loading />}
      {events.data && (
        <form class="case-form" onSubmit={submit} noValidate>
          <LifeEventFields form={form} errors={errors} onChooseEvent={() => setErrors({})} />
          <SubjectFields form={subject} event={eventId} errors={errors} />
          <div>
            <button type="submit" class="button" disabled={busy || !questions}>
              {t("resident.form.submit")}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

interface ResidentCaseProps {
  caseId: string;
  token: string | null;
  /** True while a kept sign-in is being restored. */
  restoring: boolean;
  /** The answer of POST /cases when the resident has just pre-registered this case (no need to load it). */
  opened: ResidentCaseView | null;
  onAnother: () => void;
}

/** The resident's own case (GET /cases/{caseId}): case number, status, what to bring, departments, what remains. */
function ResidentCase({ caseId, token, restoring, opened, onAnother }: ResidentCaseProps) {
  const { t } = useI18n();
  const justOpened = opened?.id === caseId ? opened : null;
  const { data, error, loading, version, reload } = useCase<ResidentCaseView>(caseId, token, justOpened);
  const heading = useRef<HTMLHeadingElement>(null);
  const focusedFor = useRef<string | null>(null);

  // The heading takes focus once the case (or why it cannot be shown) is there.
  useEffect(() => {
    if ((data || error) && focusedFor.current !== caseId) {
      focusedFor.current = caseId;
      heading.current?.focus();
    }
  }, [data, error]);

  const message =
    error === null
      ? null
      : error.status === 403
        ? t("resident.case.forbidden")
        : error.status === 404
          ? t("resident.case.notFound")
          : error;

  const another = (
    <a
      class="back-link"
      href={hrefFor(null)}
      onClick={(event) => {
        if (!plainClick(event)) return;
        event.preventDefault();
        onAnother();
      }}
    >
      {t("resident.case.another")}
    </a>
  );

  return (
    <section class="case resident-case" aria-labelledby={CASE_HEADING}>
      <h2 id={CASE_HEADING} ref={heading} tabIndex={-1}>
        {data ? t("resident.case.heading", { event: data.event_name }) : t("resident.case.title")}
      </h2>
      <Alert error={message} />
      {!token && (restoring ? <Loading /> : <p>{t("resident.signInFirst")}</p>)}
      {token && !data && !error && <Loading />}
      {data && (
        <>
          <dl class="case-number">
            <dt>{t("resident.case.number")}</dt>
            <dd id="case-number">{data.code ?? data.id}</dd>
            <dt>{t("resident.case.counter")}</dt>
            <dd id="case-counter">{data.counter}</dd>
          </dl>
          {data.qr_svg && data.code && (
            <figure class="qr">
              <div
                role="img"
                aria-label={t("resident.case.qrLabel", { code: data.code })}
                dangerouslySetInnerHTML={{ __html: data.qr_svg }}
              />
              <figcaption>{t("resident.case.qrCaption")}</figcaption>
            </figure>
          )}
          {data.subject && (
            <dl class="facts" aria-label={t("case.subject.heading")}>
              <SubjectFacts subject={data.subject} event={data.event} />
            </dl>
          )}
          <div role="status" id="case-status" class="case-status">
            <p>
              {t("case.status")}:{" "}
              <strong class={`status status--${data.status}`}>
                {t(CASE_STATUS[data.status] ?? "resident.status.open")}
              </strong>
            </p>
            {justOpened && version === 0 && <p class="case-status__notice">{t("resident.case.received")}</p>}
          </div>
          <p class="next-step">{t(NEXT[data.status] ?? "resident.next.open")}</p>

          <h3 id="resident-steps-heading">{t("resident.steps.heading")}</h3>
          {data.steps.length > 0 ? (
            <ul class="steps" aria-labelledby="resident-steps-heading">
              {data.steps.map((step) => (
                <li class="step" key={step.department}>
                  <h4>{step.department_name}</h4>
                  <dl class="facts">
                    <div>
                      <dt>{t("case.status")}</dt>
                      <dd>
                        <span class={`status status--${step.status}`}>
                          {t(STEP_STATUS[step.status] ?? "resident.step.status.waiting")}
                        </span>
                      </dd>
                    </div>
                    {step.return_reason && (
                      <div>
                        <dt>{t("resident.step.reason")}</dt>
                        <dd>{step.return_reason}</dd>
                      </div>
                    )}
                  </dl>
                  {step.procedures.length > 0 && (
                    <ul aria-label={t("case.step.procedures")}>
                      {step.procedures.map((p) => (
                        <li key={p.id}>{p.name}</li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ul>
          ) : (
            <p>{t("case.none")}</p>
          )}

          {data.done.length > 0 && (
            <>
              <h3 id="resident-done-heading">{t("resident.done.heading")}</h3>
              <ul aria-labelledby="resident-done-heading">
                {data.done.map((name) => (
                  <li key={name}>{name}</li>
                ))}
              </ul>
            </>
          )}

          <h3 id="resident-remaining-heading">{t("resident.remaining.heading")}</h3>
          {data.remaining.length > 0 ? (
            <ul aria-labelledby="resident-remaining-heading">
              {data.remaining.map((r) => (
                <li key={r.id}>{t("resident.remaining.item", { name: r.name, where: r.where })}</li>
              ))}
            </ul>
          ) : (
            <p>{t("case.none")}</p>
          )}

          <div class="case-actions">
            <button
              type="button"
              class="button button--secondary"
              onClick={reload}
              disabled={loading}
            >
              {t("case.refresh")}
            </button>
          </div>
        </>
      )}
      {token && another}
    </section>
  );
}

function Cases() {
  const { t, lang } = useI18n();
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(hasStoredSession);
  const [caseId, setCaseId] = useState<string | null>(currentCase);
  const [opened, setOpened] = useState<ResidentCaseView | null>(null);
  const [focusTarget, setFocusTarget] = useState<string | null>(null);

  useEffect(() => {
    const onPop = () => setCaseId(currentCase());
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);

  // Focus moved on request once the element is shown (after signing in or out, or starting again).
  useEffect(() => {
    if (!focusTarget) return;
    const target = document.getElementById(focusTarget);
    if (target) {
      target.focus();
      setFocusTarget(null);
    }
  }, [focusTarget, session, caseId]);

  const onSession = (next: Session | null) => {
    setRestoring(false);
    setSession(next);
  };
  const onOpened = (view: ResidentCaseView) => {
    history.pushState(null, "", hrefFor(view.id));
    setOpened(view);
    setCaseId(view.id);
  };
  const another = () => {
    history.pushState(null, "", hrefFor(null));
    setOpened(null);
    setCaseId(null);
    setFocusTarget(FORM_HEADING);
  };
  const isResident = session?.me.role === "resident";

  return (
    <Page title="resident.title">
      <p class="lead">{t("resident.intro")}</p>
      <p>
        <a href={`/?lang=${encodeURIComponent(lang)}`}>{t("detail.back")}</a>
      </p>
      <SignIn
        audience="resident"
        onSession={onSession}
        onSignedInOrOut={(signedIn) =>
          setFocusTarget(signedIn ? (caseId ? CASE_HEADING : FORM_HEADING) : SIGN_IN_BUTTON)
        }
      />
      {session && !isResident ? (
        <p class="notice">{t("resident.residentsOnly")}</p>
      ) : caseId ? (
        <ResidentCase
          key={caseId}
          caseId={caseId}
          token={session?.token ?? null}
          restoring={restoring}
          opened={opened}
          onAnother={another}
        />
      ) : session ? (
        <PreRegister token={session.token} onOpened={onOpened} />
      ) : restoring ? (
        <Loading />
      ) : (
        <p>{t("resident.signInFirst")}</p>
      )}
    </Page>
  );
}

mount(Cases);
