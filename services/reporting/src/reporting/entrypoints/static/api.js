// GET a JSON view; any failure (network, HTTP status, bad body) becomes an ApiError the panel shows.
export class ApiError extends Error {
  constructor(status, detail, url) {
    super(`${status} ${detail}`);
    this.status = status;
    this.detail = detail;
    this.url = url;
  }
}

export async function getJson(path, params) {
  const url = `${path}?${params}`;
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" } });
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
    throw new ApiError(response.status, detail, url);
  }
  try {
    return await response.json();
  } catch (error) {
    throw new ApiError(response.status, `invalid JSON: ${error.message}`, url);
  }
}
