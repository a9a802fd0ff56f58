// Inline SVG charts: each is an <svg role="img"> named by its <title> and summarised by its <desc>, with
// the same figures in a table underneath for screen readers and for anyone who wants the exact numbers.
import { h, s, uid } from "./dom.js";
import { int, month, pct, t } from "./i18n.js";

const W = 480;
const H = 260;
const M = { top: 14, right: 30, bottom: 34, left: 60 }; // right: room for the last month's label
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;

/**
 * months: the trend rows; series: [{key, name}] read off each row; kind "line" or "bars";
 * percent: values are fractions shown as percentages.
 */
export function chart({ title, months, series, kind = "line", percent = false }) {
  const fmt = percent ? pct : int;
  const data = series.map((x) => ({ ...x, values: months.map((m) => m[x.key] ?? null) }));
  const present = data.flatMap((x) => x.values).filter((v) => v != null);
  if (!months.length || !present.length) {
    return h("figure", { class: "chart" }, h("figcaption", null, title), h("p", { class: "empty" }, t("no_data")));
  }
  const top = niceMax(Math.max(...present), percent);
  const y = (v) => M.top + PLOT_H - (v / top) * PLOT_H;
  const titleId = uid("chart-title");
  const descId = uid("chart-desc");
  const svg = s(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${titleId} ${descId}`, class: "chart-svg" },
    s("title", { id: titleId }, title),
    s("desc", { id: descId }, describe(title, months, data, fmt)),
    axes(top, percent, months, y),
    kind === "bars" ? bars(data, months.length, y) : lines(data, months.length, y),
  );
  const legend = h(
    "ul",
    { class: "legend" },
    data.map((x, i) => h("li", null, h("span", { class: `swatch series-${i}`, "aria-hidden": "true" }), x.name)),
  );
  return h("figure", { class: "chart" }, h("figcaption", null, title), svg, legend, dataTable(months, data, fmt));
}

function niceMax(max, percent) {
  if (percent) return Math.min(1, Math.max(0.1, Math.ceil(max * 10) / 10));
  const raw = Math.max(max, 1) / 4;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((k) => k * pow).find((k) => k >= raw));
  return Math.ceil(max / step) * step || step;
}

function axes(top, percent, months, y) {
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * top).filter((v) => percent || Number.isInteger(v));
  const every = Math.ceil(months.length / 5); // at most ~5 month labels, counted back from the last one
  const band = PLOT_W / months.length;
  return s(
    "g",
    { class: "axes", "aria-hidden": "true" },
    ticks.map((v) =>
      s(
        "g",
        null,
        s("line", { x1: M.left, x2: W - M.right, y1: y(v), y2: y(v), class: "grid" }),
        s("text", { x: M.left - 6, y: y(v) + 4, "text-anchor": "end" }, percent ? pct(v) : int(v)),
      ),
    ),
    months
      .map((m, i) =>
        (months.length - 1 - i) % every === 0
          ? s("text", { x: M.left + band * (i + 0.5), y: H - 10, "text-anchor": "middle" }, month(m.month, true))
          : null,
      )
      .filter(Boolean),
  );
}

function lines(data, n, y) {
  const band = PLOT_W / n;
  const x = (i) => M.left + band * (i + 0.5);
  return data.map((series, k) => {
    // A missing month breaks the line instead of drawing a false slope across it.
    let d = "";
    let pen = "M";
    series.values.forEach((v, i) => {
      if (v == null) {
        pen = "M";
        return;
      }
      d += `${pen}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      pen = "L";
    });
    const dots = series.values.map((v, i) =>
      v == null ? null : s("circle", { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 3, class: `dot series-${k}` }),
    );
    return s("g", { "aria-hidden": "true" }, s("path", { d: d.trim(), class: `line series-${k}` }), dots);
  });
}

function bars(data, n, y) {
  const band = PLOT_W / n;
  const width = Math.max(1, (band * 0.8) / data.length);
  return data.map((series, k) =>
    s(
      "g",
      { "aria-hidden": "true" },
      series.values.map((v, i) =>
        v == null
          ? null
          : s("rect", {
              x: (M.left + band * i + band * 0.1 + width * k).toFixed(1),
              y: y(v).toFixed(1),
              width: width.toFixed(1),
              height: (M.top + PLOT_H - y(v)).toFixed(1),
              class: `bar series-${k}`,
            }),
      ),
    ),
  );
}

function describe(title, months, data, fmt) {
  const parts = data.map((x) => {
    const known = x.values.filter((v) => v != null);
    return t("trend_series_desc", {
      name: x.name,
      from: fmt(known[0] ?? null),
      to: fmt(known.at(-1) ?? null),
      max: fmt(known.length ? Math.max(...known) : null),
    });
  });
  return t("trend_desc", {
    title,
    first: month(months[0].month),
    last: month(months.at(-1).month),
    series: parts.join("; "),
  });
}

function dataTable(months, data, fmt) {
  return h(
    "details",
    { class: "chart-data" },
    h("summary", null, t("data_table")),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        null,
        h("thead", null, h("tr", null, h("th", { scope: "col" }, t("month")), data.map((x) => h("th", { scope: "col" }, x.name)))),
        h(
          "tbody",
          null,
          months.map((m, i) =>
            h(
              "tr",
              null,
              h("th", { scope: "row" }, month(m.month)),
              data.map((x) => h("td", { class: "num" }, fmt(x.values[i]))),
            ),
          ),
        ),
      ),
    ),
  );
}
