import { useEffect, useState } from "preact/hooks";
import { Page, mount } from "../components/app";
import { FaqChat } from "../components/faq-chat";
import { Alert, Loading } from "../components/feedback";
import { type ApiError, asApiError, request, withLang } from "../lib/http";
import type { FaqSearchResult } from "../lib/faq";
import { useI18n } from "../lib/i18n";
import { hrefWith, queryParam } from "../lib/url";
import "../styles/base.css";
import "../styles/guide.css";

/** FAQ search (?q= keeps the query in the address) and the chat. */
function Faq() {
  const { t, lang } = useI18n();
  const [text, setText] = useState(() => queryParam("q") ?? "");
  const [query, setQuery] = useState(() => queryParam("q") ?? "");
  const [result, setResult] = useState<FaqSearchResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (!query) return;
    setLoading(true);
    request<FaqSearchResult>(withLang(`/faq/search?q=${encodeURIComponent(query)}`, lang)).then(
      (r) => {
        setResult(r);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        setError(asApiError(e));
        setLoading(false);
      },
    );
  }, [query, lang]);

  const search = (e: Event) => {
    e.preventDefault();
    const q = text.trim();
    history.replaceState(null, "", hrefWith("q", q || null));
    setQuery(q);
    if (!q) setResult(null);
  };

  return (
    <Page title="faq.title">
      <p>{t("faq.intro")}</p>
      <form class="faq-search" role="search" onSubmit={search}>
        <label for="faq-q">{t("faq.search.label")}</label>
        <input id="faq-q" type="search" value={text} maxLength={200} onInput={(e) => setText(e.currentTarget.value)} />
        <p>
          <button type="submit" class="button">
            {t("faq.search.submit")}
          </button>
        </p>
      </form>
      <Alert error={error} />
      {loading && <Loading />}
      {result && (
        <section aria-labelledby="faq-results-heading">
          <h2 id="faq-results-heading">{t("faq.search.results", { count: result.hits.length })}</h2>
          {result.hits.length === 0 && <p>{t("faq.search.none")}</p>}
          <ul class="faq-hits">
            {result.hits.map((hit) => (
              <li key={hit.id} class="card faq-hit">
                <h3 class="card__title">{hit.question}</h3>
                <p>{hit.answer}</p>
                {hit.link && <a href={hit.link}>{t("faq.moreInfo", { q: hit.question })}</a>}
              </li>
            ))}
          </ul>
        </section>
      )}
      <FaqChat />
    </Page>
  );
}

mount(Faq);
