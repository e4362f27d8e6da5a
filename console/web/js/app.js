// The console's entry: sign-in, navigation and the hash router. Pages are
// addressed as #/page/id?query so that reloading or sharing a link (which
// never carries the key) opens the same page.
import {h, mount, field, input, say, unsay, showErrors, clearErrors, fmtTime} from "./dom.js";
import {session, call, get, ApiError} from "./api.js";
import {mapPage, leaveMap} from "./map.js";
import {storesPage, storeForm, importPage, programsPage, programForm, beaconsPage, beaconForm, beaconDetail} from "./lists.js";
import {statsPage, leaveStats} from "./stats.js";

const view = document.getElementById("view");
const nav = document.getElementById("nav");
const who = document.getElementById("who");
const signout = document.getElementById("signout");

const MERCHANT_PAGES = [["map", "Map"], ["stores", "Stores"], ["programs", "Programs"], ["beacons", "Beacons"], ["stats", "Statistics"], ["shakes", "Shakes"]];
const ADMIN_PAGES = [["merchants", "Merchants"]];

function renderNav(active) {
  const pages = session.admin ? ADMIN_PAGES : MERCHANT_PAGES;
  mount(nav, h("ul", {}, pages.map(([p, label]) => h("li", {}, h("a", {href: "#/" + p, "aria-current": p === active ? "page" : null}, label)))));
  nav.hidden = false;
  signout.hidden = false;
  who.textContent = session.admin ? "Administrator" : "Merchant";
}

// signIn checks the token before keeping it: a merchant key lists stores;
// the admin token is told by POST /v1/merchants with an empty body, which
// is a 400 (the token was accepted) and creates nothing.
async function signIn(token) {
  if (token.startsWith("mk_")) {
    await call("GET", "/v1/stores?limit=1", undefined, {token});
    session.set(token, false);
    return;
  }
  try {
    await call("POST", "/v1/merchants", {}, {token});
  } catch (e) {
    if (e instanceof ApiError && e.status === 400) { session.set(token, true); return; }
    throw e;
  }
  throw new Error("unexpected answer");
}

function signInPage() {
  nav.hidden = true;
  signout.hidden = true;
  who.textContent = "";
  const tok = input({type: "password", autocomplete: "current-password", spellcheck: "false"});
  const form = h("form", {class: "form signin", novalidate: true},
    h("h1", {}, "Sign in"),
    h("p", {}, "Sign in with your merchant API key (mk_…), or with the administrator token to create merchants. The key stays in this tab only."),
    h("p", {class: "form-error", role: "alert", hidden: true}),
    field("API key or admin token", "token", tok),
    h("div", {class: "form-actions"}, h("button", {type: "submit", class: "primary"}, "Sign in")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const t = tok.value.trim();
    if (!t) { showErrors(form, {errors: [{field: "token", message: "is required"}]}); return; }
    try {
      await signIn(t);
      go(session.admin ? "#/merchants" : "#/map");
    } catch (err) {
      const msg = err.status === 401 || err.status === 403 ? "is not a valid key or token" : err.message;
      showErrors(form, {errors: [{field: "token", message: msg}]});
    }
  });
  mount(view, form);
  tok.focus();
}

function merchantsPage() {
  const name = input({autocomplete: "off"});
  const result = h("div", {id: "merchant-result"});
  const form = h("form", {class: "form", novalidate: true},
    h("p", {class: "form-error", role: "alert", hidden: true}),
    field("Merchant name", "name", name),
    h("div", {class: "form-actions"}, h("button", {type: "submit", class: "primary"}, "Create merchant")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      const m = await call("POST", "/v1/merchants", {name: name.value.trim() || undefined});
      const key = input({value: m.api_key, readonly: true, id: "api-key", class: "secret"});
      mount(result, h("div", {class: "card once"},
        h("h2", {}, "Merchant " + m.name + " created"),
        h("p", {}, "Its API key is shown only now: hand it to the merchant; it cannot be shown again."),
        h("label", {for: "api-key"}, "API key"), key, h("p", {class: "muted"}, "Id " + m.id)));
      key.focus();
      key.select();
      form.reset();
    } catch (err) { showErrors(form, err); }
  });
  mount(view, h("h1", {}, "Merchants"), form, result);
}

