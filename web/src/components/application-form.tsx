import { useEffect, useRef } from "preact/hooks";
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

export const controlId = (id: string) => `answer-${id}`;
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

export interface SummaryProblem {
  /** The control to move to (id of an input). */
  target: string;
  text: string;
}

/**
 * The error summary at the top of a step (GOV.UK / デジタル庁 pattern): it takes focus when it appears, and each
 * entry links to the control it is about; following a link moves the focus there.
 */
export function ErrorSummary({ problems }: { problems: SummaryProblem[] }) {
  const { t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const shown = problems.length > 0;
  useEffect(() => {
    if (shown) box.current?.focus();
  }, [shown, problems.map((p) => p.target).join(" ")]);
  if (!shown) return null;
  return (
    <div class="error-summary" id="error-summary" ref={box} tabIndex={-1} aria-labelledby="error-summary-title">
      <h3 id="error-summary-title" class="error-summary__title">
        {t("apply.errorSummary.title")}
      </h3>
      <ul class="error-summary__list">
        {problems.map((p) => (
          <li key={p.target}>
            <a
              href={`#${p.target}`}
              onClick={(e) => {
                e.preventDefault();
                const control = document.getElementById(p.target);
                control?.scrollIntoView({ block: "center" });
                control?.focus();
              }}
            >
              {p.text}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** An answer as text (choice labels, yes/no). */
export function answerText(field: FormField, value: Answer | undefined, t: (key: MessageKey) => string): string {
  if (value === undefined) return "—";
  if (field.type === "choice") return field.choices.find((c) => c.value === value)?.label ?? String(value);
  if (field.type === "bool") return value ? t("apply.yes") : t("apply.no");
  return String(value);
}

/**
 * "Check your answers": every question asked with its answer and a change link that goes back to that question
 * (answers the city filled in cannot be changed, so they have none).
 */
export function CheckAnswers({
  application,
  attachments,
  onChange,
}: {
  application: ApplicationView;
  attachments: { id: string; label: string; state: string }[];
  onChange: (controlId: string) => void;
}) {
  const { t } = useI18n();
  const asked = application.form.fields.filter((f) => applies(f, application.answers));
  const row = (key: string, label: string, value: string, target: string | null) => (
    <div class="summary-list__row" key={key}>
      <dt class="summary-list__key">{label}</dt>
      <dd class="summary-list__value">{value}</dd>
      <dd class="summary-list__actions">
        {target && (
          <a
            href={`#${target}`}
            id={`change-${key}`}
            onClick={(e) => {
              e.preventDefault();
              onChange(target);
            }}
          >
            {t("apply.change")}
            <span class="visually-hidden"> {label}</span>
          </a>
        )}
      </dd>
    </div>
  );
  return (
    <dl class="summary-list">
      {asked.map((f) =>
        row(
          f.id,
          f.label,
          answerText(f, application.answers[f.id], t),
          application.prefilled.includes(f.id) ? null : controlId(f.id),
        ),
      )}
      {attachments.map((a) => row(`file-${a.id}`, a.label, a.state, `file-${a.id}`))}
    </dl>
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
