// The dashboard: filters (day, unit, sector, level, former province) kept in the URL; every change reloads every panel.
// Sector and level are single-select, but a link may carry several of each (the API takes them
// repeated): they are kept, sent and written back as they came until the visitor picks another.
import { ApiError, download, getJson, onUnauthorized } from "./api.js";
import { exportsTable, loadCatalogue, viewPath } from "./catalogue.js";
import { h } from "./dom.js";
import { dateTime, initialLang, label, lang, setLang, t, translate } from "./i18n.js";
import { PANELS } from "./panels.js";
import * as session from "./session.js";
import { loadFormerProvinces, renderFormerProvinces } from "./former.js";
import { showSignIn } from "./signin.js";
import { setUnits } from "./units.js";

const SECTORS = ["party_agency", "state_agency", "peoples_committee", "public_service_unit", "other"];
const LEVELS = ["province", "district", "commune"];
const FORMATS = ["csv", "xlsx"];
const SEVERAL = "*"; // the select's option standing for several sectors (levels) given by the URL

const $ = (id) => document.getElementById(id);
const state = readUrl();
const results = new Map(); // panel id -> {body} | {error}, kept so a language switch re-renders without reloading
let tree = null; // {units} | {error}
let notice = null; // [message key, vars] shown under the filters
let generation = 0; // responses of an older filter state are dropped when they arrive late
let requests = new Map(); // view -> pending body of this generation: panels reading one view share a request
let oidc = null; // the identity provider the service names (config.json), if any

function todayInProvince() {
  // en-CA formats a date as YYYY-MM-DD; the province's day, whatever the browser's zone
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh" }).format(new Date());
}

function readUrl() {
  const q = new URLSearchParams(location.search);
  const asOf = q.get("as_of");
  return {
    as_of: /^\d{4}-\d{2}-\d{2}$/.test(asOf ?? "") ? asOf : todayInProvince(),
    unit_id: q.get("unit_id") ?? "",
    sector: known(q.getAll("sector"), SECTORS),
    level: known(q.getAll("level"), LEVELS),
    former_province: q.get("former_province") ?? "",
  };
}

/** The codes of `given` that are in `allowed`, each once, in the order given. */
function known(given, allowed) {
  return [...new Set(given.filter((code) => allowed.includes(code)))];
}

/** The views' query: the day and the slice (empty filters are left out). */
function query(extra = {}) {
  const q = new URLSearchParams({ as_of: state.as_of });
  if (state.unit_id) q.set("unit_id", state.unit_id);
  for (const key of ["sector", "level"]) for (const code of state[key]) q.append(key, code);
  if (state.former_province) q.set("former_province", state.former_province);
  for (const [key, value] of Object.entries(extra)) q.set(key, value);
  return q;
}

function writeUrl() {
  history.replaceState(null, "", `?${query({ lang: lang() })}`);
}

// ---- filters -------------------------------------------------------------------------------------------

function option(value, text, selected) {
  return h("option", { value, selected: value === selected }, text);
}

/** A single-select of codes; several chosen (by the URL) show as one extra option naming them all. */
function choices(select, enumName, codes, chosen, allKey) {
  const value = chosen.length > 1 ? SEVERAL : (chosen[0] ?? "");
  const several = chosen.length > 1 ? option(SEVERAL, chosen.map((c) => label(enumName, c)).join(" + "), value) : null;
  select.replaceChildren(
    option("", t(allKey), value),
    ...codes.map((code) => option(code, label(enumName, code), value)),
    ...(several ? [several] : []),
  );
}

