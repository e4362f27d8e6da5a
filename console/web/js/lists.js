// The stores, programs and beacons pages: lists with paging and a filter
// box, and the create/edit forms that show the API's own messages next to
// each field.
import {h, mount, field, input, select, showErrors, clearErrors, say, ago, fmtTime} from "./dom.js";
import {call, get, all, qs, ApiError} from "./api.js";
import {beaconHealth} from "./health.js";

const PAGE = 20;

// listPage renders a paged list of path with a filter over the shown page
// (the API's lists have no search parameter).
export function listPage(view, {title, path, columns, actions, rowKey, filterText, buttons = []}) {
  // cursors[i] is the cursor of page i+1; the last is the page shown.
  const cursors = [""];
  let items = [], nextCursor = "";
  const filter = input({type: "search", placeholder: "Filter this page", autocomplete: "off"});
  const tbody = h("tbody");
  const prev = h("button", {type: "button", disabled: true, onclick: () => { cursors.pop(); load(); }}, "← Previous");
  const next = h("button", {type: "button", disabled: true, onclick: () => { cursors.push(nextCursor); load(); }}, "Next →");
  const pageInfo = h("span", {class: "muted"});

  function render() {
    const q = filter.value.trim().toLowerCase();
    const shown = q ? items.filter((it) => filterText(it).toLowerCase().includes(q)) : items;
    mount(tbody, shown.length ? shown.map((it) => h("tr", {"data-id": rowKey(it)},
      columns.map(([head, f]) => h("td", {"data-label": head}, f(it))), h("td", {class: "actions"}, actions(it, () => load())))) :
      h("tr", {}, h("td", {colspan: columns.length + 1, class: "muted"}, q ? "Nothing on this page matches." : "None yet.")));
  }
  async function load() {
    try {
      const page = await get(path + qs({limit: PAGE, cursor: cursors[cursors.length - 1]}));
      items = page.items || [];
      nextCursor = page.next_cursor || "";
      next.disabled = !nextCursor;
      prev.disabled = cursors.length <= 1;
      pageInfo.textContent = "Page " + cursors.length;
      render();
    } catch (e) { say(e.message, true); }
  }
  filter.addEventListener("input", render);
  mount(view,
    h("div", {class: "page-head"}, h("h1", {}, title), h("div", {class: "toolbar"}, ...buttons)),
    h("div", {class: "field inline"}, h("label", {for: "list-filter"}, "Search"), Object.assign(filter, {id: "list-filter"})),
    h("div", {class: "table-wrap as-cards"}, h("table", {class: "list"},
      h("thead", {}, h("tr", {}, columns.map(([head]) => h("th", {scope: "col"}, head)), h("th", {scope: "col"}, h("span", {class: "sr-only"}, "Actions")))),
      tbody)),
    h("div", {class: "pager"}, prev, pageInfo, next));
  load();
}

// deleteButton asks once more before deleting (no native dialogs).
export function deleteButton(path, what, done) {
  const b = h("button", {type: "button", class: "danger"}, "Delete");
  b.addEventListener("click", async () => {
    if (b.dataset.armed !== "1") {
      b.dataset.armed = "1";
      b.textContent = "Confirm delete";
      setTimeout(() => { b.dataset.armed = ""; b.textContent = "Delete"; }, 4000);
      return;
    }
    try {
      await call("DELETE", path);
      say(what + " deleted");
      done(true);
    } catch (e) { say(e.message, true); }
  });
  return b;
}

const link = (href, text, cls) => h("a", {href, class: cls || null}, text);

// form wraps fields with a submit button; submit(form) returns the body or
// throws an ApiError-shaped {errors} for problems found before sending.
function formPage(view, title, fields, {submitLabel, send, done}) {
  const form = h("form", {novalidate: true, class: "form"},
    h("p", {class: "form-error", role: "alert", hidden: true}),
    fields,
    h("div", {class: "form-actions"}, h("button", {type: "submit", class: "primary"}, submitLabel),
      h("button", {type: "button", onclick: () => history.back()}, "Cancel")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const btn = form.querySelector("button[type=submit]");
    btn.disabled = true;
    try {
      const out = await send(form);
      done(out, form);
    } catch (err) {
      if (err instanceof ApiError || err.errors) showErrors(form, err);
      else showErrors(form, {message: err.message, errors: []});
    } finally { btn.disabled = false; }
  });
  mount(view, h("h1", {}, title), form);
  const first = form.querySelector("input, select, textarea");
  if (first) first.focus();
  return form;
}

const val = (form, name) => (form.elements[name] ? form.elements[name].value.trim() : "");
const num = (form, name) => { const v = val(form, name); return v === "" ? undefined : Number(v); };

