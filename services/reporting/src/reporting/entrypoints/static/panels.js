// What each panel reads and how it draws it. A panel's render gets the view's JSON body and returns a node.
import { chart } from "./charts.js";
import { h } from "./dom.js";
import { dec, int, label, pct, t } from "./i18n.js";

const CARDS = [
  ["officers", "card_officers", (c) => int(c.officers.total), (c) =>
    t("card_officers_sub", { dedicated: int(c.officers.dedicated), concurrent: int(c.officers.concurrent) })],
  ["dedicated_share", "card_dedicated_share", (c) => pct(c.officers.dedicated_share), (c) =>
    t("card_dedicated_share_sub", { dedicated: int(c.officers.dedicated), total: int(c.officers.total) })],
  ["information_security", "card_infosec", (c) => int(c.information_security.officers), null],
  ["coverage", "card_coverage", (c) => pct(c.coverage.compliance_rate), (c) =>
    t("card_coverage_sub", {
      compliant: int(c.coverage.compliant),
      agencies: int(c.coverage.agencies),
      failing: int(c.coverage.failing),
    })],
  ["community_teams", "card_teams", (c) => `${int(c.community_teams.teams)} / ${int(c.community_teams.members)}`, (c) =>
    t("card_teams_sub", { teams: int(c.community_teams.teams), members: int(c.community_teams.members) })],
  ["training", "card_training", (c) => pct(c.training.attainment), (c) =>
    t("card_training_sub", {
      year: c.training.year,
      trained: int(c.training.trained),
      planned: int(c.training.planned_trainees),
    })],
  ["attrition", "card_attrition", (c) => pct(c.attrition.rate_12m), (c) =>
    t("card_attrition_sub", {
      departures: int(c.attrition.departures_12m),
      private: pct(c.attrition.private_sector_share),
    })],
  ["vacancies", "card_vacancies", (c) => int(c.vacancies.open), null],
  ["readiness", "card_readiness", (c) => dec(c.readiness.average_score), (c) =>
    t("card_readiness_sub", { teams: int(c.readiness.teams) })],
];

function cards(body) {
  return h(
    "div",
    { class: "cards" },
    CARDS.map(([id, key, value, sub]) =>
      h(
        "article",
        { class: "card", "data-card": id },
        h("h3", null, t(key)),
        h("p", { class: "value" }, value(body.cards)),
        sub ? h("p", { class: "sub" }, sub(body.cards)) : null,
      ),
    ),
  );
}

function trends(body) {
  const months = body.months ?? [];
  const count = (key) => ({ key, name: t(key) });
  return h(
    "div",
    { class: "charts" },
    chart({
      title: t("trend_headcount"),
      months,
      series: [count("headcount"), count("dedicated"), count("information_security")],
    }),
    chart({ title: t("trend_shares"), months, series: [count("dedicated_share"), count("trained_share")], percent: true }),
    chart({ title: t("trend_flows"), months, series: [count("departures"), count("hires")], kind: "bars" }),
  );
}

/** A table with a header row; `columns` are [message key, cell(row), numeric?]. */
function table(caption, columns, rows, rowAttrs = () => null) {
  if (!rows.length) return h("p", { class: "empty" }, t("no_rows"));
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      null,
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", null, h("tr", null, columns.map(([key, , num]) => h("th", { scope: "col", class: num ? "num" : null }, t(key))))),
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
}

/** Units in tree order (parents before their sub-units) with their depth, from unit_id/parent_id. */
function treeOrder(units) {
  const ids = new Set(units.map((u) => u.unit_id));
  const children = new Map();
  for (const u of units) {
    const parent = ids.has(u.parent_id) ? u.parent_id : null;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(u);
  }
  const out = [];
  const walk = (parent, depth) => {
    for (const u of children.get(parent) ?? []) {
      out.push({ ...u, depth });
      walk(u.unit_id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

function headcount(body) {
  const n = (field) => (u) => int(u.rolled_up[field]);
  return h(
    "div",
    null,
    h("p", { class: "note" }, t("table_headcount_note")),
    table(
      t("table_headcount"),
      [
        ["col_unit", (u) => h("span", { class: "indent", style: `--depth:${u.depth}` }, u.name_vi)],
        ["col_level", (u) => label("level", u.level)],
        ["headcount", n("total"), true],
        ["dedicated", n("dedicated"), true],
        ["concurrent", n("concurrent"), true],
        ["information_security", n("information_security"), true],
        ["it_technical", n("it_technical"), true],
        ["it_leader", n("it_leader"), true],
      ],
      treeOrder(body.units ?? []),
      (u) => ({ "data-unit": u.unit_id }),
    ),
  );
}

function coverage(body) {
  return h(
    "div",
    null,
    h("p", { class: "note" }, t("table_coverage_note")),
    table(
      t("table_coverage"),
      [
        ["col_unit", (a) => a.name_vi],
        ["col_kind", (a) => label("unit_kind", a.kind)],
        ["col_level", (a) => label("level", a.level)],
        ["col_missing", (a) => a.missing.map((m) => label("coverage_gap", m)).join("; ")],
      ],
      body.failing ?? [],
      (a) => ({ "data-unit": a.unit_id }),
    ),
  );
}

function teams(body) {
  return table(
    t("table_teams"),
    [
      ["col_commune", (c) => c.name_vi ?? c.commune_id],
      ["col_teams", (c) => int(c.teams), true],
      ["col_members", (c) => int(c.members), true],
    ],
    body.by_commune ?? [],
    (c) => ({ "data-unit": c.commune_id }),
  );
}

// id: the section's id suffix; table: the export's name (null = no export); title: the section heading.
export const PANELS = [
  { id: "overview", path: "/api/v1/overview", table: null, title: "overview", render: cards },
  { id: "trends", path: "/api/v1/trends", table: "trends", title: "trends", render: trends },
  { id: "headcount", path: "/api/v1/officers/headcount", table: "headcount", title: "table_headcount", render: headcount },
  { id: "coverage", path: "/api/v1/officers/coverage", table: "coverage", title: "table_coverage", render: coverage },
  { id: "teams", path: "/api/v1/community-teams", table: "community-teams", title: "table_teams", render: teams },
];
