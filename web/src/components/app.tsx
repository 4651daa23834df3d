import type { User } from "oidc-client-ts";
import { type ComponentChildren, type ComponentType, render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { type Audience, displayName, loadConfig, userManager } from "../lib/auth";
import {
  applyHtmlLang,
  detectLang,
  I18nContext,
  type Lang,
  type MessageKey,
  rememberLang,
  translator,
  useI18n,
} from "../lib/i18n";
import { LanguageSwitcher } from "./language-switcher";

/** Renders a page inside the language context; every entry point calls this once. */
export function mount(Page: ComponentType): void {
  const root = document.getElementById("app");
  if (root) render(<I18nProvider><Page /></I18nProvider>, root);
}

function I18nProvider({ children }: { children: ComponentChildren }) {
  const [lang, setLangState] = useState<Lang>(detectLang);
  const value = useMemo(
    () => ({
      lang,
      t: translator(lang),
      setLang: (next: Lang) => {
        rememberLang(next);
        setLangState(next);
      },
    }),
    [lang],
  );
  useEffect(() => applyHtmlLang(lang), [lang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

// Move focus explicitly: some embedded apps (Swagger UI) react to the #main fragment.
function skipToMain(event: MouseEvent): void {
  const main = document.getElementById("main");
  if (!main) return;
  event.preventDefault();
  main.focus();
  main.scrollIntoView();
}

/** A link of the site navigation; `path` is matched against the page's own path for aria-current. */
export interface NavItem {
  path: string;
  label: MessageKey;
}

/** The resident site's sections, in every resident page's header (and the no-JS calendar page's, from the API). */
export const RESIDENT_NAV: readonly NavItem[] = [
  { path: "/apply/", label: "nav.applications" },
  { path: "/facilities/", label: "nav.facilities" },
  { path: "/congestion/", label: "nav.congestion" },
  { path: "/guide/", label: "nav.guide" },
  { path: "/faq/", label: "nav.faq" },
  { path: "/reservations/", label: "nav.reservations" },
];

/** Public devices (kiosk, ticket machine, display board) must not lead the public away from their one task. */
const DEVICE_VARIANTS = new Set(["theme-kiosk", "theme-display"]);

const withLang = (path: string, lang: string): string => `${path}?lang=${encodeURIComponent(lang)}`;

interface PageProps {
  title: MessageKey;
  /** Extra class on <body>-level wrapper, e.g. "theme-display". */
  variant?: string;
  /** The header's navigation: resident sections by default; staff pages pass their own, devices get none. */
  nav?: readonly NavItem[];
  children: ComponentChildren;
}

const AUDIENCE_ORDER: Record<"staff" | "site", Audience[]> = {
  staff: ["staff", "resident", "device"],
  site: ["resident", "staff", "device"],
};

/**
 * Who is signed in in this tab, for the header: read from the stored tokens of each user pool (no request of
 * its own), kept current through the pools' load/unload events as pages sign in, renew and sign out.
 */
function SiteUser() {
  const { t } = useI18n();
  const [who, setWho] = useState<{ name: string; audience: Audience } | null>(null);
  useEffect(() => {
    let cleanup = () => {};
    let live = true;
    loadConfig()
      .then(async (config) => {
        const order = AUDIENCE_ORDER[location.pathname.startsWith("/staff/") ? "staff" : "site"];
        const pools = order.flatMap((audience) => {
          const authority = config.auth[audience];
          return authority ? [{ audience, manager: userManager(authority) }] : [];
        });
        const refresh = async () => {
          for (const { audience, manager } of pools) {
            const user: User | null = await manager.getUser();
            if (user && !user.expired) {
              if (live) setWho({ name: displayName(user), audience });
              return;
            }
          }
          if (live) setWho(null);
        };
        const onChange = () => void refresh();
        for (const { manager } of pools) {
          manager.events.addUserLoaded(onChange);
          manager.events.addUserUnloaded(onChange);
        }
        cleanup = () => {
          for (const { manager } of pools) {
            manager.events.removeUserLoaded(onChange);
            manager.events.removeUserUnloaded(onChange);
          }
        };
        await refresh();
      })
      .catch(() => setWho(null)); // no config: nobody can be signed in
    return () => {
      live = false;
      cleanup();
    };
  }, []);
  if (!who) return null;
  return (
    <span class="site-header__user-name">
      {who.name}（{t(`role.${who.audience}` as MessageKey)}）
    </span>
  );
}

function SiteNav({ items }: { items: readonly NavItem[] }) {
  const { t, lang } = useI18n();
  if (items.length === 0) return null;
  const here = location.pathname;
  return (
    <nav class="site-nav" aria-label={t("nav.label")}>
      <ul class="site-nav__list">
        {items.map((item) => (
          <li key={item.path}>
            <a href={withLang(item.path, lang)} aria-current={here === item.path ? "page" : undefined}>
              {t(item.label)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * Shared frame: skip link; banner with the home link, the site navigation, the signed-in user and the language
 * switcher; main landmark with the page's h1; footer.
 */
export function Page({ title, variant, nav, children }: PageProps) {
  const { t, lang } = useI18n();
  useEffect(() => {
    document.title = `${t(title)} | ${t("app.name")}`;
  }, [t, title]);
  const device = DEVICE_VARIANTS.has(variant ?? "");
  const staff = location.pathname.startsWith("/staff/");
  const items = nav ?? (device || staff ? [] : RESIDENT_NAV);
  const home = staff ? "/staff/" : "/";
  return (
    <div class={`page ${variant ?? ""}`}>
      <a class="skip-link" href="#main" onClick={skipToMain}>
        {t("skip")}
      </a>
      <header class="site-header">
        <div class="site-header__inner">
          <p class="site-header__brand">
            {device ? t("app.name") : <a href={withLang(home, lang)}>{t("app.name")}</a>}
          </p>
          {/* The signed-in user's name and role (any user pool with tokens in this tab). */}
          <p id="site-user" class="site-header__user">
            <SiteUser />
          </p>
          <LanguageSwitcher />
        </div>
        <div class="site-header__nav">
          <SiteNav items={items} />
        </div>
      </header>
      <main id="main" tabIndex={-1} class="site-main">
        <h1 class="page-title">{t(title)}</h1>
        {children}
      </main>
      <footer class="site-footer">
        <p>{t("footer.note")}</p>
      </footer>
    </div>
  );
}
