// Talking to the landreg API: the bearer token (this tab's session storage only) and problem+json errors.

const KEY = "landreg.token";

export const session = {
  get token() { return sessionStorage.getItem(KEY); },
  set(token) { sessionStorage.setItem(KEY, token); },
  clear() { sessionStorage.removeItem(KEY); },
};

/** An API refusal (RFC 9457 problem details) or a failure to reach the service. */
export class Problem extends Error {
  constructor(status, body) {
    super(body.detail || body.title || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** GET a path of this service with the token; resolves to the JSON body, rejects with a Problem. */
export async function get(path) {
  const headers = { Accept: "application/json, application/geo+json" };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  let response;
  try {
    response = await fetch(path, { headers, cache: "no-store" });
  } catch (error) {
    throw new Problem(0, { title: "The service did not answer", detail: String(error.message || error) });
  }
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) {
    const problem = body && typeof body === "object" ? body
      : { title: response.statusText || `HTTP ${response.status}`, detail: String(body || "").slice(0, 300) };
    throw new Problem(response.status, problem);
  }
  return body;
}

/** Every Feature of a paginated FeatureCollection query (following next_cursor), up to `most`. */
export async function allFeatures(path, { pageSize = 1000, most = 20000 } = {}) {
  const features = [];
  let cursor = "";
  do {
    const glue = path.includes("?") ? "&" : "?";
    const page = await get(`${path}${glue}limit=${pageSize}&cursor=${encodeURIComponent(cursor)}`);
    features.push(...page.features);
    cursor = page.next_cursor || "";
  } while (cursor && features.length < most);
  return { features, truncated: Boolean(cursor) };
}

/** Every Feature of an OGC API - Features items query, following its `next` links, up to `most`. */
export async function allOgcItems(path, { most = 5000 } = {}) {
  const features = [];
  let next = path;
  while (next && features.length < most) {
    const page = await get(next);
    features.push(...page.features);
    const link = (page.links || []).find((l) => l.rel === "next");
    next = link ? new URL(link.href, location.href).pathname + new URL(link.href, location.href).search : null;
  }
  return { features, truncated: Boolean(next) };
}

/** Which query a search text means, from its shape (NIB 13 digits, certificate 14, village 8, else holder). */
export function guessKind(text) {
  if (/^\d{13}$/.test(text)) return "nib";
  if (/^\d{14}$/.test(text)) return "certificate";
  if (/^\d{8}$/.test(text)) return "village";
  if (/^[\d-]+$/.test(text)) return "holder";
  return "holder_name";
}

export const q = encodeURIComponent;
