// The "former province" filter (Tỉnh cũ): a select of the former provinces the service lists
// (the catalogue's "former-provinces" list, loaded once a session), sent to every view as `former_province`.
import { getJson } from "./api.js";
import { viewPath } from "./catalogue.js";
import { h } from "./dom.js";
import { lang, t } from "./i18n.js";

let provinces = []; // [{unit_id, name_vi, name_en, valid_from, valid_to}]

/** Load the list once; a failure leaves the select with "all" only (the rest of the page still works). */
export async function loadFormerProvinces() {
  if (provinces.length) return;
  try {
    provinces = (await getJson(viewPath("former-provinces"), new URLSearchParams())).former_provinces ?? [];
  } catch (error) {
    console.error("former provinces:", error);
  }
}

/** Fill `select` with "every area" and the former provinces; a chosen id the list lacks stays visible. */
export function renderFormerProvinces(select, chosen) {
  const opt = (value, text) => h("option", { value, selected: value === chosen }, text);
  const known = provinces.some((p) => p.unit_id === chosen);
  select.replaceChildren(
    opt("", t("all_former_provinces")),
    ...provinces.map((p) => opt(p.unit_id, `${(lang() === "en" && p.name_en) || p.name_vi} (${t("until")} ${p.valid_to})`)),
    ...(chosen && !known ? [opt(chosen, chosen)] : []),
  );
}
