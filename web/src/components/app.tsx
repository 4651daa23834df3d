import { type ComponentChildren, type ComponentType, render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
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

interface PageProps {
  title: MessageKey;
  /** Extra class on <body>-level wrapper, e.g. "theme-display". */
  variant?: string;
  children: ComponentChildren;
}

/** Shared frame: skip link, banner with language switcher, main landmark with the page's h1, footer. */
export function Page({ title, variant, children }: PageProps) {
  const { t } = useI18n();
  useEffect(() => {
    document.title = `${t(title)} | ${t("app.name")}`;
  }, [t, title]);
  return (
    <div class={`page ${variant ?? ""}`}>
      <a class="skip-link" href="#main" onClick={skipToMain}>
        {t("skip")}
      </a>
      <header class="site-header">
        <div class="site-header__inner">
          <p class="site-header__brand">{t("app.name")}</p>
          {/* The signed-in user's name and role, filled by the sign-in panel (components/sign-in.tsx). */}
          <p id="site-user" class="site-header__user" />
          <LanguageSwitcher />
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
