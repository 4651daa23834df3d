import { type Answer, type ApplicationStatus, type ApplicationView, applies, type FormField } from "../lib/applications";
import { type MessageKey, useI18n } from "../lib/i18n";
import { describedBy, FieldError, type FieldErrors } from "./forms";

export const STATUS_LABEL: Record<ApplicationStatus, MessageKey> = {
  draft: "apply.status.draft",
  preregistered: "apply.status.preregistered",
  awaiting_confirmation: "apply.status.awaiting_confirmation",
  awaiting_payment: "apply.status.awaiting_payment",
  received: "apply.status.received",
  in_review: "apply.status.in_review",
  returned: "apply.status.returned",
  approved: "apply.status.approved",
  issued: "apply.status.issued",
  rejected: "apply.status.rejected",
};

export function StatusBadge({ status }: { status: ApplicationStatus }) {
  const { t } = useI18n();
  return <strong class={`status status--${status}`}>{t(STATUS_LABEL[status])}</strong>;
}

const controlId = (id: string) => `answer-${id}`;
const INPUT_TYPE: Record<string, string> = { number: "number", date: "date", phone: "tel", text: "text" };

/** The 422 answer's problems keyed by field id (answers.<id>, attachments.<id>). */
export function answerErrors(detail: { loc: (string | number)[]; msg: string }[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const p of detail) {
    const loc = p.loc[0] === "body" ? p.loc.slice(1) : p.loc;
    const key = loc.length >= 2 ? `${loc[0]}.${loc[1]}` : String(loc[0] ?? "");
    errors[key] = errors[key] ? `${errors[key]} ${p.msg}` : p.msg;
  }
  return errors;
}

interface FormProps {
  fields: FormField[];
  answers: Record<string, Answer>;
  prefilled: string[];
  errors: FieldErrors;
  readOnly?: boolean;
  onChange: (id: string, value: Answer | null) => void;
}

/** A procedure's form from its definition: one labelled control per field, hint and error tied to it. */
export function ApplicationFields({ fields, answers, prefilled, errors, readOnly, onChange }: FormProps) {
  const { t } = useI18n();
  return (
    <div class="application-fields">
      {fields
        .filter((f) => applies(f, answers))
        .map((field) => {
          const id = controlId(field.id);
          const hintId = field.help ? `${id}-hint` : undefined;
          const error = errors[`answers.${field.id}`];
          const errorId = error ? `${id}-error` : undefined;
          const fixed = readOnly || prefilled.includes(field.id);
          const value = answers[field.id];
          const common = {
            id,
            "aria-describedby": describedBy(hintId, errorId),
            "aria-invalid": error ? ("true" as const) : undefined,
            disabled: readOnly,
            readOnly: fixed && !readOnly,
            required: field.required && field.type !== "bool",
          };
          const label = (
            <>
              {field.label}
              {field.required && field.type !== "bool" && <span class="required"> {t("apply.required")}</span>}
              {prefilled.includes(field.id) && <span class="prefilled"> {t("apply.prefilled")}</span>}
            </>
          );
          if (field.type === "bool") {
            return (
              <div class="field field--check" key={field.id}>
                <input
                  type="checkbox"
                  {...common}
                  checked={value === true}
                  onChange={(e) => onChange(field.id, e.currentTarget.checked)}
                />
                <label for={id}>{label}</label>
                {field.help && <p id={hintId} class="hint">{field.help}</p>}
                <FieldError id={`${id}-error`} text={error} />
              </div>
            );
          }
          return (
            <div class="field" key={field.id}>
              <label for={id}>{label}</label>
              {field.help && <p id={hintId} class="hint">{field.help}</p>}
              {field.type === "choice" ? (
                <select
                  {...common}
                  disabled={readOnly || fixed}
                  value={typeof value === "string" ? value : ""}
                  onChange={(e) => onChange(field.id, e.currentTarget.value || null)}
                >
                  <option value="">{t("apply.choose")}</option>
                  {field.choices.map((c) => (
                    <option key={c.value} value={c.value}>
                      {c.label}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  {...common}
                  // one of text, number, date, tel (the union confuses Preact's per-type attribute typing)
                  type={INPUT_TYPE[field.type] as "text"}
                  min={field.min ?? undefined}
                  max={field.max ?? undefined}
                  maxLength={field.type === "text" ? field.max_length : undefined}
                  autoComplete={field.prefill === "phone" ? "tel" : "off"}
                  value={value === undefined || value === null ? "" : String(value)}
                  onInput={(e) => {
                    const raw = e.currentTarget.value;
                    onChange(field.id, raw === "" ? null : field.type === "number" ? Number(raw) : raw);
                  }}
                />
              )}
              <FieldError id={`${id}-error`} text={error} />
            </div>
          );
        })}
    </div>
  );
}

/** Answers as text, for review, confirmation and the staff view. */
export function AnswerList({ application }: { application: ApplicationView }) {
  const { t } = useI18n();
  const shown = application.form.fields.filter((f) => application.answers[f.id] !== undefined);
  return (
    <dl class="facts answers">
      {shown.map((f) => {
        const value = application.answers[f.id];
        const text =
          f.type === "choice"
            ? (f.choices.find((c) => c.value === value)?.label ?? String(value))
            : f.type === "bool"
              ? value
                ? t("apply.yes")
                : t("apply.no")
              : String(value);
        return (
          <div key={f.id}>
            <dt>{f.label}</dt>
            <dd>{text}</dd>
          </div>
        );
      })}
    </dl>
  );
}
