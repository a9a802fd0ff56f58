// Unit names and places in the tree, from the unit tree the page loads for its filter (the tree of the
// day asked about). Views that carry only a unit code, or only the Vietnamese name, still show each unit
// by its name in the page's language, and tables can list units in tree order.
import { lang } from "./i18n.js";

let known = new Map(); // unit_id -> {name_vi, name_en, depth, order}

/** Remember the tree's units (the `units` of the "units" view); an empty list forgets them. */
export function setUnits(roots) {
  known = new Map();
  const walk = (nodes, depth) => {
    for (const n of nodes) {
      known.set(n.unit_id, { name_vi: n.name_vi, name_en: n.name_en, depth, order: known.size });
      walk(n.children ?? [], depth + 1);
    }
  };
  walk(roots, 0);
}

/**
 * The name of a row's unit: in English the row's name_en, else the tree's; otherwise (or when there is
 * no English name) the row's name_vi, else the tree's; the code itself for a unit not in the tree (e.g.
 * a departure's unit dissolved since).
 */
export function unitName(row, id = row.unit_id) {
  const unit = known.get(id);
  const english = lang() === "en" ? row.name_en || unit?.name_en : null;
  return english || row.name_vi || unit?.name_vi || id;
}

/** The unit's depth in the tree (0 for a root or an unknown unit). */
export const unitDepth = (id) => known.get(id)?.depth ?? 0;

/** Rows sorted in tree order (parents before their sub-units); units not in the tree last, as they came. */
export function inTreeOrder(rows, id = (r) => r.unit_id) {
  const rank = (r) => known.get(id(r))?.order ?? Number.MAX_SAFE_INTEGER;
  return [...rows].sort((a, b) => rank(a) - rank(b));
}
