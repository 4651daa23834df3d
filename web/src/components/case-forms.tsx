/** What the case's sections share to act on it: the Act contract and the forms around one required text. */
import { useRef, useState } from "preact/hooks";
import type { Me } from "../lib/auth";
import { type ApiError, newKey } from "../lib/http";
import { type MessageKey, useI18n } from "../lib/i18n";
import { DEPARTMENTS, Field, controlProps, departmentName, fieldErrorsOf } from "./forms";

/** Where focus goes once the case has reloaded after an action: an element id, or one chosen from the outcome. */
export type FocusAfter = string | ((error: ApiError | null) => string | undefined);

/**
 * Result of an action: null when it worked, else the error (already announced by the page). An action that files
 * something new passes an `idempotencyKey`, sent as the Idempotency-Key header.
 */
export type Act = (
  path: string,
  body: unknown,
  done: MessageKey,
  focusAfter?: FocusAfter,
  idempotencyKey?: string,
) => Promise<ApiError | null>;

/** The first field error of a 422, for a form with one main field. */
export const fieldMessage = (error: ApiError | null): string | undefined =>
  error && error.status === 422 ? Object.values(fieldErrorsOf(error))[0] : undefined;

/**
 * Submit logic of a form around one required text: an empty text shows `required` under it and
 * focuses it; otherwise `submit` gets the trimmed text, then a refusal's field error is shown, or
 * (with `clear`) the text is emptied.
 */
export function useRequiredText(
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

export interface DepartmentTextFormProps {
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
export function DepartmentTextForm(props: DepartmentTextFormProps) {
  const { me, act, path, done, body, departmentId, textId } = props;
  const { t } = useI18n();
  const [department, setDepartment] = useState<string>(DEPARTMENTS.find((d) => d !== me.department) ?? DEPARTMENTS[0]);
  // One key per text being composed: Send pressed again after a lost answer files it once; a new one after success.
  const key = useRef(newKey());
  const { text, setText, error, busy, send } = useRequiredText(textId, props.textRequired, async (trimmed) => {
    const failed = await act(path, body(department, trimmed), done, undefined, key.current);
    if (!failed) key.current = newKey();
    return failed;
  });
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
