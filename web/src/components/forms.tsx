import type { ComponentChildren } from "preact";
import type { ApiError } from "../lib/http";
import { type MessageKey, type Translate } from "../lib/i18n";

/** Departments offered in selects (thread, verifications); the case view itself carries department names. */
export const DEPARTMENTS = ["shimin", "hoken", "zei", "shisan", "kodomo", "onestop", "chiku"] as const;
/** Counters that receive residents, check identity and open cases (docs/cases.md). */
export const FRONT_COUNTERS: readonly string[] = ["onestop", "chiku"];

const DEPARTMENT_LABEL: Record<string, MessageKey> = {
  shimin: "department.shimin",
  hoken: "department.hoken",
  zei: "department.zei",
  shisan: "department.shisan",
  kodomo: "department.kodomo",
  onestop: "department.onestop",
  chiku: "department.chiku",
};

/** A department's name in the current language; an unknown id is shown as it is. */
export const departmentName = (t: Translate, id: string | null | undefined): string =>
  id ? (DEPARTMENT_LABEL[id] ? t(DEPARTMENT_LABEL[id]) : id) : "";

/** Non-empty, trimmed lines of a textarea ("one item per line"). */
export const linesOf = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");

export type FieldErrors = Record<string, string>;

/**
 * A 422 answer's `detail` keyed by field: `["body", "identity", "method"]` → "identity.method".
 * `depth` is how many parts of the location name a field (answers.<id>, identity.<field>; 1 for the rest).
 */
export function fieldErrorsOf(error: ApiError, depthOf: (head: string) => number = () => 1): FieldErrors {
  const errors: FieldErrors = {};
  for (const problem of error.detail) {
    const loc = problem.loc[0] === "body" ? problem.loc.slice(1) : problem.loc;
    if (loc.length === 0) continue;
    const key = loc.slice(0, depthOf(String(loc[0]))).map(String).join(".");
    errors[key] = errors[key] ? `${errors[key]} ${problem.msg}` : problem.msg;
  }
  return errors;
}

/** The error text under a control; the control points at it with aria-describedby. */
export function FieldError({ id, text }: { id: string; text: string | undefined }) {
  return text ? (
    <p id={id} class="field-error">
      {text}
    </p>
  ) : null;
}

/** aria-describedby for a control: its hint and its error, when present. */
export const describedBy = (...ids: (string | false | undefined | null)[]): string | undefined => {
  const present = ids.filter((id): id is string => typeof id === "string" && id !== "");
  return present.length > 0 ? present.join(" ") : undefined;
};

/** Label above a control, an optional hint, the control, then its error. */
export function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  children: ComponentChildren;
}) {
  return (
    <div class={error ? "field field--invalid" : "field"}>
      <label for={id}>{label}</label>
      {hint && (
        <p id={`${id}-hint`} class="field-hint">
          {hint}
        </p>
      )}
      {children}
      <FieldError id={`${id}-error`} text={error} />
    </div>
  );
}

/** Props for a control inside <Field>: wires hint and error to it. */
export const controlProps = (id: string, hint: string | undefined, error: string | undefined) => ({
  id,
  "aria-invalid": error ? ("true" as const) : undefined,
  "aria-describedby": describedBy(hint && `${id}-hint`, error && `${id}-error`),
});
