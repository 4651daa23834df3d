import { HTML_LANG, isLang, LANG_NAMES, LANGS, useI18n } from "../lib/i18n";

export function LanguageSwitcher() {
  const { lang, setLang, t } = useI18n();
  return (
    <div class="lang-switcher">
      <label for="lang-select">{t("language.label")}</label>
      <select
        id="lang-select"
        value={lang}
        onChange={(event) => {
          const value = event.currentTarget.value;
          if (isLang(value)) setLang(value);
        }}
      >
        {LANGS.map((code) => (
          <option key={code} value={code} lang={HTML_LANG[code]}>
            {LANG_NAMES[code]}
          </option>
        ))}
      </select>
    </div>
  );
}
