import { type ComponentChildren, createContext } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";
import { request, withLang } from "../lib/http";
import { type MessageKey, useI18n } from "../lib/i18n";
import "../styles/staff.css";
import { Page } from "./app";
import { type Session, SignIn } from "./sign-in";

export type StaffSection =
  | "inbox"
  | "queue"
  | "cases"
  | "applications"
  | "certificates"
  | "facilities"
  | "faq"
  | "guide"
  | "dashboard"
  | "devices";

interface NavItem {
  section: StaffSection;
  href: string;
  label: MessageKey;
  /** The access key (Alt+key in Chromium and Edge, Alt+Shift+key in Firefox), listed on every page. */
  key: string;
}

/** Every page of the staff workspace, in the order a clerk's day uses them. */
export const STAFF_NAV: NavItem[] = [
  { section: "inbox", href: "/staff/", label: "staffnav.inbox", key: "i" },
  { section: "queue", href: "/staff/queue/", label: "staffnav.queue", key: "q" },
  { section: "cases", href: "/staff/#cases", label: "staffnav.cases", key: "c" },
  { section: "applications", href: "/staff/applications/", label: "staffnav.applications", key: "a" },
  { section: "certificates", href: "/staff/certificates/", label: "staffnav.certificates", key: "p" },
  { section: "facilities", href: "/staff/facilities/", label: "staffnav.facilities", key: "r" },
  { section: "faq", href: "/staff/faq/", label: "staffnav.faq", key: "k" },
  { section: "guide", href: "/staff/guide/", label: "staffnav.guide", key: "g" },
  { section: "dashboard", href: "/staff/dashboard/", label: "staffnav.dashboard", key: "m" },
  { section: "devices", href: "/staff/devices/", label: "staffnav.devices", key: "v" },
];

/** GET /staff/inbox: the department's waiting work, counted once for every staff page. */
export interface StaffInbox {
  department: string | null;
  department_name: string | null;
  department_names: Record<string, string>;
  applications_received: number;
  applications_in_review: number;
  case_tasks: number;
  verifications: number;
  case_verifications: number;
  total: number;
}

interface Workspace {
  session: Session | null;
  inbox: StaffInbox | null;
  /** Count again (after the page changed some of the work). */
  reloadInbox: () => void;
  /** A department's name in the page's language (never its code). */
  departmentName: (id: string) => string;
}

const WorkspaceContext = createContext<Workspace>({
  session: null,
  inbox: null,
  reloadInbox: () => {},
  departmentName: (id) => id,
});

export const useWorkspace = (): Workspace => useContext(WorkspaceContext);

export interface Shortcut {
  key: string;
  label: MessageKey;
}

function StaffNav({ section, inbox, shortcuts }: { section: StaffSection; inbox: StaffInbox | null; shortcuts: Shortcut[] }) {
  const { t } = useI18n();
  return (
    <nav class="staff-nav print-hide no-print" aria-label={t("staffnav.label")}>
      {inbox?.department_name && (
        <p class="staff-nav__department">
          {t("staffnav.department", { department: inbox.department_name })}
        </p>
      )}
      <ul class="staff-nav__list">
        {STAFF_NAV.map((item) => (
          <li key={item.section}>
            <a
              href={item.href}
              accessKey={item.key}
              aria-current={item.section === section ? "page" : undefined}
              class={item.section === section ? "staff-nav__link staff-nav__link--current" : "staff-nav__link"}
            >
              {t(item.label)}
              {item.section === "inbox" && inbox && (
                <span class="staff-nav__count" id="staff-nav-total">
                  {" "}
                  {t("staffnav.waiting", { count: inbox.total })}
                </span>
              )}
            </a>
          </li>
        ))}
      </ul>
      <details class="staff-nav__keys">
        <summary>{t("staffnav.keys.title")}</summary>
        <p>{t("staffnav.keys.how")}</p>
        <dl class="facts">
          {[...STAFF_NAV.map((item) => ({ key: item.key, label: item.label })), ...shortcuts].map((s) => (
            <div key={s.key}>
              <dt>
                <kbd>{s.key.toUpperCase()}</kbd>
              </dt>
              <dd>{t(s.label)}</dd>
            </div>
          ))}
        </dl>
      </details>
    </nav>
  );
}

interface StaffPageProps {
  title: MessageKey;
  section: StaffSection;
  variant?: string;
  onSession?: (session: Session | null) => void;
  /** The page's own access keys, listed with the navigation's. */
  shortcuts?: Shortcut[];
  children: ComponentChildren;
}

/**
 * The staff workspace frame used by every staff page: the site frame (Page), one navigation to every staff page
 * with the department's waiting work counted, and one sign-in (the header shows who is signed in; the sign-in
 * panel appears only while signed out). Pages read the session and the count with useWorkspace().
 */
export function StaffPage({ title, section, variant, onSession, shortcuts = [], children }: StaffPageProps) {
  const { lang } = useI18n();
  const [session, setSession] = useState<Session | null>(null);
  const [inbox, setInbox] = useState<StaffInbox | null>(null);
  const [tick, setTick] = useState(0);
  const token = session?.me.role === "staff" ? session.token : null;

  useEffect(() => {
    if (!token) {
      setInbox(null);
      return;
    }
    const controller = new AbortController();
    request<StaffInbox>(withLang("/staff/inbox", lang), { token, signal: controller.signal }).then(setInbox, () => {
      if (!controller.signal.aborted) setInbox(null);
    });
    return () => controller.abort();
  }, [token, lang, tick, section]);

  const adopt = (next: Session | null) => {
    setSession(next);
    onSession?.(next);
  };
  const workspace: Workspace = {
    session,
    inbox,
    reloadInbox: () => setTick((n) => n + 1),
    departmentName: (id) => inbox?.department_names[id] ?? id,
  };

  return (
    <Page title={title} variant={variant}>
      <WorkspaceContext.Provider value={workspace}>
        <StaffNav section={section} inbox={inbox} shortcuts={shortcuts} />
        <SignIn onSession={adopt} audience="staff" variant="header" />
        {children}
      </WorkspaceContext.Provider>
    </Page>
  );
}
