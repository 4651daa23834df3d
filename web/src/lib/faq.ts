/** Shapes of the FAQ API: search, chat answers, unanswered questions and the staff editor. */

export interface FaqEntryView {
  id: string;
  topic: string;
  question: string;
  answer: string;
  link: string | null;
}
export interface FaqSearchResult {
  query: string;
  hits: (FaqEntryView & { score: number })[];
}
export interface FaqChatReply {
  confident: boolean;
  answer: FaqEntryView | null;
  related: FaqEntryView[];
  contact: {
    phone: string;
    /** False: the line answers in Japanese only; `interpreting` says how to get help in this language. */
    phone_in_your_language: boolean;
    counter: string;
    hours: string;
    interpreting: string;
  } | null;
}
export interface FaqUnanswered {
  id: string;
  text: string;
  lang: string;
  channel: "web" | "line";
  best_entry: string | null;
  confidence: number;
  asked_at: string;
}
export interface FaqEntry {
  id: string;
  topic: string;
  q: Record<string, string>;
  a: Record<string, string>;
  link: string | null;
  version: number;
  updated_at: string | null;
  updated_by: string | null;
}
export interface FaqEntryHistory {
  entry: FaqEntry;
  versions: FaqEntry[];
}