class FormErrors extends Error {
  constructor(errors) { super("Please correct the marked fields."); this.errors = errors; }
}

// ---- stores

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

function storeText(s) { return [s.name, s.category, s.address, (s.tags || []).join(" ")].join(" "); }

export function storesPage(view) {
  listPage(view, {
    title: "Stores", path: "/v1/stores", rowKey: (s) => s.id, filterText: storeText,
    buttons: [link("#/stores/new", "New store", "btn primary"), link("#/stores/import", "Import CSV/GeoJSON", "btn")],
    columns: [
      ["Name", (s) => s.name],
      ["Category", (s) => s.category],
      ["Address", (s) => s.address || ""],
      ["Location", (s) => s.lat.toFixed(5) + ", " + s.lng.toFixed(5)],
    ],
    actions: (s, reload) => [link("#/stores/" + s.id + "/edit", "Edit", "btn"), link("#/stats?store=" + s.id, "Statistics", "btn"),
      deleteButton("/v1/stores/" + s.id, "Store", reload)],
  });
}

export async function storeForm(view, id) {
  let s = {name: "", category: "", lat: "", lng: "", address: "", timezone: "", hours: {}, tags: []};
  if (id) {
    try { s = await get("/v1/stores/" + id); } catch (e) { say(e.message, true); return; }
  }
  const hoursText = (d) => ((s.hours || {})[d] || []).map((r) => r.join("-")).join(", ");
  const fields = [
    field("Name", "name", input({value: s.name, autocomplete: "off"})),
    field("Category", "category", input({value: s.category})),
    h("div", {class: "row"},
      field("Latitude", "lat", input({type: "number", step: "any", value: s.lat})),
      field("Longitude", "lng", input({type: "number", step: "any", value: s.lng}))),
    field("Address", "address", input({value: s.address || ""})),
    field("Time zone", "timezone", input({value: s.timezone || "", placeholder: "Europe/London"}), "IANA name; the hours are in this zone."),
    field("Tags", "tags", input({value: (s.tags || []).join(", ")}), "Comma-separated."),
    h("fieldset", {class: "hours"}, h("legend", {}, "Opening hours"),
      h("p", {class: "hint"}, "Per day, e.g. 09:00-12:00, 13:00-21:00; empty: closed."),
      h("div", {class: "grid-days"}, DAYS.map((d) => field(d, "hours." + d, input({value: hoursText(d), placeholder: "09:00-21:00"}))))),
  ];
  formPage(view, id ? "Edit store" : "New store", fields, {
    submitLabel: id ? "Save" : "Create store",
    send: (form) => {
      const hours = {};
      const errs = [];
      for (const d of DAYS) {
        const v = val(form, "hours." + d);
        if (!v) continue;
        hours[d] = v.split(",").map((r) => r.trim().split("-").map((t) => t.trim()));
        if (hours[d].some((r) => r.length !== 2 || r.some((t) => !/^\d\d:\d\d$/.test(t)))) errs.push({field: "hours." + d, message: "must be ranges like 09:00-21:00"});
      }
      if (errs.length) throw new FormErrors(errs);
      const tags = val(form, "tags").split(",").map((t) => t.trim()).filter(Boolean);
      const body = {name: val(form, "name") || undefined, category: val(form, "category") || undefined,
        lat: num(form, "lat"), lng: num(form, "lng"), address: val(form, "address"), timezone: val(form, "timezone"),
        hours: Object.keys(hours).length ? hours : undefined, tags: tags.length ? tags : undefined};
      return id ? call("PUT", "/v1/stores/" + id, body) : call("POST", "/v1/stores", body);
    },
    done: (st) => { say("Store " + (id ? "saved" : "created") + ": " + st.name); location.hash = "#/map?store=" + st.id; },
  });
}

// ---- import

const CHUNK = 500;

// splitCSV cuts CSV text into its header and records, keeping quoted line
// breaks inside their record; blank lines are dropped as the server does.
export function splitCSV(text) {
  const recs = [];
  let start = 0, quoted = false;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if ((c === "\n" || c === undefined) && !quoted) {
      const rec = text.slice(start, i).replace(/\r$/, "");
      if (rec.trim() !== "") recs.push(rec);
      start = i + 1;
    }
  }
  return {header: recs[0] || "", records: recs.slice(1)};
}

