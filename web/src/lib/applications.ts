import { request, withLang } from "./http";

export type ApplicationStatus =
  | "draft"
  | "preregistered"
  | "awaiting_confirmation"
  | "awaiting_payment"
  | "received"
  | "in_review"
  | "returned"
  | "approved"
  | "issued"
  | "rejected";

export type Answer = string | number | boolean;

export interface FormField {
  id: string;
  type: "text" | "number" | "date" | "choice" | "bool" | "phone";
  required: boolean;
  label: string;
  help: string | null;
  max_length: number;
  min: number | null;
  max: number | null;
  pattern: string | null;
  choices: { value: string; label: string }[];
  prefill: string | null;
  when: { field: string; equals: string | boolean } | null;
}

export interface FormView {
  procedure: string;
  identity_proof: boolean;
  processing_days: number;
  fields: FormField[];
  attachments: { id: string; required: boolean; label: string; help: string | null }[];
  not_asked: string[];
  counter_note: string | null;
}

export interface AttachmentView {
  id: string;
  kind: string;
  content_type: string;
  status: "pending" | "valid" | "rejected";
  reason: string | null;
  /** The reason in the asked language (never show the code). */
  reason_text: string | null;
  size: number | null;
  link: string | null;
}

export interface AppVerification {
  id: string;
  department: string;
  question: string;
  answer: string | null;
  answered_by: string | null;
}

export interface ApplicationView {
  id: string;
  code: string;
  procedure: string;
  procedure_name: string;
  department: string;
  channel: "online" | "counter" | "kiosk";
  status: ApplicationStatus;
  owner: string | null;
  answers: Record<string, Answer>;
  prefilled: string[];
  fee_yen: number;
  payment_url: string | null;
  paid: boolean;
  paid_yen: number;
  refunded_yen: number;
  /** A refund decided and not yet taken by Stripe (the outbox worker sends it). */
  refund_pending_yen: number;
  typed_by: string | null;
  confirmed_by: string | null;
  return_reason: string | null;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  attachments: AttachmentView[];
  verifications: AppVerification[];
  form: FormView;
  qr_svg: string | null;
  /** Staff of the department only. */
  audit?: AuditEntry[] | null;
}

export interface AuditEntry {
  at: string;
  actor: string;
  role: string;
  action: string;
  department: string | null;
  detail: string;
}

export interface ApplicationSummary {
  id: string;
  code: string;
  procedure: string;
  procedure_name: string;
  status: ApplicationStatus;
  channel: string;
  created_at: string;
  updated_at: string | null;
  submitted_at: string | null;
  age_days: number | null;
}

/** The fee receipt (領収書) of an application. */
export interface ApplicationReceipt {
  number: string;
  code: string;
  procedure: string;
  amount: number;
  refunded: number;
  paid_at: string;
  issuer: string;
}

/** GET the fee receipt PDF with the token and download it. */
export async function downloadReceipt(id: string, token: string): Promise<void> {
  const response = await fetch(`/applications/${encodeURIComponent(id)}/receipt.pdf`, {
    headers: { Accept: "application/pdf", Authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(String(response.status));
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = `receipt-${id}.pdf`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export interface UploadTicket {
  attachment_id: string;
  url: string;
  fields: Record<string, string>;
}

export const STATUSES: ApplicationStatus[] = [
  "draft",
  "preregistered",
  "awaiting_confirmation",
  "awaiting_payment",
  "received",
  "in_review",
  "returned",
  "approved",
  "issued",
  "rejected",
];

export const EDITABLE: ApplicationStatus[] = ["draft", "returned", "preregistered"];

export const getApplication = (id: string, token: string, lang: string) =>
  request<ApplicationView>(withLang(`/applications/${encodeURIComponent(id)}`, lang), { token });

/** Posts the file to the presigned upload; the check runs after it (S3 event). */
export async function uploadFile(ticket: UploadTicket, file: File): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
  form.append("file", file);
  const response = await fetch(ticket.url, { method: "POST", body: form });
  if (!response.ok) throw new Error(`upload ${response.status}`);
}

/** Whether a field is asked, given the other answers. */
export const applies = (field: FormField, answers: Record<string, Answer>): boolean =>
  field.when === null || answers[field.when.field] === field.when.equals;

/** One question page: the questions (or the city's record) and the files asked on it. */
export interface QuestionPage {
  fields: FormField[];
  files: string[];
  /** The details the city filled in from its records, shown together for the resident to see. */
  fromRecords: boolean;
}

/**
 * The question pages of a form (GOV.UK "one thing per page"): the details from the city's records together, then
 * each question that applies to the answers so far on its own page, then each file on its own page.
 */
export function questionPages(form: FormView, answers: Record<string, Answer>, prefilled: string[]): QuestionPage[] {
  const asked = form.fields.filter((f) => applies(f, answers));
  const fromRecords = asked.filter((f) => prefilled.includes(f.id));
  return [
    ...(fromRecords.length > 0 ? [{ fields: fromRecords, files: [], fromRecords: true }] : []),
    ...asked.filter((f) => !prefilled.includes(f.id)).map((f) => ({ fields: [f], files: [], fromRecords: false })),
    ...form.attachments.map((a) => ({ fields: [], files: [a.id], fromRecords: false })),
  ];
}

/** The page that asks a control (`answer-<field>` or `file-<kind>`), or -1. */
export const pageOf = (pages: QuestionPage[], control: string): number =>
  pages.findIndex((p) => p.fields.some((f) => `answer-${f.id}` === control) || p.files.some((id) => `file-${id}` === control));
