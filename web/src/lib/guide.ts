/** Shapes of the life-event guide API (checklists and one-stop navigation; see /openapi.json). */
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
