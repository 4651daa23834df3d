import { useEffect, useRef } from "preact/hooks";
import SwaggerUI from "swagger-ui-dist/swagger-ui-es-bundle.js";
import "swagger-ui-dist/swagger-ui.css";
import { Page, mount } from "../components/app";
import { useI18n } from "../lib/i18n";
import "../styles/base.css";
import "../styles/swagger.css";

// Swagger UI leaves parameter inputs unlabelled (name each after its parameter) and titles the API
// with a second h1 (expose it as level 2 under the page's h1).
function repairAccessibility(root: HTMLElement): void {
  for (const title of root.querySelectorAll(".info h1:not([aria-level])")) title.setAttribute("aria-level", "2");
  for (const control of root.querySelectorAll<HTMLElement>("tr[data-param-name] :is(select, input, textarea)")) {
    const name = control.closest<HTMLElement>("tr[data-param-name]")?.dataset.paramName;
    if (name && !control.hasAttribute("aria-label")) control.setAttribute("aria-label", name);
  }
}

/** Swagger UI (bundled from npm, no CDN) over the merged OpenAPI document. */
function SwaggerPanel() {
  const node = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = node.current;
    if (!host) return;
    const observer = new MutationObserver(() => repairAccessibility(host));
    observer.observe(host, { childList: true, subtree: true });
    SwaggerUI({
      domNode: host,
      url: "/openapi.json",
      validatorUrl: null, // never call the public validator
      deepLinking: false, // deep links nest a link inside the summary button (axe nested-interactive)
    });
    return () => observer.disconnect();
  }, []);
  return <div ref={node} class="swagger-host" />;
}

function Docs() {
  const { t } = useI18n();
  return (
    <Page title="docs.title" variant="theme-docs">
      <p class="lead">{t("docs.intro")}</p>
      <div lang="en">
        <SwaggerPanel />
      </div>
    </Page>
  );
}

mount(Docs);
