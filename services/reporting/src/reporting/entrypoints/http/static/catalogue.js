// The service's view registry (GET /api/v1/catalogue): each view's path and the tables exported from it.
// Panels name views and tables; where a view lives and which tables it has come from the service, so the
// page never keeps its own copy of the API's paths.
import { getJson } from "./api.js";

let views = null; // name -> {path, tables: [names], ...} once loaded

/** Load the catalogue once per page (it changes only with a redeploy); later calls reuse it. */
export async function loadCatalogue() {
  if (views) return;
  const body = await getJson("/api/v1/catalogue", new URLSearchParams());
  views = new Map(body.views.map((v) => [v.name, { ...v, tables: v.tables.map((t) => t.name) }]));
}

/** The GET path of a view of the catalogue; an Error for a view the service does not have. */
export function viewPath(name) {
  const view = views?.get(name);
  if (!view) throw new Error(`the service has no view ${name}`);
  return view.path;
}

/** Whether the service exports `table` from view `name` (false until the catalogue is loaded). */
export const exportsTable = (name, table) => Boolean(table && views?.get(name)?.tables.includes(table));
