// The tables the panels draw: a header row, one row per record, the first cell a row header.
import { h, uid } from "./dom.js";
import { t } from "./i18n.js";
import { unitDepth, unitName } from "./units.js";

/**
 * `columns` are [header text, cell(row), numeric?]. The caption names the table for screen readers;
 * `shownCaption` is also shown, above the table, for a table that must say what it lists (outside the
 * table's scrolling box, so a phone shows it whole).
 */
export function table(caption, columns, rows, { rowAttrs = () => null, shownCaption = false, className = null } = {}) {
  if (!rows.length) return h("p", { class: "empty" }, t("no_rows"));
  const id = shownCaption ? uid("caption") : null;
  const wrap = h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: className, "aria-labelledby": id },
      shownCaption ? null : h("caption", { class: "visually-hidden" }, caption),
      h("thead", null, h("tr", null, columns.map(([head, , num]) => h("th", { scope: "col", class: num ? "num" : null }, head)))),
      h(
        "tbody",
        null,
        rows.map((row) =>
          h(
            "tr",
            rowAttrs(row),
            columns.map(([, cell, num], i) =>
              i === 0 ? h("th", { scope: "row" }, cell(row)) : h("td", { class: num ? "num" : null }, cell(row)),
            ),
          ),
        ),
      ),
    ),
  );
  return shownCaption ? h("div", null, h("p", { class: "caption", id }, caption), wrap) : wrap;
}

/** A unit's name, indented by its depth (`depth` given, else its depth in the unit tree). */
export function unitCell(row, depth = unitDepth(row.unit_id)) {
  // Set through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
  const cell = h("span", { class: "indent" }, unitName(row));
  cell.style.setProperty("--depth", String(depth));
  return cell;
}
