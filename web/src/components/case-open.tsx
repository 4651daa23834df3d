import { useState } from "preact/hooks";
import {
  ApiError,
  asApiError,
  type CaseView,
  IDENTITY_METHODS,
  type LifeEvent,
  type LifeEventList,
  type LifeEventQuestion,
  type NewCase,
  request,
  useApi,
  withLang,
} from "../lib/api";
import { type MessageKey, useI18n } from "../lib/i18n";
import { Alert, Loading } from "./feedback";
import { Field, FieldError, type FieldErrors, controlProps, describedBy, fieldErrorsOf, linesOf } from "./forms";

export const IDENTITY_LABEL: Record<string, MessageKey> = {
  my_number_card: "identity.my_number_card",
  driving_licence: "identity.driving_licence",
  passport: "identity.passport",
  residence_card: "identity.residence_card",
  other: "identity.other",
};

const questionId = (id: string) => `case-q-${id}`;

/** Field keys (as in a 422 `loc`) and the id of the control that shows them. */
const CONTROL_FOR: Record<string, string> = {
  event: "case-event",
  "identity.method": "case-identity-method",
  "identity.note": "case-identity-note",
  explained: "case-explained",
};
const controlFor = (key: string): string | undefined =>
  key.startsWith("answers.") ? questionId(key.slice("answers.".length)) : CONTROL_FOR[key];

/** The control showing a field's error: the control itself, or a yes/no group's first radio button. */
function controlElement(key: string): HTMLElement | null {
  const id = controlFor(key);
  return id ? (document.getElementById(id) ?? document.getElementById(`${id}-yes`)) : null;
}

