// Who the dashboard reads as. Every figure comes from /api/v1, which needs a bearer token; the token lives
// in sessionStorage only (gone with the tab, never a cookie, never localStorage). It comes from:
// - the URL fragment of a link (`make demo` prints one: /dashboard/#token=...): a fragment is never sent
//   to any server, and it is removed from the address bar as soon as it is read;
// - the sign-in form, where a person pastes a token issued to them;
// - the province's identity provider, when the service names one (config.json): OpenID Connect's
//   authorization-code flow with PKCE (RFC 7636), all in the browser, no client secret.
const TOKEN = "cds-dashboard-token";
const FLOW = "cds-dashboard-oidc"; // {verifier, state, back} while the browser visits the provider

const store = {
  get: (k) => safe(() => sessionStorage.getItem(k)),
  set: (k, v) => safe(() => sessionStorage.setItem(k, v)),
  drop: (k) => safe(() => sessionStorage.removeItem(k)),
};

function safe(fn) {
  try {
    return fn();
  } catch {
    return null; // storage disabled: the person signs in again on each load
  }
}

/** The JWT's claims, or null when it is not a readable JWT. Only to read `exp`: the server verifies. */
export function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "=")));
  } catch {
    return null;
  }
}

/** A readable JWT that has not expired (a token without `exp` is left to the server to judge). */
export function usable(token) {
  const c = token ? claims(token) : null;
  return !!c && (typeof c.exp !== "number" || c.exp * 1000 > Date.now());
}

export const token = () => store.get(TOKEN);

export function signIn(value) {
  store.set(TOKEN, value.trim());
}

export function signOut() {
  store.drop(TOKEN);
}

/** Take `#token=` from the address, keep it for this tab, and remove it from the address bar and history. */
export function fromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const value = params.get("token");
  if (!value) return false;
  params.delete("token");
  const rest = params.toString();
  history.replaceState(history.state, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
  signIn(value);
  return true;
}

export async function config() {
  try {
    const response = await fetch("config.json");
    return response.ok ? await response.json() : { oidc: null };
  } catch {
    return { oidc: null };
  }
}

const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));
const redirectUri = () => `${location.origin}${location.pathname}`;

async function discover(oidc) {
  const response = await fetch(`${oidc.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the identity provider answered ${response.status}`);
  return response.json();
}

/** Leave for the identity provider's sign-in page (authorization code + PKCE S256). */
export async function startOidc(oidc) {
  const meta = await discover(oidc);
  const verifier = random(48);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const state = random(24);
  store.set(FLOW, JSON.stringify({ verifier, state, back: location.search }));
  const q = new URLSearchParams({
    response_type: "code",
    client_id: oidc.client_id,
    redirect_uri: redirectUri(),
    scope: oidc.scope,
    state,
    code_challenge: b64url(digest),
    code_challenge_method: "S256",
  });
  location.assign(`${meta.authorization_endpoint}?${q}`);
}

/** Back from the provider with ?code=&state=: exchange the code for a token. False when not returning. */
export async function finishOidc(oidc) {
  const q = new URLSearchParams(location.search);
  if (!oidc || !q.has("state") || !(q.has("code") || q.has("error"))) return false;
  const flow = JSON.parse(store.get(FLOW) ?? "null");
  store.drop(FLOW);
  history.replaceState(history.state, "", location.pathname + (flow?.back ?? ""));
  if (q.has("error")) throw new Error(q.get("error_description") || q.get("error"));
  if (!flow || flow.state !== q.get("state")) throw new Error("the sign-in answer does not match this browser's request");
  const meta = await discover(oidc);
  const response = await fetch(meta.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: q.get("code"),
      redirect_uri: redirectUri(),
      client_id: oidc.client_id,
      code_verifier: flow.verifier,
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) throw new Error(body.error_description || body.error || `${response.status}`);
  signIn(body.access_token);
  return true;
}
