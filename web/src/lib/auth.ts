/** Who is signed in (GET /me) and the sign-in settings the page loads from config.json. */

export interface Me {
  sub: string;
  role: "resident" | "staff" | "device";
  department: string | null;
  device_kind: string | null;
}

export interface AppConfig {
  auth: { tokenUrl?: string | null; demoUsers: { id: string; label: string; role?: string }[] };
}