function renderFilters() {
  $("as-of").value = state.as_of;
  choices($("sector"), "sector", SECTORS, state.sector, "all_sectors");
  choices($("level"), "level", LEVELS, state.level, "all_levels");
  renderFormerProvinces($("former-province"), state.former_province);
  const units = [];
  const walk = (nodes, depth) => {
    for (const n of nodes) {
      const name = (lang() === "en" && n.name_en) || n.name_vi;
      units.push(option(n.unit_id, `${"\u2003".repeat(depth)}${name}`, state.unit_id));
      walk(n.children ?? [], depth + 1);
    }
  };
  walk(tree?.units ?? [], 0);
  $("unit").replaceChildren(option("", t("whole_province"), state.unit_id), ...units);
  const box = $("filter-notice");
  box.replaceChildren();
  if (tree?.error) box.append(errorBox(tree.error, loadAll));
  else if (notice) box.append(h("p", { class: "notice" }, t(...notice)));
}

function unitIds(nodes, out = new Set()) {
  for (const n of nodes) {
    out.add(n.unit_id);
    unitIds(n.children ?? [], out);
  }
  return out;
}

// ---- panels --------------------------------------------------------------------------------------------

function buildPanels() {
  const main = $("main");
  for (const panel of PANELS) {
    main.append(
      h(
        "section",
        { id: `panel-${panel.id}`, class: `panel panel-${panel.id}`, "aria-labelledby": `panel-${panel.id}-title` },
        h(
          "div",
          { class: "panel-head" },
          h("h2", { id: `panel-${panel.id}-title`, "data-i18n": panel.title }),
          panel.table ? h("div", { class: "exports" }) : null,
        ),
        h("div", { class: "status", role: "status" }),
        h("div", { class: "body" }),
      ),
    );
  }
}

function errorBox(error, retry) {
  const detail = error.status === 0 ? t("error_network") : error.detail;
  return h(
    "div",
    { class: "error", role: "alert" },
    h("p", null, t("error", { status: error.status || "—", detail })),
    h("p", { class: "error-url" }, error.url),
    h("button", { type: "button", class: "btn", onclick: retry }, t("retry")),
  );
}

function renderPanel(panel) {
  const section = $(`panel-${panel.id}`);
  const result = results.get(panel.id);
  const status = section.querySelector(".status");
  const body = section.querySelector(".body");
  section.setAttribute("aria-busy", String(!result));
  status.replaceChildren(result ? "" : t("loading"));
  body.replaceChildren();
  if (result?.error) body.append(errorBox(result.error, () => loadPanel(panel, generation, true)));
  else if (result) body.append(panel.render(result.body));
  section.dataset.state = !result ? "loading" : result.error ? "error" : "ready";
}

function renderExports() {
  for (const panel of PANELS.filter((p) => p.table)) {
    if (!exportsTable(panel.view, panel.table)) continue; // only tables the service says it exports
    const title = t(panel.title);
    $(`panel-${panel.id}`)
      .querySelector(".exports")
      .replaceChildren(
        ...FORMATS.map((fmt) =>
          h(
            "a",
            {
              class: "btn export",
              href: `/api/v1/exports/${panel.table}.${fmt}?${query({ lang: lang() })}`,
              "data-export": `${panel.table}.${fmt}`,
              "aria-label": t(`export_${fmt}`, { table: title }),
              // The export needs the token, which a plain link would not send: fetch it, then save the blob.
              onclick: (e) => {
                e.preventDefault();
                download(e.currentTarget.href, `${panel.table}.${fmt}`).catch((error) => console.error(error));
              },
            },
            fmt.toUpperCase(),
          ),
        ),
      );
  }
}

function renderFreshness() {
  // The overview's freshness first; any other view's when the overview failed.
  const bodies = PANELS.map((p) => results.get(p.id)?.body).filter(Boolean);
  const withTime = bodies.find((b) => "current_to" in b);
  const line = $("freshness");
  if (!withTime) line.textContent = "";
  else if (withTime.current_to) line.textContent = t("freshness", { time: dateTime(withTime.current_to) });
  else line.textContent = t("freshness_unknown");
}