function shakesPage(query) {
  const ticket = input({value: query.get("ticket") || "", spellcheck: "false", placeholder: "ticket from POST /v1/shake"});
  const out = h("div", {id: "shake-out"});
  const form = h("form", {class: "form inline-form", novalidate: true},
    h("p", {class: "form-error", role: "alert", hidden: true}),
    field("Ticket", "ticket", ticket),
    h("div", {class: "form-actions"}, h("button", {type: "submit", class: "primary"}, "Look up")));
  async function look() {
    clearErrors(form);
    mount(out);
    const t = ticket.value.trim();
    if (!t) return;
    try {
      const s = await get("/v1/shakes/" + encodeURIComponent(t));
      const rows = [["Ticket", s.ticket], ["When", fmtTime(s.at)], ["Device (pseudonym)", s.device_id],
        ["Beacon", s.beacon_id ? h("a", {href: "#/beacons/" + s.beacon_id}, s.beacon_id) : "—"],
        ["Store", s.store_id ? h("a", {href: "#/map?store=" + s.store_id}, s.store_id) : "—"],
        ["Program", s.program_id || "—"], ["Distance", s.distance_m != null ? s.distance_m.toFixed(1) + " m" : "—"],
        ["Proximity", s.proximity], ["Chosen by", s.fallback ? "nearby programs (no beacon heard)" : "nearest beacon"]];
      if (s.presence) rows.push(["Presence", s.presence]);
      mount(out, h("dl", {class: "kv card"}, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])));
    } catch (err) {
      showErrors(form, err.status === 404 ? {errors: [{field: "ticket", message: "no shake of your beacons has this ticket"}]} : err);
    }
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    history.replaceState(null, "", "#/shakes?ticket=" + encodeURIComponent(ticket.value.trim()));
    look();
  });
  mount(view, h("h1", {}, "Shakes"), form, out);
  look();
}

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, q] = raw.split("?");
  return {parts: path.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q || "")};
}

async function route() {
  unsay();
  leaveMap();
  leaveStats();
  if (!session.token) { signInPage(); return; }
  const {parts, query} = parseHash();
  const [page = session.admin ? "merchants" : "map", id, sub] = parts;
  renderNav(page);
  document.title = "Nearby console — " + page;
  try {
    if (session.admin) merchantsPage();
    else switch (page) {
      case "map": await mapPage(view, query); break;
      case "stores":
        if (id === "new") await storeForm(view);
        else if (id === "import") importPage(view);
        else if (id && sub === "edit") await storeForm(view, id);
        else storesPage(view);
        break;
      case "programs":
        if (id === "new") await programForm(view);
        else if (id && sub === "edit") await programForm(view, id);
        else programsPage(view);
        break;
      case "beacons":
        if (id === "new") await beaconForm(view, "", query);
        else if (id && sub === "edit") await beaconForm(view, id, query);
        else if (id) await beaconDetail(view, id);
        else beaconsPage(view);
        break;
      case "stats": await statsPage(view, query); break;
      case "shakes": shakesPage(query); break;
      default: mount(view, h("h1", {}, "Not found"), h("p", {}, h("a", {href: "#/map"}, "Open the map")));
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { session.clear(); signInPage(); say("Your key was refused: sign in again.", true); return; }
    say(e.message, true);
    if (!(e instanceof ApiError)) console.error(e); // a bug: let it show
  }
  view.dataset.page = page;
  view.dataset.ready = String(Date.now());
}

signout.addEventListener("click", () => {
  session.clear();
  go("#/");
});

// go opens a page, also when its hash is already the current one.
function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}
window.addEventListener("hashchange", route);
route();
