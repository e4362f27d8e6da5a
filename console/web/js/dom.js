// DOM helpers. Every piece of text reaches the page through textContent or
// an attribute value, never through innerHTML: a store named
// "<img src=x onerror=alert(1)>" is shown as those characters.

// h builds an element: h("a", {href: "#/x", class: "btn"}, "text", child).
// Attributes starting with "on" take functions; null/false ones are left out.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "value") el.value = v;
    else if (k === "checked" || k === "selected" || k === "disabled" || k === "multiple" || k === "required" || k === "hidden") el[k] = !!v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// mount replaces the children of el.
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let statusTimer, statusPages = 0;
// say shows a short message in the status line (announced to screen readers).
export function say(msg, isError) {
  const el = document.getElementById("status");
  el.textContent = msg;
  el.classList.toggle("error", !!isError);
  statusPages = 0;
  clearTimeout(statusTimer);
  if (msg) statusTimer = setTimeout(() => { el.textContent = ""; }, 6000);
}

// unsay is called as each page opens: a message survives one page change
// ("Store created", then the map), not two.
export function unsay() {
  if (++statusPages > 1) document.getElementById("status").textContent = "";
}

let uid = 0;
// field is a labelled form control with a place for its error message,
// named after the API's field so that errors[].field finds it.
export function field(label, name, control, hint) {
  const id = "f-" + name.replace(/[^a-z0-9]/gi, "-") + "-" + (++uid);
  control.id = id;
  control.name = name;
  const err = h("p", {class: "field-error", id: id + "-err", "data-error-for": name});
  const hintEl = hint ? h("p", {class: "hint", id: id + "-hint"}, hint) : null;
  control.setAttribute("aria-describedby", (hintEl ? id + "-hint " : "") + id + "-err");
  return h("div", {class: "field"}, h("label", {for: id}, label), control, hintEl, err);
}

export const input = (attrs) => h("input", Object.assign({type: "text"}, attrs));

export function select(options, value, attrs) {
  return h("select", attrs || {}, options.map(([v, text]) => h("option", {value: v, selected: v === value}, text)));
}

// showErrors puts a problem's errors[] next to the fields they name; those
// that name no field of the form go to the form's summary.
export function showErrors(form, err) {
  clearErrors(form);
  const summary = form.querySelector(".form-error");
  const rest = [];
  let placed = 0;
  for (const fe of (err.errors || [])) {
    const slot = findSlot(form, fe.field || "");
    if (slot) {
      slot.textContent = (slot.textContent ? slot.textContent + "; " : "") + fe.message;
      placed++;
      const fold = slot.closest("details");
      if (fold) fold.open = true; // an error inside a folded section must show
      const ctl = form.querySelector(`[name="${CSS.escape(slot.dataset.errorFor)}"]`);
      if (ctl) ctl.setAttribute("aria-invalid", "true");
    } else rest.push((fe.field ? fe.field + " " : "") + fe.message);
  }
  if (summary) {
    // The fields show their own messages; the summary says the rest.
    const head = placed ? "Please correct the marked " + (placed === 1 ? "field" : "fields") + "." : (rest.length ? "" : err.detail || err.message);
    summary.textContent = [head, ...rest].filter(Boolean).join(" ");
    summary.hidden = !summary.textContent;
  }
  const first = form.querySelector("[aria-invalid=true]");
  if (first) first.focus();
}

// findSlot finds the error slot of "hours.mon[0]" by trying the whole name,
// then shorter prefixes: "hours.mon", "hours".
function findSlot(form, name) {
  for (let n = name; n; n = n.replace(/(\[[^\]]*\]|\.[^.\[]*)$/, "")) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(n)}"]`);
    if (slot) return slot;
    if (!/(\[[^\]]*\]|\.[^.\[]*)$/.test(n)) break;
  }
  return null;
}

export function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((e) => { e.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
  const s = form.querySelector(".form-error");
  if (s) { s.textContent = ""; s.hidden = true; }
}

export function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z").replace(/:\d\dZ$/, "Z");
}

export function ago(iso, now = Date.now()) {
  const s = Math.round((now - new Date(iso)) / 1000);
  if (s < 90) return s + " s ago";
  if (s < 5400) return Math.round(s / 60) + " min ago";
  if (s < 129600) return Math.round(s / 3600) + " h ago";
  return Math.round(s / 86400) + " days ago";
}

// download saves text as a file.
export function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], {type}));
  const a = h("a", {href: url, download: name, hidden: true});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