export function importPage(view) {
  const file = h("input", {type: "file", accept: ".csv,.geojson,.json,text/csv,application/geo+json"});
  const category = input({});
  const progress = h("progress", {id: "import-progress", max: 1, value: 0});
  const progressText = h("span", {id: "import-progress-text", class: "muted"}, "");
  const summary = h("p", {id: "import-summary"});
  const failedBody = h("tbody");
  const failed = h("div", {class: "table-wrap", hidden: true}, h("table", {class: "list", id: "import-failed"},
    h("caption", {}, "Rows that failed"),
    h("thead", {}, h("tr", {}, h("th", {scope: "col"}, "Row"), h("th", {scope: "col"}, "Error"))), failedBody));
  const form = h("form", {class: "form", novalidate: true},
    h("p", {class: "form-error", role: "alert", hidden: true}),
    field("File (CSV with a header row name,lat,lng,category; or a GeoJSON FeatureCollection)", "file", file),
    field("Category for rows without one", "category", category),
    h("div", {class: "form-actions"}, h("button", {type: "submit", class: "primary"}, "Import")),
    h("div", {class: "progress"}, h("label", {for: "import-progress"}, "Progress"), progress, progressText));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const f = file.files[0];
    if (!f) { showErrors(form, {errors: [{field: "file", message: "choose a file"}]}); return; }
    const text = await f.text();
    const geo = /\.(geo)?json$/i.test(f.name) || text.trimStart().startsWith("{");
    let chunks, total;
    try {
      if (geo) {
        const fc = JSON.parse(text);
        const feats = Array.isArray(fc.features) ? fc.features : [];
        total = feats.length;
        chunks = [];
        for (let i = 0; i < feats.length; i += CHUNK) chunks.push({offset: i, n: Math.min(CHUNK, feats.length - i), body: JSON.stringify({type: "FeatureCollection", features: feats.slice(i, i + CHUNK)})});
        if (!chunks.length) chunks.push({offset: 0, n: 0, body: text});
      } else {
        const {header, records} = splitCSV(text);
        total = records.length;
        chunks = [];
        for (let i = 0; i < records.length; i += CHUNK) chunks.push({offset: i, n: Math.min(CHUNK, records.length - i), body: header + "\n" + records.slice(i, i + CHUNK).join("\n") + "\n"});
        if (!chunks.length) chunks.push({offset: 0, n: 0, body: text});
      }
    } catch (err) {
      showErrors(form, {errors: [{field: "file", message: "cannot be read: " + err.message}]});
      return;
    }
    progress.max = Math.max(total, 1);
    progress.value = 0;
    mount(failedBody);
    failed.hidden = true;
    let imported = 0, failedCount = 0, done = 0;
    const btn = form.querySelector("button[type=submit]");
    btn.disabled = true;
    try {
      for (const c of chunks) {
        const res = await call("POST", "/v1/stores/import" + qs({category: category.value.trim()}), c.body,
          {type: geo ? "application/geo+json" : "text/csv"});
        imported += res.imported;
        failedCount += res.failed_count ?? res.failed.length;
        for (const fr of res.failed) failedBody.append(h("tr", {}, h("td", {}, String(c.offset + fr.row)), h("td", {}, fr.error)));
        if (res.error) failedBody.append(h("tr", {}, h("td", {}, String(c.offset + res.error.row)), h("td", {}, res.error.message)));
        done += c.n;
        progress.value = done;
        progressText.textContent = done + " of " + total + " rows";
        failed.hidden = failedBody.children.length === 0;
        if (res.truncated) break;
      }
      summary.textContent = imported + " imported, " + failedCount + " failed.";
    } catch (err) {
      showErrors(form, err);
    } finally { btn.disabled = false; }
  });
  mount(view, h("h1", {}, "Import stores"), form, summary, failed);
}

// ---- programs

export function programsPage(view) {
  listPage(view, {
    title: "Mini-programs", path: "/v1/programs", rowKey: (p) => p.id,
    filterText: (p) => [p.name, p.app_id, p.category, p.description].join(" "),
    buttons: [link("#/programs/new", "New program", "btn primary")],
    columns: [["Name", (p) => p.name], ["App id", (p) => p.app_id], ["Category", (p) => p.category], ["Stores", (p) => String(p.store_ids.length)]],
    actions: (p, reload) => [link("#/programs/" + p.id + "/edit", "Edit", "btn"), deleteButton("/v1/programs/" + p.id, "Program", reload)],
  });
}

const GENDERS = ["female", "male", "other"];
const OSES = ["ios", "android", "harmonyos"];

function checks(name, values, chosen) {
  return h("fieldset", {class: "checks"}, h("legend", {}, name),
    values.map((v) => h("label", {}, h("input", {type: "checkbox", name: "targeting." + name, value: v, checked: (chosen || []).includes(v)}), " " + v)),
    h("p", {class: "field-error", "data-error-for": "targeting." + name}));
}

