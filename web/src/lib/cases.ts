/** Shapes and calls of the one-stop cases API: life events, cases, their staff tasks. */
import { useEffect, useRef, useState } from "preact/hooks";
import { asApiError, type Loadable, request, withLang } from "./http";
import { useI18n } from "./i18n";

export type TaskKind = "review" | "awaiting_resident";

/** Whose case it is and who files it (POST /cases). */
export interface CaseSubject {
  person_name: string;
  /** Date of death, or date of moving (YYYY-MM-DD). */
  event_date: string;
  applicant_name: string;
  relationship: Relationship;
  phone: string;
  email?: string | null;
}

export const RELATIONSHIPS = [
  "self",
  "spouse",
  "child",
  "parent",
  "sibling",
  "grandchild",
  "other_relative",
  "other",
] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

/** What an inbox row shows to tell cases apart. */
export interface CaseSummary {
  code: string | null;
  event: string;
  person_name: string | null;
  event_date: string | null;
}

export interface StaffTask {
  id: string;
  /** The one-stop case this task belongs to; null for workflows that are not cases. */
  case_id?: string | null;
  case_summary?: CaseSummary | null;
  kind?: TaskKind;
  department: string;
  step: string;
  execution: string;
  status: "pending" | "approved" | "returned";
  created_at: string;
}

export interface TaskList {
  tasks: StaffTask[];
}

export interface LifeEventSummary {
  id: string;
  name: string;
}

export interface LifeEventList {
  events: LifeEventSummary[];
}

export interface LifeEventQuestion {
  id: string;
  kind: "yes_no" | "choice";
  text: string;
  choices?: { value: string; label: string }[];
}

export interface LifeEvent extends LifeEventSummary {
  questions: LifeEventQuestion[];
}

export const IDENTITY_METHODS = ["my_number_card", "driving_licence", "passport", "residence_card", "other"] as const;
export type IdentityMethod = (typeof IDENTITY_METHODS)[number];

/** POST /cases: staff send identity and what was explained; a resident pre-registering sends neither. */
export interface NewCase {
  event: string;
  subject: CaseSubject;
  answers: Record<string, boolean | string>;
  identity?: { method: string; note: string };
  explained?: string[];
}

export type CaseStatus = "open" | "awaiting_identity" | "needs_resident" | "closed";
export type StepStatus = "pending" | "waiting" | "approved" | "needs_resident" | "escalated";

export interface CaseProcedure {
  id: string;
  name: string;
  check: string[];
  explain: string[];
}

export interface CaseStep {
  department: string;
  department_name: string;
  status: StepStatus;
  task_id: string | null;
  return_reason: string | null;
  procedures: CaseProcedure[];
}

export interface ThreadMessage {
  id: string;
  by: string;
  department: string | null;
  to_department: string;
  text: string;
  at: string;
}

export interface Verification {
  id: string;
  asked_by: string;
  department: string;
  question: string;
  answer: string | null;
  answered_by: string | null;
}

export interface TimelineEntry {
  at: string;
  actor: string;
  action: string;
  department: string | null;
  detail: string | null;
}

export interface CaseView {
  id: string;
  /** The short case number residents show or scan at the counter. */
  code: string | null;
  event: string;
  event_name: string;
  subject: CaseSubject | null;
  status: CaseStatus;
  /** Open, but the outbox worker has not started its workflow yet (no department has it so far). */
  workflow_starting: boolean;
  opened_by: string;
  opened_at: string;
  closed_at: string | null;
  identity: { method: string; verified_by: string; verified_at: string; note: string | null } | null;
  explained: string[];
  answers: Record<string, boolean | string>;
  steps: CaseStep[];
  remaining: { id: string; name: string; where: string }[];
  thread: ThreadMessage[];
  verifications: Verification[];
  timeline: TimelineEntry[];
}

/** GET /cases/{caseId} as the resident who opened the case: what was done, what remains, where to go. */
export interface ResidentCaseView {
  id: string;
  code: string | null;
  /** The case number as a QR code (SVG) for the counter's scanner. */
  qr_svg: string | null;
  event: string;
  event_name: string;
  subject: CaseSubject | null;
  status: CaseStatus;
  opened_at: string;
  closed_at: string | null;
  /** Where to come (or come back to) with the case number. */
  counter: string;
  steps: {
    department: string;
    department_name: string;
    status: Exclude<StepStatus, "escalated">;
    return_reason: string | null;
    procedures: { id: string; name: string }[];
  }[];
  /** Procedures the departments have completed. */
  done: string[];
  remaining: { id: string; name: string; where: string }[];
}

export interface LoadedCase<T = CaseView> extends Loadable<T> {
  /** How many times reload() was called. */
  version: number;
  reload: () => void;
}

/**
 * GET /cases/{caseId} with the caller's token in the current language; refetches on reload() and when the
 * case, the token or the language changes. `initial` (e.g. the answer of POST /cases) is shown without a
 * first fetch.
 */
export function useCase<T extends { id: string } = CaseView>(
  caseId: string,
  token: string | null,
  initial: T | null = null,
): LoadedCase<T> {
  const { lang } = useI18n();
  const [state, setState] = useState<Loadable<T>>({ data: initial, error: null, loading: false });
  const [version, setVersion] = useState(0);
  const skipFirstLoad = useRef(initial !== null);
  useEffect(() => {
    if (!token) {
      setState({ data: null, error: null, loading: false });
      return;
    }
    if (skipFirstLoad.current) {
      skipFirstLoad.current = false;
      return;
    }
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    const path = withLang(`/cases/${encodeURIComponent(caseId)}`, lang);
    request<T>(path, { token, signal: controller.signal }).then(
      (data) => setState({ data, error: null, loading: false }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ data: null, error: asApiError(error), loading: false });
      },
    );
    return () => controller.abort();
  }, [caseId, token, lang, version]);
  return { ...state, version, reload: () => setVersion((v) => v + 1) };
}