function Question({
  question,
  value,
  error,
  onChange,
}: {
  question: LifeEventQuestion;
  value: boolean | string | undefined;
  error: string | undefined;
  onChange: (value: boolean | string) => void;
}) {
  const { t } = useI18n();
  const id = questionId(question.id);
  const errorId = `${id}-error`;
  if (question.kind === "yes_no") {
    return (
      <fieldset class={error ? "choice-group field--invalid" : "choice-group"} data-question={question.id}>
        <legend>{question.text}</legend>
        <FieldError id={errorId} text={error} />
        <div class="choice-group__options">
          {([true, false] as const).map((answer) => {
            const optionId = `${id}-${answer ? "yes" : "no"}`;
            return (
              <div class="radio" key={optionId}>
                <input
                  type="radio"
                  id={optionId}
                  name={id}
                  checked={value === answer}
                  aria-invalid={error ? "true" : undefined}
                  aria-describedby={describedBy(error && errorId)}
                  onChange={() => onChange(answer)}
                />
                <label for={optionId}>{t(answer ? "case.open.yes" : "case.open.no")}</label>
              </div>
            );
          })}
        </div>
      </fieldset>
    );
  }
  return (
    <div data-question={question.id}>
      <Field id={id} label={question.text} error={error}>
        <select
          {...controlProps(id, undefined, error)}
          value={typeof value === "string" ? value : ""}
          onChange={(e) => onChange(e.currentTarget.value)}
        >
          <option value="">{t("case.open.choose")}</option>
          {(question.choices ?? []).map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      </Field>
    </div>
  );
}

interface IdentityFieldsProps {
  /** Ids of the controls: `${idPrefix}-method`, `${idPrefix}-note`. */
  idPrefix: string;
  method: string;
  note: string;
  errors: { method?: string; note?: string };
  onMethod: (method: string) => void;
  onNote: (note: string) => void;
}

/** How identity was verified (document) and an optional note; shared by opening a case and recording identity. */
export function IdentityFields({ idPrefix, method, note, errors, onMethod, onNote }: IdentityFieldsProps) {
  const { t } = useI18n();
  const methodId = `${idPrefix}-method`;
  const noteId = `${idPrefix}-note`;
  return (
    <>
      <Field id={methodId} label={t("case.open.method")} error={errors.method}>
        <select
          {...controlProps(methodId, undefined, errors.method)}
          value={method}
          onChange={(e) => onMethod(e.currentTarget.value)}
        >
          <option value="">{t("case.open.choose")}</option>
          {IDENTITY_METHODS.map((m) => (
            <option key={m} value={m}>
              {t(IDENTITY_LABEL[m])}
            </option>
          ))}
        </select>
      </Field>
      <Field id={noteId} label={t("case.open.note")} error={errors.note}>
        <input
          type="text"
          {...controlProps(noteId, undefined, errors.note)}
          value={note}
          onInput={(e) => onNote(e.currentTarget.value)}
        />
      </Field>
    </>
  );
}

/**
 * The one-stop clerk opens a case: life event, its questions, how identity was verified and what was explained
 * (POST /cases). Field errors from a 422 appear next to their fields; the message goes to the alert region.
 */
export function OpenCase({ token, onOpened }: { token: string; onOpened: (caseId: string) => void }) {
  const { t, lang } = useI18n();
  const events = useApi<LifeEventList>("/life-events");
  const [chosenEvent, setChosenEvent] = useState("");
  const eventId = chosenEvent || events.data?.events[0]?.id || "";
  const event = useApi<LifeEvent>(eventId ? `/life-events/${encodeURIComponent(eventId)}` : null);
  const questions = event.data?.id === eventId ? event.data.questions : null;

  const [answers, setAnswers] = useState<Record<string, boolean | string>>({});
  const [method, setMethod] = useState("");
  const [note, setNote] = useState("");
  const [explained, setExplained] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [alert, setAlert] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);

  const validate = (): FieldErrors => {
    const found: FieldErrors = {};
    for (const q of questions ?? []) {
      const answer = answers[q.id];
      if (answer === undefined || answer === "") found[`answers.${q.id}`] = t("case.open.answerRequired");
    }
    if (!method) found["identity.method"] = t("case.open.methodRequired");
    return found;
  };

  const showErrors = (found: FieldErrors, message: ApiError | string) => {
    setErrors(found);
    setAlert(message);
    const first = Object.keys(found).find((key) => controlElement(key));
    if (first) controlElement(first)?.focus();
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!questions || busy) return;
    const found = validate();
    if (Object.keys(found).length > 0) {
      showErrors(found, t("case.open.invalid"));
      return;
    }
    const body: NewCase = {
      event: eventId,
      answers: Object.fromEntries(questions.map((q) => [q.id, answers[q.id]])),
      identity: { method, note: note.trim() },
      explained: linesOf(explained),
    };
    setBusy(true);
    setErrors({});
    setAlert(null);
    try {
      const opened = await request<CaseView>(withLang("/cases", lang), { method: "POST", body, token });
      onOpened(opened.id);
    } catch (error) {
      const apiError = asApiError(error);
      const fields = fieldErrorsOf(apiError, (head) => (head === "answers" || head === "identity" ? 2 : 1));
      // Problems with no control of their own (e.g. an unknown answer) are listed in the alert.
      const stray = Object.entries(fields).filter(([key]) => !controlElement(key));
      const message = [apiError.message || t("error.network"), ...stray.map(([, msg]) => msg)].join(" ");
      showErrors(fields, message);
    } finally {
      setBusy(false);
    }
  };

  const chooseEvent = (id: string) => {
    setChosenEvent(id);
    setAnswers({});
    setErrors({});
  };

  return (
    <section class="panel" aria-labelledby="open-case-heading">
      <h2 id="open-case-heading">{t("case.open.heading")}</h2>
      <p>{t("case.open.intro")}</p>
      <Alert error={alert ?? events.error ?? event.error} />
      {events.loading && !events.data && <Loading />}
      {events.data && (
        <form class="case-form" onSubmit={submit} noValidate>
          <Field id="case-event" label={t("case.open.event")} error={errors.event}>
            <select
              {...controlProps("case-event", undefined, errors.event)}
              value={eventId}
              onChange={(e) => chooseEvent(e.currentTarget.value)}
            >
              {events.data.events.map((ev) => (
                <option key={ev.id} value={ev.id}>
                  {ev.name}
                </option>
              ))}
            </select>
          </Field>

          <h3>{t("case.open.questions")}</h3>
          {!questions && !event.error && <Loading />}
          {questions?.map((q) => (
            <Question
              key={`${eventId}-${q.id}`}
              question={q}
              value={answers[q.id]}
              error={errors[`answers.${q.id}`]}
              onChange={(value) => setAnswers((previous) => ({ ...previous, [q.id]: value }))}
            />
          ))}

          <h3>{t("case.open.identity")}</h3>
          <IdentityFields
            idPrefix="case-identity"
            method={method}
            note={note}
            errors={{ method: errors["identity.method"], note: errors["identity.note"] }}
            onMethod={setMethod}
            onNote={setNote}
          />

          <h3>{t("case.open.explained")}</h3>
          <Field
            id="case-explained"
            label={t("case.open.explainedLabel")}
            hint={t("case.open.explainedHint")}
            error={errors.explained}
          >
            <textarea
              rows={4}
              {...controlProps("case-explained", t("case.open.explainedHint"), errors.explained)}
              value={explained}
              onInput={(e) => setExplained(e.currentTarget.value)}
            />
          </Field>

          <div>
            <button type="submit" class="button" disabled={busy || !questions}>
              {t("case.open.submit")}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