export async function programForm(view, id) {
  let p = {app_id: "", name: "", category: "", description: "", icon_url: "", store_ids: [], targeting: null};
  let stores;
  try {
    [stores, p] = await Promise.all([all("/v1/stores", 2000), id ? get("/v1/programs/" + id) : p]);
  } catch (e) { say(e.message, true); return; }
  const t = p.targeting || {};
  const storeSel = h("select", {multiple: true, size: Math.min(8, Math.max(3, stores.length))},
    stores.map((s) => h("option", {value: s.id, selected: p.store_ids.includes(s.id)}, s.name + " — " + (s.address || s.category))));
  const fields = [
    field("App id", "app_id", input({value: p.app_id})),
    field("Name", "name", input({value: p.name})),
    field("Category", "category", input({value: p.category})),
    field("Description", "description", h("textarea", {rows: 2}, p.description || "")),
    field("Icon URL", "icon_url", input({type: "url", value: p.icon_url || ""})),
    field("Stores", "store_ids", storeSel, "The program is found nearby at each of these stores."),
    h("fieldset", {}, h("legend", {}, "Targeting (optional)"),
      h("div", {class: "row"}, field("Minimum age", "targeting.age_min", input({type: "number", value: t.age_min ?? ""})),
        field("Maximum age", "targeting.age_max", input({type: "number", value: t.age_max ?? ""}))),
      checks("genders", GENDERS, t.genders), checks("os", OSES, t.os)),
  ];
  formPage(view, id ? "Edit mini-program" : "New mini-program", fields, {
    submitLabel: id ? "Save" : "Create program",
    send: (form) => {
      const picked = (n) => [...form.querySelectorAll(`input[name="targeting.${n}"]:checked`)].map((c) => c.value);
      const targeting = {age_min: num(form, "targeting.age_min"), age_max: num(form, "targeting.age_max")};
      if (picked("genders").length) targeting.genders = picked("genders");
      if (picked("os").length) targeting.os = picked("os");
      const anyT = Object.values(targeting).some((v) => v !== undefined);
      const body = {app_id: val(form, "app_id") || undefined, name: val(form, "name") || undefined, category: val(form, "category") || undefined,
        description: val(form, "description"), icon_url: val(form, "icon_url"),
        store_ids: [...storeSel.selectedOptions].map((o) => o.value), targeting: anyT ? targeting : undefined};
      return id ? call("PUT", "/v1/programs/" + id, body) : call("POST", "/v1/programs", body);
    },
    done: (pg) => { say("Program " + (id ? "saved" : "created") + ": " + pg.name); location.hash = "#/programs"; },
  });
}

// ---- beacons

export function beaconsPage(view) {
  listPage(view, {
    title: "Beacons", path: "/v1/beacons", rowKey: (b) => b.id,
    filterText: (b) => [b.label, b.uuid, b.status, b.store_id, b.major, b.minor].join(" "),
    buttons: [link("#/beacons/new", "New beacon", "btn primary")],
    columns: [
      ["Label", (b) => link("#/beacons/" + b.id, b.label || b.id)],
      ["Identity", (b) => b.uuid + " " + b.major + "/" + b.minor],
      ["Status", (b) => b.status],
      ["Health", (b) => { const hl = beaconHealth(b); return h("span", {class: "dot " + hl.level}, hl.text); }],
    ],
    actions: (b, reload) => [link("#/beacons/" + b.id + "/edit", "Edit", "btn"), link("#/stats?beacon=" + b.id, "Statistics", "btn"),
      deleteButton("/v1/beacons/" + b.id, "Beacon", reload)],
  });
}