async function loadPanel(panel, gen, again = false) {
  results.delete(panel.id);
  renderPanel(panel);
  let result;
  try {
    if (again || !requests.has(panel.view)) requests.set(panel.view, getJson(viewPath(panel.view), query()));
    result = { body: await requests.get(panel.view) };
  } catch (error) {
    result = { error: error instanceof ApiError ? error : new ApiError(0, String(error), panel.view) };
    console.error(`panel ${panel.id}:`, error);
  }
  if (gen !== generation) return;
  results.set(panel.id, result);
  renderPanel(panel);
  renderFreshness();
}

/** The service refused the token (expired, revoked): drop it, say so, and reload once signed in again. */
async function expired() {
  generation++; // answers still in flight belong to the old session
  session.signOut();
  await showSignIn(oidc, "expired");
  loadAll();
}

async function signOut() {
  generation++;
  session.signOut();
  await showSignIn(oidc);
  loadAll();
}

async function loadAll() {
  const gen = ++generation;
  requests = new Map();
  writeUrl();
  renderExports();
  notice = null;
  // Every panel shows "loading" at once: figures of the previous filters must never pass for the new ones.
  results.clear();
  PANELS.forEach(renderPanel);
  renderFreshness();
  try {
    await loadCatalogue(); // where the views are: before the tree, itself a view
    renderExports();
    await loadFormerProvinces();
    tree = await getJson(viewPath("units"), new URLSearchParams({ as_of: state.as_of }));
  } catch (error) {
    tree = { error };
  }
  if (gen !== generation) return;
  setUnits(tree.units ?? []); // before any panel renders: tables name units from it
  if (state.unit_id && tree.units && !unitIds(tree.units).has(state.unit_id)) {
    // The unit was dissolved or merged by that day: the views would answer 404 for it.
    notice = ["unit_reset", { date: state.as_of }];
    state.unit_id = "";
    writeUrl();
    renderExports();
  }
  renderFilters();
  await Promise.all(PANELS.map((panel) => loadPanel(panel, gen)));
}

function rerender() {
  translate();
  document.title = t("page_title");
  $("lang-toggle").textContent = t("lang_toggle");
  $("lang-toggle").lang = lang() === "vi" ? "en" : "vi";
  $("lang-toggle").setAttribute("aria-label", t("lang_toggle_label"));
  renderFilters();
  renderExports();
  PANELS.forEach(renderPanel);
  renderFreshness();
}

async function start() {
  setLang(initialLang(location.search), false);
  buildPanels();
  rerender();
  $("as-of").addEventListener("change", (e) => {
    if (!e.target.value) return; // a half-typed or cleared date: wait for a whole one
    state.as_of = e.target.value;
    loadAll();
  });
  $("unit").addEventListener("change", (e) => {
    state.unit_id = e.target.value;
    loadAll();
  });
  for (const key of ["sector", "level"]) {
    $(key).addEventListener("change", (e) => {
      if (e.target.value === SEVERAL) return; // still the URL's choice
      state[key] = e.target.value ? [e.target.value] : [];
      loadAll();
    });
  }
  $("former-province").addEventListener("change", (e) => {
    state.former_province = e.target.value;
    loadAll();
  });
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  $("lang-toggle").addEventListener("click", () => {
    setLang(lang() === "vi" ? "en" : "vi", true);
    writeUrl();
    rerender();
  });
  $("sign-out").addEventListener("click", signOut);
  onUnauthorized(expired);
  await signedIn();
  $("sign-out").hidden = false;
  loadAll();
}

/** A token from the link's fragment, the identity provider's answer or this tab's session; else the form. */
async function signedIn() {
  oidc = (await session.config()).oidc;
  session.fromFragment();
  let problem = null;
  try {
    if (await session.finishOidc(oidc)) Object.assign(state, readUrl()); // the filters from before the visit
  } catch (error) {
    problem = error.message;
  }
  const current = session.token();
  if (session.usable(current)) return;
  await showSignIn(oidc, problem ?? (current ? "expired" : null));
}

start();
