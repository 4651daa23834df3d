import { useState } from "preact/hooks";
import type { LifeEvent, LifeEventList, LifeEventQuestion } from "../lib/cases";
import { type ApiError, useApi } from "../lib/http";
import { type Translate, useI18n } from "../lib/i18n";
import { Loading } from "./feedback";
import { Field, FieldError, type FieldErrors, controlProps, describedBy, fieldErrorsOf } from "./forms";

/** Id of a question's control (a yes/no group's radio buttons are `${id}-yes` and `${id}-no`). */
export const questionId = (id: string) => `case-q-${id}`;

/** Id of a subject field's control (`person_name`, `event_date`, ...). */
export const subjectId = (field: string) => `case-subject-${field}`;

export const EVENT_CONTROL = "case-event";

/** The control showing a field's error (`event`, `answers.<id>` or an id from `extra`); a yes/no group's "yes". */
export function controlElement(key: string, extra: Record<string, string> = {}): HTMLElement | null {
  const id = key.startsWith("answers.")
    ? questionId(key.slice("answers.".length))
    : key.startsWith("subject.")
      ? subjectId(key.slice("subject.".length))
      : key === "event"
      ? EVENT_CONTROL
      : extra[key];
  return id ? (document.getElementById(id) ?? document.getElementById(`${id}-yes`)) : null;
}

/** Moves focus to the first field with an error that has a control on the page. */
export function focusFirstError(found: FieldErrors, extra: Record<string, string> = {}): void {
  const first = Object.keys(found).find((key) => controlElement(key, extra));
  if (first) controlElement(first, extra)?.focus();
}

/**
 * A refused POST /cases: its field errors (`answers.<id>`, `identity.<field>`, the rest by name) and the
 * message for the alert region, which also lists problems with no control of their own (e.g. an unknown answer).
 */
export function caseErrorsOf(
  error: ApiError,
  t: Translate,
  extra: Record<string, string> = {},
): { fields: FieldErrors; message: string } {
  const fields = fieldErrorsOf(error, (head) => (["answers", "identity", "subject"].includes(head) ? 2 : 1));
  const stray = Object.entries(fields).filter(([key]) => !controlElement(key, extra));
  return { fields, message: [error.message || t("error.network"), ...stray.map(([, msg]) => msg)].join(" ") };
}

export type Answers = Record<string, boolean | string>;

/** The life events, the chosen one's questions (GET /life-events, /life-events/{id}) and the answers given. */
export function useLifeEventAnswers() {
  const events = useApi<LifeEventList>("/life-events");
  const [chosenEvent, setChosenEvent] = useState("");
  const eventId = chosenEvent || events.data?.events[0]?.id || "";
  const event = useApi<LifeEvent>(eventId ? `/life-events/${encodeURIComponent(eventId)}` : null);
  const questions = event.data?.id === eventId ? event.data.questions : null;
  const [answers, setAnswers] = useState<Answers>({});

  return {
    events,
    event,
    eventId,
    questions,
    answers,
    setAnswer: (id: string, value: boolean | string) => setAnswers((previous) => ({ ...previous, [id]: value })),
    chooseEvent: (id: string) => {
      setChosenEvent(id);
      setAnswers({});
    },
    /** "Answer this question." for every question not answered yet. */
    unanswered: (t: Translate): FieldErrors => {
      const found: FieldErrors = {};
      for (const q of questions ?? []) {
        const answer = answers[q.id];
        if (answer === undefined || answer === "") found[`answers.${q.id}`] = t("case.open.answerRequired");
      }
      return found;
    },
    /** The answers to send, in the questions' order. */
    answered: (): Answers => Object.fromEntries((questions ?? []).map((q) => [q.id, answers[q.id]])),
  };
}

export type LifeEventAnswers = ReturnType<typeof useLifeEventAnswers>;

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

interface LifeEventFieldsProps {
  form: LifeEventAnswers;
  errors: FieldErrors;
  /** Called after another life event was chosen (its answers are then cleared). */
  onChooseEvent?: () => void;
  /** A sentence under the "Questions" heading. */
  intro?: string;
}

/** The life event select, then a "Questions" heading and the event's questions (yes/no or a choice). */
export function LifeEventFields({ form, errors, onChooseEvent, intro }: LifeEventFieldsProps) {
  const { t } = useI18n();
  const { events, event, eventId, questions, answers } = form;
  return (
    <>
      <Field id={EVENT_CONTROL} label={t("case.open.event")} error={errors.event}>
        <select
          {...controlProps(EVENT_CONTROL, undefined, errors.event)}
          value={eventId}
          onChange={(e) => {
            form.chooseEvent(e.currentTarget.value);
            onChooseEvent?.();
          }}
        >
          {(events.data?.events ?? []).map((ev) => (
            <option key={ev.id} value={ev.id}>
              {ev.name}
            </option>
          ))}
        </select>
      </Field>

      <h3>{t("case.open.questions")}</h3>
      {intro && <p>{intro}</p>}
      {!questions && !event.error && <Loading />}
      {questions?.map((q) => (
        <Question
          key={`${eventId}-${q.id}`}
          question={q}
          value={answers[q.id]}
          error={errors[`answers.${q.id}`]}
          onChange={(value) => form.setAnswer(q.id, value)}
        />
      ))}
    </>
  );
}