export async function beaconForm(view, id, query) {
  let b = {store_id: query.get("store") || "", label: "", tx_power: "", status: "active", page: null};
  let stores, programs;
  try {
    [stores, programs, b] = await Promise.all([all("/v1/stores", 2000), all("/v1/programs", 2000), id ? get("/v1/beacons/" + id) : b]);
  } catch (e) { say(e.message, true); return; }
  const pg = b.page || {};
  const fields = [
    field("Store", "store_id", select([["", "— choose a store —"], ...stores.map((s) => [s.id, s.name + " — " + (s.address || s.category)])], b.store_id)),
    field("Label", "label", input({value: b.label || ""})),
    h("div", {class: "row"},
      field("TX power (dBm at 1 m)", "tx_power", input({type: "number", value: b.tx_power ?? ""}), "Empty: the default."),
      field("Status", "status", select([["active", "active"], ["inactive", "inactive"], ["decommissioned", "decommissioned"]], b.status))),
    h("fieldset", {}, h("legend", {}, "Page shown on a shake (optional)"),
      field("Mini-program", "page.program_id", select([["", "— none —"], ...programs.map((p) => [p.id, p.name])], pg.program_id || "")),
      field("Path", "page.path", input({value: pg.path || ""})),
      field("Title", "page.title", input({value: pg.title || ""}))),
    h("details", {}, h("summary", {}, "Existing hardware: its own identity"),
      field("UUID", "uuid", input({value: id ? b.uuid : ""})),
      h("div", {class: "row"}, field("Major", "major", input({type: "number", value: id ? b.major : ""})),
        field("Minor", "minor", input({type: "number", value: id ? b.minor : ""})))),
  ];
  formPage(view, id ? "Edit beacon" : "New beacon", fields, {
    submitLabel: id ? "Save" : "Create beacon",
    send: (form) => {
      const body = {store_id: val(form, "store_id") || undefined, label: val(form, "label"), tx_power: num(form, "tx_power"), status: val(form, "status")};
      if (val(form, "page.program_id")) body.page = {program_id: val(form, "page.program_id"), path: val(form, "page.path"), title: val(form, "page.title")};
      if (val(form, "uuid") || val(form, "major") || val(form, "minor")) {
        body.uuid = val(form, "uuid") || undefined;
        body.major = num(form, "major");
        body.minor = num(form, "minor");
      }
      return id ? call("PUT", "/v1/beacons/" + id, body) : call("POST", "/v1/beacons", body);
    },
    done: (bc) => {
      if (id) { say("Beacon saved"); location.hash = "#/beacons/" + bc.id; return; }
      // The agent token exists only in this answer: show it now, once.
      const tok = input({value: bc.agent_token, readonly: true, id: "agent-token", class: "secret"});
      mount(view, h("h1", {}, "Beacon created"),
        h("div", {class: "card once"},
          h("p", {}, "Agent token — shown only now. Give it to the beacon agent (--token); it cannot be shown again."),
          h("label", {for: "agent-token"}, "Agent token"), tok,
          h("p", {}, "Identity: " + bc.uuid + " major " + bc.major + " minor " + bc.minor)),
        h("p", {}, link("#/beacons/" + bc.id, "Open the beacon", "btn primary"), " ", link("#/beacons", "All beacons", "btn")));
      tok.focus();
      tok.select();
    },
  });
}

export async function beaconDetail(view, id) {
  let b, store;
  try {
    b = await get("/v1/beacons/" + id);
    store = await get("/v1/stores/" + b.store_id).catch(() => null);
  } catch (e) { say(e.message, true); mount(view, h("h1", {}, "Beacon"), h("p", {}, e.message)); return; }
  const hb = b.last_heartbeat;
  const health = beaconHealth(b);
  const dl = (pairs) => h("dl", {class: "kv"}, pairs.filter(([, v]) => v !== undefined && v !== null && v !== "").map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
  mount(view,
    h("div", {class: "page-head"}, h("h1", {}, "Beacon " + (b.label || b.id)),
      h("div", {class: "toolbar"}, link("#/beacons/" + b.id + "/edit", "Edit", "btn"), link("#/stats?beacon=" + b.id, "Statistics", "btn"))),
    h("div", {class: "cards"},
      h("section", {class: "card"}, h("h2", {}, "Identity"), dl([
        ["Id", b.id], ["UUID", b.uuid], ["Major", String(b.major)], ["Minor", String(b.minor)], ["TX power", b.tx_power + " dBm"],
        ["Status", b.status], ["Store", store ? h("a", {href: "#/map?store=" + store.id}, store.name) : b.store_id],
        ["Page", b.page ? b.page.program_id + (b.page.path ? " " + b.page.path : "") : ""]])),
      h("section", {class: "card", id: "heartbeat"}, h("h2", {}, "Last heartbeat"),
        h("p", {}, h("span", {class: "dot " + health.level}, health.text)),
        hb ? dl([["At", fmtTime(hb.at) + " (" + ago(hb.at) + ")"], ["Uptime", hb.uptime_s + " s"], ["Version", hb.version],
          ["Battery", hb.battery != null ? Math.round(hb.battery) + " %" : ""],
          ["Temperature", hb.temperature_c != null ? hb.temperature_c.toFixed(1) + " °C" : ""],
          ["Spool depth", hb.spool_depth != null ? String(hb.spool_depth) : ""], ["Dropped", hb.dropped != null ? String(hb.dropped) : ""]])
          : h("p", {class: "muted"}, "No heartbeat yet: the agent has not reported."))));
}
