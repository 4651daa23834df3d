import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// Multi-page build: each page is an index.html under web/, output to web/dist.
const page = (path: string) => fileURLToPath(new URL(`./web/${path}`, import.meta.url));

export default defineConfig({
  root: page(""),
  base: "/",
  // Copied as is to the site root: the Web Push service worker (/push-sw.js) must keep its name and scope.
  publicDir: page("public"),
  // Preact's automatic JSX runtime (Vite 8 transforms with Oxc; `esbuild` is its deprecated alias).
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: page("dist"),
    emptyOutDir: true,
    // Swagger UI alone is ~1.4 MB and is only loaded by /docs/.
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      input: {
        portal: page("index.html"),
        kiosk: page("kiosk/index.html"),
        display: page("display/index.html"),
        staff: page("staff/index.html"),
        preregister: page("preregister/index.html"),
        docs: page("docs/index.html"),
        apply: page("apply/index.html"),
        confirm: page("confirm/index.html"),
        "staff-applications": page("staff/applications/index.html"),
        facilities: page("facilities/index.html"),
        reservations: page("reservations/index.html"),
        staffFacilities: page("staff/facilities/index.html"),
        guide: page("guide/index.html"),
        faq: page("faq/index.html"),
        staffFaq: page("staff/faq/index.html"),
        staffGuide: page("staff/guide/index.html"),
        ticket: page("ticket/index.html"),
        congestion: page("congestion/index.html"),
        staffQueue: page("staff/queue/index.html"),
        staffDashboard: page("staff/dashboard/index.html"),
        staffDevices: page("staff/devices/index.html"),
        staffCertificates: page("staff/certificates/index.html"),
        ticketMachine: page("ticket-machine/index.html"),
        signin: page("signin/index.html"),
        lineLink: page("line-link/index.html"),
        verify: page("verify/index.html"),
      },
    },
  },
});
