import { useState } from "preact/hooks";
import { type CaseView, IDENTITY_METHODS, type NewCase } from "../lib/cases";
import { ApiError, asApiError, newKey, request, withLang } from "../lib/http";
import { type MessageKey, useI18n } from "../lib/i18n";
import { Alert, Loading } from "./feedback";
import { Field, type FieldErrors, controlProps, linesOf } from "./forms";
import { SubjectFields, useSubject } from "./case-subject";
import { LifeEventFields, caseErrorsOf, focusFirstError, useLifeEventAnswers } from "./life-event-fields";

export const IDENTITY_LABEL: Record<string, MessageKey> = {
  my_number_card: "identity.my_number_card",
  driving_licence: "identity.driving_licence",
  passport: "identity.passport",
  residence_card: "identity.residence_card",
  other: "identity.other",
};

/** Field keys (as in a 422 `loc`) of the clerk's part and the id of the control that shows them. */
const CONTROL_FOR: Record<string, string> = {
  "identity.method": "case-identity-method",
  "identity.note": "case-identity-note",
  explained: "case-explained",
};

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
  const form = useLifeEventAnswers();
  const subject = useSubject();
  const { events, event, eventId, questions } = form;

  const [method, setMethod] = useState("");
  const [note, setNote] = useState("");
  const [explained, setExplained] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [alert, setAlert] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);

  const validate = (): FieldErrors => {
    const found = { ...form.unanswered(t), ...subject.problems(t) };
    if (!method) found["identity.method"] = t("case.open.methodRequired");
    return found;
  };

  const showErrors = (found: FieldErrors, message: ApiError | string) => {
    setErrors(found);
    setAlert(message);
    focusFirstError(found, CONTROL_FOR);
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
      subject: subject.toSend(),
      answers: form.answered(),
      identity: { method, note: note.trim() },
      explained: linesOf(explained),
    };
    setBusy(true);
    setErrors({});
    setAlert(null);
    try {
      const opened = await request<CaseView>(withLang("/cases", lang), {
        method: "POST",
        body,
        token,
        headers: { "Idempotency-Key": newKey() },
      });
      onOpened(opened.id);
    } catch (error) {
      const { fields, message } = caseErrorsOf(asApiError(error), t, CONTROL_FOR);
      showErrors(fields, message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="open-case-heading">
      <h2 id="open-case-heading">{t("case.open.heading")}</h2>
      <p>{t("case.open.intro")}</p>
      <Alert error={alert ?? events.error ?? event.error} />
      {events.loading && !events.data && <Loading />}
      {events.data && (
        <form class="case-form" onSubmit={submit} noValidate>
          <LifeEventFields form={form} errors={errors} onChooseEvent={() => setErrors({})} />
          <SubjectFields form={subject} event={eventId} errors={errors} />

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
