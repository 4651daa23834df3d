import type { Channel } from "./procedures";

export interface GuideEventSummary {
  id: string;
  name: string;
  date_label: string;
  one_stop: string | null;
}
export interface GuideEventList {
  events: GuideEventSummary[];
}
export interface GuideQuestion {
  id: string;
  kind: "yes_no" | "choice";
  text: string;
  choices: { id: string; label: string }[];
}
export interface GuideEventView extends GuideEventSummary {
  questions: GuideQuestion[];
}
export interface GuidePlace {
  office: string;
  name: string;
  counter: string | null;
  floor: string | null;
  city_hall: boolean;
}
export interface GuideChecklistItem {
  procedure_id: string;
  name: string;
  department: string | null;
  place: GuidePlace;
  documents: string[];
  deadline: string | null;
  deadline_days: number | null;
  timing: string | null;
  channels: Channel[];
  online: boolean;
  kiosk: boolean;
  fee_yen: number | null;
  link: string | null;
}
export interface GuideChecklist {
  event: GuideEventSummary;
  event_date: string;
  items: GuideChecklistItem[];
}
export interface GuideNavigationStep {
  department: string;
  name: string;
  place: GuidePlace;
  items: GuideChecklistItem[];
  check: string[];
  explain: string[];
}
export interface GuideNavigation {
  event: GuideEventSummary;
  event_date: string;
  one_stop_departments: string[];
  steps: GuideNavigationStep[];
  elsewhere: GuideChecklistItem[];
}
export interface GuideRequest {
  event: string;
  event_date: string;
  answers: Record<string, boolean | string>;
}

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
  contact: { phone: string; counter: string; hours: string } | null;
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
