/** Whose case it is and who files it: the fields shared by a clerk opening a case and a family pre-registering. */
import { useState } from "preact/hooks";
import { type CaseSubject, RELATIONSHIPS, type Relationship } from "../lib/cases";
import { formatTokyoDate } from "../lib/format";
import { type MessageKey, type Translate, useI18n } from "../lib/i18n";
import { Field, type FieldErrors, controlProps } from "./forms";
import { subjectId } from "./life-event-fields";

type SubjectDraft = Record<Exclude<keyof CaseSubject, "relationship">, string> & { relationship: Relationship | "" };

const EMPTY: SubjectDraft = {
  person_name: "",
  event_date: "",
  applicant_name: "",
  relationship: "",
  phone: "",
  email: "",
};

const AUTOCOMPLETE = { person_name: "off", applicant_name: "name", phone: "tel", email: "email" } as const;

const REQUIRED = ["person_name", "event_date", "applicant_name", "relationship", "phone"] as const;

/** The subject being typed, its checks before sending, and the body part to send. */
export function useSubject() {
  const [subject, setSubject] = useState<SubjectDraft>(EMPTY);
  return {
    subject,
    set: (field: keyof SubjectDraft, value: string) => setSubject((previous) => ({ ...previous, [field]: value })),
    /** The same refusals the API gives, before sending: a required field left empty, a malformed phone. */
    problems: (t: Translate): FieldErrors => {
      const found: FieldErrors = {};
      for (const field of REQUIRED) {
        if (!subject[field].trim()) found[`subject.${field}`] = t("case.subject.required");
      }
      if (subject.phone.trim() && !/^\+?[0-9][0-9-]{8,16}$/.test(subject.phone.trim())) {
        found["subject.phone"] = t("case.subject.phoneInvalid");
      }
      return found;
    },
    toSend: (): CaseSubject => ({
      person_name: subject.person_name.trim(),
      event_date: subject.event_date,
      applicant_name: subject.applicant_name.trim(),
      relationship: subject.relationship as Relationship,
      phone: subject.phone.trim(),
      email: subject.email.trim() || null,
    }),
  };
}

export type SubjectForm = ReturnType<typeof useSubject>;

/** The words that change with the event: "the deceased" / "date of death", or "the person moving". */
const PERSON: Record<string, MessageKey> = {
  bereavement: "case.subject.deceased",
  moving_in: "case.subject.mover",
};
const DATE: Record<string, MessageKey> = {
  bereavement: "case.subject.dateOfDeath",
  moving_in: "case.subject.dateOfMoving",
};

export function SubjectFields({ form, event, errors }: { form: SubjectForm; event: string; errors: FieldErrors }) {
  const { t } = useI18n();
  const { subject, set } = form;
  const text = (field: "person_name" | "applicant_name" | "phone" | "email", label: string) => {
    const id = subjectId(field);
    const error = errors[`subject.${field}`];
    const props = {
      ...controlProps(id, undefined, error),
      autoComplete: AUTOCOMPLETE[field],
      required: field !== "email",
      value: subject[field],
      onInput: (e: Event) => set(field, (e.currentTarget as HTMLInputElement).value),
    };
    return (
      <Field id={id} label={label} error={error}>
        {field === "phone" ? <input type="tel" {...props} /> : field === "email" ? <input type="email" {...props} /> : <input type="text" {...props} />}
      </Field>
    );
  };
  const dateId = subjectId("event_date");
  const relationshipId = subjectId("relationship");
  return (
    <fieldset class="case-subject">
      <legend>{t("case.subject.heading")}</legend>
      {text("person_name", t(PERSON[event] ?? "case.subject.deceased"))}
      <Field id={dateId} label={t(DATE[event] ?? "case.subject.dateOfDeath")} error={errors["subject.event_date"]}>
        <input
          type="date"
          {...controlProps(dateId, undefined, errors["subject.event_date"])}
          required
          value={subject.event_date}
          onInput={(e) => set("event_date", e.currentTarget.value)}
        />
      </Field>
      {text("applicant_name", t("case.subject.applicant"))}
      <Field id={relationshipId} label={t("case.subject.relationship")} error={errors["subject.relationship"]}>
        <select
          {...controlProps(relationshipId, undefined, errors["subject.relationship"])}
          required
          value={subject.relationship}
          onChange={(e) => set("relationship", e.currentTarget.value)}
        >
          <option value="">{t("case.open.choose")}</option>
          {RELATIONSHIPS.filter((r) => !(event === "bereavement" && r === "self")).map((r) => (
            <option key={r} value={r}>
              {t(`case.relationship.${r}` as MessageKey)}
            </option>
          ))}
        </select>
      </Field>
      {text("phone", t("case.subject.phone"))}
      {text("email", t("case.subject.email"))}
    </fieldset>
  );
}

/** Whose case it is, as a clerk reads it on the case and on the printed summary. */
export function SubjectFacts({ subject, event }: { subject: CaseSubject; event: string }) {
  const { t, lang } = useI18n();
  return (
    <>
      <div>
        <dt>{t(PERSON[event] ?? "case.subject.deceased")}</dt>
        <dd>{subject.person_name}</dd>
      </div>
      <div>
        <dt>{t(DATE[event] ?? "case.subject.dateOfDeath")}</dt>
        <dd>
          <time dateTime={subject.event_date}>{formatTokyoDate(new Date(subject.event_date), lang)}</time>
        </dd>
      </div>
      <div>
        <dt>{t("case.subject.applicant")}</dt>
        <dd>
          {subject.applicant_name} ({t(`case.relationship.${subject.relationship}` as MessageKey)})
        </dd>
      </div>
      <div>
        <dt>{t("case.subject.phone")}</dt>
        <dd>{subject.phone}</dd>
      </div>
      {subject.email && (
        <div>
          <dt>{t("case.subject.email")}</dt>
          <dd>{subject.email}</dd>
        </div>
      )}
    </>
  );
}
