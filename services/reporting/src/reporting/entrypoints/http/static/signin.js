// The sign-in step shown instead of the figures: paste a token, or (when the service names an identity
// provider) sign in there; "session expired" when the service refused the token the page had.
import { h } from "./dom.js";
import { t, translate } from "./i18n.js";
import * as session from "./session.js";

const $ = (id) => document.getElementById(id);
let showing = null; // the pending sign-in, so several 401s at once show one form

function hideFigures(hidden) {
  for (const id of ["filters", "main"]) $(id).hidden = hidden;
  $("sign-out").hidden = hidden;
}

/** Show the form; resolves once a usable token is stored. `reason`: "expired", or an error message. */
export function showSignIn(oidc, reason = null) {
  if (showing) return showing;
  hideFigures(true);
  showing = new Promise((resolve) => {
    const problem = h("p", { class: "error", role: "alert", id: "sign-in-error", hidden: true });
    const fail = (text) => {
      problem.hidden = false;
      problem.textContent = text;
    };
    const input = h("textarea", { id: "token-input", name: "token", autocomplete: "off", spellcheck: "false", required: true });
    const form = h(
      "form",
      {
        onsubmit: (e) => {
          e.preventDefault();
          if (!session.usable(input.value.trim())) return fail(t("token_unreadable"));
          session.signIn(input.value);
          done();
        },
      },
      h("label", { for: "token-input", "data-i18n": "sign_in_token" }),
      input,
      h("button", { type: "submit", class: "btn", "data-i18n": "sign_in_submit" }),
    );
    const provider = oidc
      ? h("button", {
          type: "button",
          class: "btn",
          id: "sign-in-oidc",
          "data-i18n": "sign_in_oidc",
          onclick: () => session.startOidc(oidc).catch((err) => fail(t("sign_in_failed", { detail: err.message }))),
        })
      : null;
    const section = h(
      "section",
      { id: "sign-in", class: "sign-in", "aria-labelledby": "sign-in-title" },
      h("h2", { id: "sign-in-title", "data-i18n": "sign_in_title" }),
      reason === "expired" ? h("p", { class: "notice", role: "alert", id: "session-expired", "data-i18n": "session_expired" }) : null,
      h("p", { "data-i18n": "sign_in_intro" }),
      provider,
      provider ? h("p", { class: "or" }, "—") : null,
      form,
      problem,
    );
    const done = () => {
      section.remove();
      hideFigures(false);
      showing = null;
      resolve();
    };
    $("sign-in-slot").replaceChildren(section);
    translate(section);
    if (reason && reason !== "expired") fail(t("sign_in_failed", { detail: reason }));
    (provider ?? input).focus();
  });
  return showing;
}

export const signingIn = () => showing !== null;
