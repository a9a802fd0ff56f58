// The panels of people coming and going: 12-month attrition (by month, by unit), open vacancies and the
// share of officers trained in the last 12 months. Each render gets its view's JSON body.
import { h } from "./dom.js";
import { date, dec, int, label, month, pct, t } from "./i18n.js";
import { table, unitCell } from "./table.js";
import { inTreeOrder, unitDepth, unitName } from "./units.js";

// The reasons of the attrition-months export, in its column order.
const REASONS = ["private_sector", "other_public_body", "retirement", "dismissal", "other"];
const share = (percent) => pct(percent == null ? null : percent / 100); // the views give 0..100, one decimal

export function attritionMonths(body) {
  return h(
    "div",
    null,
    h(
      "p",
      { class: "note" },
      t("attrition_summary", {
        from: date(body.window?.from),
        to: date(body.window?.to),
        departures: int(body.departures),
        average: dec(body.average_headcount),
        rate: share(body.attrition_rate_pct),
      }),
    ),
    table(
      t("table_attrition_months"),
      [
        [t("month"), (m) => month(m.month)],
        [t("departures"), (m) => int(m.departures), true],
        ...REASONS.map((r) => [label("departure_reason", r), (m) => int(m.by_reason?.[r] ?? 0), true]),
        [t("hires"), (m) => int(m.hires), true],
      ],
      body.months ?? [],
      { rowAttrs: (m) => ({ "data-month": m.month }), className: "wrap-head" },
    ),
  );
}

export function attritionUnits(body) {
  return h(
    "div",
    null,
    h("p", { class: "note" }, t("attrition_units_note")),
    table(
      t("table_attrition_units"),
      [
        [t("col_unit"), (u) => unitName(u)],
        [t("departures"), (u) => int(u.departures), true],
      ],
      body.by_unit ?? [],
      { rowAttrs: (u) => ({ "data-unit": u.unit_id }) },
    ),
  );
}

export function vacancies(body) {
  const rows = body.vacancies ?? [];
  return h(
    "div",
    null,
    rows.length
      ? h(
          "p",
          { class: "note" },
          t("vacancies_summary", {
            open: int(body.open),
            positions: int(body.positions),
            mean: dec(body.age?.mean_days),
          }),
        )
      : null,
    table(
      t("table_vacancies"),
      [
        [t("col_vacancy"), (v) => v.vacancy_id],
        [t("col_unit"), (v) => unitName(v)],
        [t("col_function"), (v) => label("function", v.function)],
        [t("col_positions"), (v) => int(v.positions), true],
        [t("col_hired"), (v) => int(v.hired), true],
        [t("col_opened_on"), (v) => date(v.opened_on), true],
        [t("col_closes_on"), (v) => date(v.closes_on), true],
        [t("col_age_days"), (v) => int(v.age_days), true],
      ],
      rows,
      { rowAttrs: (v) => ({ "data-vacancy": v.vacancy_id, "data-unit": v.unit_id }) },
    ),
  );
}

export function trainedShare(body) {
  const totals = body.totals ?? {};
  const rows = inTreeOrder(body.units ?? []);
  const top = Math.min(...rows.map((u) => unitDepth(u.unit_id))); // a unit's subtree starts at the margin
  return h(
    "div",
    null,
    h(
      "p",
      { class: "note" },
      t("trained_share_note", {
        trained: int(totals.trained_12m),
        officers: int(totals.officers),
        share: share(totals.trained_share_pct),
      }),
    ),
    table(
      t("table_trained_share"),
      [
        [t("col_unit"), (u) => unitCell(u, unitDepth(u.unit_id) - top)],
        [t("col_level"), (u) => label("level", u.level)],
        [t("col_officers"), (u) => int(u.officers), true],
        [t("col_trained"), (u) => int(u.trained_12m), true],
        [t("col_share"), (u) => share(u.trained_share_pct), true],
      ],
      rows,
      { rowAttrs: (u) => ({ "data-unit": u.unit_id }) },
    ),
  );
}
