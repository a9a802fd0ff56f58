// GET a JSON view (or an export) with the session's bearer token; any failure (network, HTTP status, bad
// body) becomes an ApiError the panel shows. A 401 also tells the page the session is over.
import { token } from "./session.js";

export class ApiError extends Error {
  constructor(status, detail, url) {
    super(`${status} ${detail}`);
    this.status = status;
    this.detail = detail;
    this.url = url;
  }
}

let unauthorized = () => {};
/** What to do when the service answers 401 (the page shows "session expired" and the sign-in form). */
export function onUnauthorized(fn) {
  unauthorized = fn;
}

async function call(url, accept) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: accept, Authorization: `Bearer ${token() ?? ""}` } });
  } catch (error) {
    throw new ApiError(0, error.message, url);
  }
  if (!response.ok) {
    let detail = response.statusText;
    try {
      const body = await response.json(); // the service answers errors as application/problem+json
      detail = body.detail || body.title || detail;
    } catch {
      /* not JSON: keep the status text */
    }
    if (response.status === 401) unauthorized();
    throw new ApiError(response.status, detail, url);
  }
  return response;
}

export async function getJson(path, params) {
  const url = `${path}?${params}`;
  const response = await call(url, "application/json");
  try {
    return await response.json();
  } catch (error) {
    throw new ApiError(response.status, `invalid JSON: ${error.message}`, url);
  }
}

/** Fetch an export with the token and hand it to the browser as a download (a bare link would carry no
 * token). The file name is the one the service gives in Content-Disposition. */
export async function download(url, fallbackName) {
  const response = await call(url, "*/*");
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  const href = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), { href, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}
