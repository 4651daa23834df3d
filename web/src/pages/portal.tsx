import { useEffect, useRef, useState } from "preact/hooks";
import { Page, mount } from "../components/app";
import { Alert, Loading } from "../components/feedback";
import { ProcedureCard, ProcedureDetailView } from "../components/procedure";
import type { ProcedureList } from "../lib/procedures";
import { useApi } from "../lib/http";
import { useI18n } from "../lib/i18n";
import { hrefWith, queryParam } from "../lib/url";
import "../styles/base.css";

const hrefFor = (procedure: string | null): string => hrefWith("procedure", procedure);
const currentProcedure = () => queryParam("procedure");

function Portal() {
  const [selected, setSelected] = useState<string | null>(currentProcedure);
  const lastOpened = useRef<string | null>(null);

  useEffect(() => {
    const onPop = () => setSelected(currentProcedure());
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);

  const open = (id: string) => {
    history.pushState(null, "", hrefFor(id));
    lastOpened.current = id;
    setSelected(id);
  };
  const back = () => {
    history.pushState(null, "", hrefFor(null));
    setSelected(null);
  };

  return (
    <Page title="portal.title">
      {selected ? (
        <ProcedureDetailView id={selected} onBack={back} backHref={hrefFor(null)} />
      ) : (
        <Catalogue onOpen={open} focusId={lastOpened.current} />
      )}
    </Page>
  );
}

function Catalogue({ onOpen, focusId }: { onOpen: (id: string) => void; focusId: string | null }) {
  const { t, lang } = useI18n();
  const { data, error, loading } = useApi<ProcedureList>("/procedures");
  // Coming back from a detail view: return focus to the procedure that was opened.
  useEffect(() => {
    if (data && focusId) document.getElementById(`procedure-${focusId}`)?.focus();
  }, [data !== null]);

  return (
    <>
      <p class="lead">{t("portal.intro")}</p>
      <p class="callout">
        <a href={`/preregister/?lang=${encodeURIComponent(lang)}`}>{t("resident.portalLink")}</a>
      </p>
      <p class="callout">
        <a href="/guide/">{t("guide.portalLink")}</a> · <a href="/faq/">{t("faq.portalLink")}</a> · <a href={`/congestion/?lang=${encodeURIComponent(lang)}`}>{t("congestion.title")}</a> · <a href="/line-link/">{t("line.title")}</a>
      </p>
      <p class="callout">
        <a href={`/facilities/?lang=${encodeURIComponent(lang)}`}>{t("facilities.portalLink")}</a>
      </p>
      <p class="callout">
        <a href={`/apply/?lang=${encodeURIComponent(lang)}`}>{t("portal.applyLink")}</a>
      </p>
      <Alert error={error} />
      {loading && !data && <Loading />}
      {data && (
        <section aria-labelledby="catalogue-heading">
          <h2 id="catalogue-heading" class="visually-hidden">
            {t("portal.title")}
          </h2>
          {data.procedures.length === 0 ? (
            <p>{t("portal.empty")}</p>
          ) : (
            <ul class="cards" aria-busy={loading}>
              {data.procedures.map((p) => (
                <ProcedureCard key={p.id} procedure={p} href={hrefFor(p.id)} onOpen={onOpen} />
              ))}
            </ul>
          )}
        </section>
      )}
    </>
  );
}

mount(Portal);
