import { useState } from "preact/hooks";
import { useApi } from "../lib/http";
import type { GuideEventList, GuideEventView, GuideRequest } from "../lib/guide";
import { useI18n } from "../lib/i18n";
import { queryParam } from "../lib/url";
import { Loading } from "./feedback";
import { Field, type FieldErrors, controlProps } from "./forms";

const today = () => new Date(Date.now() + 9 * 3600 * 1000).toISOString().slice(0, 10); // Asia/Tokyo

/**
 * The guide's questionnaire: the life event (also from ?event=), its date, then its questions. Yes/no
 * questions are checkboxes (unticked means no); a choice is a select. Calls onSubmit with the request body.
 */
export function GuideForm({
  busy,
  errors,
  submitLabel,
  onSubmit,
}: {
  busy: boolean;
  errors: FieldErrors;
  submitLabel: string;
  onSubmit: (request: GuideRequest) => void;
}) {
  const { t } = useI18n();
  const events = useApi<GuideEventList>("/guide/events");
  const [chosen, setChosen] = useState(() => queryParam("event") ?? "");
  const eventId = chosen || events.data?.events[0]?.id || "";
  const event = useApi<GuideEventView>(eventId ? `/guide/events/${encodeURIComponent(eventId)}` : null);
  const [date, setDate] = useState(today);
  const [answers, setAnswers] = useState<Record<string, boolean | string>>({});
  const questions = event.data?.id === eventId ? event.data.questions : null;

  const submit = (e: Event) => {
    e.preventDefault();
    const sent = Object.fromEntries(Object.entries(answers).filter(([, v]) => v !== ""));
    onSubmit({ event: eventId, event_date: date, answers: sent });
  };

  if (!events.data) return <Loading />;
  return (
    <form onSubmit={submit} noValidate class="guide-form">
      <Field id="guide-event" label={t("guide.form.event")} error={errors.event}>
        <select
          {...controlProps("guide-event", undefined, errors.event)}
          value={eventId}
          onChange={(e) => {
            setChosen(e.currentTarget.value);
            setAnswers({});
          }}
        >
          {events.data.events.map((ev) => (
            <option key={ev.id} value={ev.id}>
              {ev.name}
            </option>
          ))}
        </select>
      </Field>
      <Field
        id="guide-date"
        label={event.data?.date_label ?? t("guide.form.date")}
        hint={t("guide.form.dateHint")}
        error={errors.event_date}
      >
        <input
          type="date"
          {...controlProps("guide-date", t("guide.form.dateHint"), errors.event_date)}
          value={date}
          required
          onInput={(e) => setDate(e.currentTarget.value)}
        />
      </Field>
      <h2>{t("guide.form.questions")}</h2>
      <p>{t("guide.form.questionsHint")}</p>
      {!questions && <Loading />}
      {questions?.map((q) =>
        q.kind === "yes_no" ? (
          <div class="checkbox" key={`${eventId}-${q.id}`}>
            <input
              type="checkbox"
              id={`guide-q-${q.id}`}
              checked={answers[q.id] === true}
              onChange={(e) => setAnswers({ ...answers, [q.id]: e.currentTarget.checked })}
            />
            <label for={`guide-q-${q.id}`}>{q.text}</label>
          </div>
        ) : (
          <Field key={`${eventId}-${q.id}`} id={`guide-q-${q.id}`} label={q.text} error={errors[`answers.${q.id}`]}>
            <select
              {...controlProps(`guide-q-${q.id}`, undefined, errors[`answers.${q.id}`])}
              value={typeof answers[q.id] === "string" ? (answers[q.id] as string) : ""}
              onChange={(e) => setAnswers({ ...answers, [q.id]: e.currentTarget.value })}
            >
              <option value="">{t("guide.form.choose")}</option>
              {q.choices.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.label}
                </option>
              ))}
            </select>
          </Field>
        ),
      )}
      <p>
        <button type="submit" class="button" disabled={busy || !questions}>
          {submitLabel}
        </button>
      </p>
    </form>
  );
}
