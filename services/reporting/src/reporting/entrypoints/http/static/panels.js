// What each panel reads and how it draws it. A panel's render gets the view's JSON body and returns a node.
import { chart } from "./charts.js";
import { h } from "./dom.js";
import { attritionMonths, attritionUnits, trainedShare, vacancies } from "./flows.js";
import { dec, int, label, pct, t } from "./i18n.js";
import { table, unitCell } from "./table.js";
import { unitName } from "./units.js";

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
        [t("col_unit"), (u) => unitCell(u, u.depth)],
        [t("col_level"), (u) => label("level", u.level)],
        [t("headcount"), n("total"), true],
        [t("dedicated"), n("dedicated"), true],
        [t("concurrent"), n("concurrent"), true],
        [t("information_security"), n("information_security"), true],
        [t("it_technical"), n("it_technical"), true],
        [t("it_leader"), n("it_leader"), true],
      ],
      treeOrder(body.units ?? []),
      { rowAttrs: (u) => ({ "data-unit": u.unit_id }) },
    ),
  );
}

/** Every agency in scope, the failing ones first: the same agencies as the coverage export. */
function coverage(body) {
  const all = body.agencies ?? body.failing ?? []; // older bodies list only the failing (the export does the same)
  const rows = [...all.filter((a) => !a.compliant), ...all.filter((a) => a.compliant)];
  const failing = rows.filter((a) => !a.compliant).length;
  const verdict = (a) =>
    h("span", { class: a.compliant ? "badge badge-ok" : "badge badge-failing" }, t(a.compliant ? "compliant" : "failing"));
  return h(
    "div",
    null,
    h("p", { class: "note" }, t("table_coverage_note")),
    table(
      t("table_coverage_caption", { agencies: int(rows.length), failing: int(failing) }),
      [
        [t("col_unit"), (a) => unitName(a)],
        [t("col_compliance"), verdict],
        [t("col_missing"), (a) => a.missing.map((m) => label("coverage_gap", m)).join("; ")],
        [t("col_kind"), (a) => label("unit_kind", a.kind)],
        [t("col_level"), (a) => label("level", a.level)],
      ],
      rows,
      {
        rowAttrs: (a) => ({ "data-unit": a.unit_id, class: a.compliant ? null : "failing" }),
        shownCaption: true,
      },
    ),
  );
}

function teams(body) {
  return table(
    t("table_teams"),
    [
      [t("col_commune"), (c) => unitName(c, c.commune_id)],
      [t("col_teams"), (c) => int(c.teams), true],
      [t("col_members"), (c) => int(c.members), true],
    ],
    body.by_commune ?? [],
    { rowAttrs: (c) => ({ "data-unit": c.commune_id }) },
  );
}

// id: the section's id suffix; view: the catalogue's view it reads (/api/v1/catalogue); table: the export
// offered (one of that view's tables, null = none); title: the section heading.
export const PANELS = [
  { id: "overview", view: "overview", table: null, title: "overview", render: cards },
  { id: "trends", view: "trends", table: "trends", title: "trends", render: trends },
  { id: "headcount", view: "headcount", table: "headcount", title: "table_headcount", render: headcount },
  { id: "coverage", view: "coverage", table: "coverage", title: "table_coverage", render: coverage },
  { id: "teams", view: "community-teams", table: "community-teams", title: "table_teams", render: teams },
  // The two attrition panels read one view (one request, see app.js) and export its two tables.
  {
    id: "attrition-months",
    view: "attrition",
    table: "attrition-months",
    title: "table_attrition_months",
    render: attritionMonths,
  },
  {
    id: "attrition-units",
    view: "attrition",
    table: "attrition-units",
    title: "table_attrition_units",
    render: attritionUnits,
  },
  {
    id: "trained-share",
    view: "trained-share",
    table: "trained-share",
    title: "table_trained_share",
    render: trainedShare,
  },
  { id: "vacancies", view: "vacancies", table: "vacancies", title: "table_vacancies", render: vacancies },
];
