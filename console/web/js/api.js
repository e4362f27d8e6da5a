// The /v1 API as the console calls it: the key lives in sessionStorage
// (gone when the tab closes) and travels only in the Authorization header.

const KEY = "nearby.token";

export const session = {
  get token() { return sessionStorage.getItem(KEY) || ""; },
  get admin() { return sessionStorage.getItem(KEY + ".admin") === "1"; },
  set(token, admin) {
    sessionStorage.setItem(KEY, token);
    sessionStorage.setItem(KEY + ".admin", admin ? "1" : "0");
  },
  clear() { sessionStorage.removeItem(KEY); sessionStorage.removeItem(KEY + ".admin"); },
};

// ApiError carries a problem+json answer: status, title, detail, errors[].
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || "HTTP " + status);
    this.status = status;
    this.title = problem.title || "";
    this.detail = problem.detail || "";
    this.errors = problem.errors || [];
  }
}

async function problemOf(res) {
  try {
    return await res.json();
  } catch {
    return {title: res.statusText};
  }
}

// call sends a request; body is JSON unless it is a string (sent with type).
export async function call(method, path, body, {token = session.token, type} = {}) {
  const headers = {Accept: "application/json"};
  if (token) headers.Authorization = "Bearer " + token;
  let payload;
  if (typeof body === "string") {
    payload = body;
    headers["Content-Type"] = type || "text/plain";
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["Content-Type"] = "application/json";
  }
  const res = await fetch(path, {method, headers, body: payload, cache: "no-store", credentials: "omit"});
  if (!res.ok) throw new ApiError(res.status, await problemOf(res));
  if (res.status === 204) return null;
  return res.json();
}

export const get = (path) => call("GET", path);

// all pages through a list route; at most max items.
export async function all(path, max = 10000) {
  const out = [];
  let cursor = "";
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page = await get(path + sep + "limit=100" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));
    out.push(...(page.items || []));
    cursor = page.next_cursor || "";
  } while (cursor && out.length < max);
  return out;
}

// qs builds a query string from the set values of obj.
export function qs(obj) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(obj)) if (v !== "" && v !== undefined && v !== null) p.set(k, v);
  const s = p.toString();
  return s ? "?" + s : "";
}
