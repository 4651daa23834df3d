/** Shapes of the procedures catalogue API (GET /procedures, /procedures/{id}). */

export type Channel = "online" | "kiosk" | "counter";

export interface ProcedureSummary {
  id: string;
  name: string;
  summary: string;
  category: string;
  department: { id: string; name: string };
  fee_yen: number;
  channels: Channel[];
  online_basis?: "allowed" | "e_signature" | "counter_only" | null;
  online_here?: boolean;
  yearly_volume?: number | null;
}

export interface ProcedureDetail extends ProcedureSummary {
  documents: string[];
  where: string;
  deadline?: string | null;
  online_receipt?: {
    basis: "allowed" | "e_signature" | "counter_only";
    note: string;
    signed_service_url: string | null;
  } | null;
}

export interface ProcedureList {
  lang: string;
  procedures: ProcedureSummary[];
}
