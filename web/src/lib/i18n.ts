import { createContext } from "preact";
import { useContext } from "preact/hooks";
import en from "../i18n/en.json";
import jaEasy from "../i18n/ja-easy.json";
import ja from "../i18n/ja.json";
import pt from "../i18n/pt.json";
import vi from "../i18n/vi.json";
import zh from "../i18n/zh.json";

export const LANGS = ["ja", "en", "pt", "vi", "zh", "ja-easy"] as const;
export type Lang = (typeof LANGS)[number];

/** Each language's name in that language, for the switcher. */
export const LANG_NAMES: Record<Lang, string> = {
  ja: "日本語",
  en: "English",
  pt: "Português",
  vi: "Tiếng Việt",
  zh: "中文（简体）",
  "ja-easy": "やさしい にほんご",
};

/** BCP 47 tag for <html lang> and Intl. */
export const HTML_LANG: Record<Lang, string> = {
  ja: "ja",
  en: "en",
  pt: "pt-BR",
  vi: "vi",
  zh: "zh-Hans",
  "ja-easy": "ja",
};

export type MessageKey = keyof typeof ja;
type Catalogue = Record<MessageKey, string>;
// Type-checks only when T has exactly the keys of ja.json (no missing, no extra).
type Exact<T> = [Exclude<keyof T, MessageKey>] extends [never] ? T : never;
const catalogue = <T extends Catalogue>(messages: T & Exact<T>): Catalogue => messages;

const CATALOGUES: Record<Lang, Catalogue> = {
  ja: catalogue(ja),
  en: catalogue(en),
  pt: catalogue(pt),
  vi: catalogue(vi),
  zh: catalogue(zh),
  "ja-easy": catalogue(jaEasy),
};

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const messages = CATALOGUES[lang];
  return (key, vars) =>
    messages[key].replace(/\{(\w+)\}/g, (whole, name: string) => (vars && name in vars ? String(vars[name]) : whole));
}

const STORAGE_KEY = "madoguchi.lang";

export const isLang = (value: unknown): value is Lang => LANGS.includes(value as Lang);

function fromNavigator(): Lang | null {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split("-")[0];
    if (isLang(base)) return base;
  }
  return null;
}

function readStorage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled
  }
}

/**
 * ?lang= first, then the saved choice, then the browser's languages; default ja. A language in the address is
 * saved too: links within the site (guide → procedure, FAQ → page) keep it without each carrying ?lang=.
 */
export function detectLang(): Lang {
  const fromQuery = new URLSearchParams(location.search).get("lang");
  if (isLang(fromQuery)) {
    saveLang(fromQuery);
    return fromQuery;
  }
  const saved = readStorage();
  if (isLang(saved)) return saved;
  return fromNavigator() ?? "ja";
}

function saveLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // storage disabled: the URL still carries the choice
  }
}

/** Remember an explicit choice and keep the address shareable. */
export function rememberLang(lang: Lang): void {
  saveLang(lang);
  const url = new URL(location.href);
  url.searchParams.set("lang", lang);
  history.replaceState(history.state, "", url);
}

export function applyHtmlLang(lang: Lang): void {
  document.documentElement.lang = HTML_LANG[lang];
}

export interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
}

export const I18nContext = createContext<I18n>({
  lang: "ja",
  setLang: () => undefined,
  t: translator("ja"),
});

export const useI18n = (): I18n => useContext(I18nContext);
