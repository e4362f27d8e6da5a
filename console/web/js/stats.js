// The statistics page: a store's or a beacon's daily figures over a range,
// as charts (uPlot), as a table, and as a CSV download.
import uPlot from "../vendor/uplot-1.6.32/uPlot.esm.js";
import {h, mount, field, input, say, download} from "./dom.js";
import {get, all, qs} from "./api.js";

export const SERIES = [
  ["shake_pv", "Shakes", "#0969da"],
  ["shake_uv", "Shaking people", "#8250df"],
  ["visits", "Visits", "#1a7f37"],
  ["visitors", "Visitors", "#bf8700"],
];
const COLUMNS = ["date", "shake_pv", "shake_uv", "visits", "visitors", "avg_dwell_s"];

const iso = (d) => d.toISOString().slice(0, 10);

// toChartData turns the API's days into uPlot's columns: x is the day's
// midnight UTC in seconds.
export function toChartData(days) {
  const x = days.map((d) => Date.parse(d.date + "T00:00:00Z") / 1000);
  return {
    counts: [x, ...SERIES.map(([k]) => days.map((d) => d[k]))],
    dwell: [x, days.map((d) => d.avg_dwell_s)],
  };
}

export function toCSV(days) {
  return COLUMNS.join(",") + "\n" + days.map((d) => COLUMNS.map((c) => d[c]).join(",")).join("\n") + "\n";
}

const charts = [];
function dropCharts() { while (charts.length) charts.pop().destroy(); }

export async function statsPage(view, query) {
  dropCharts();
  const kind = query.has("beacon") ? "beacon" : "store";
  const id = query.get(kind) || "";
  const today = new Date();
  const to = query.get("to") || iso(today);
  const from = query.get("from") || iso(new Date(Date.parse(to) - 29 * 86400e3));
  let stores = [], beacons = [];
  try { [stores, beacons] = await Promise.all([all("/v1/stores", 2000), all("/v1/beacons", 2000)]); } catch (e) { say(e.message, true); }
  const target = h("select", {},
    h("optgroup", {label: "Stores"}, stores.map((s) => h("option", {value: "store:" + s.id, selected: kind === "store" && s.id === id}, s.name))),
    h("optgroup", {label: "Beacons"}, beacons.map((b) => h("option", {value: "beacon:" + b.id, selected: kind === "beacon" && b.id === id}, b.label || b.id))));
  const form = h("form", {class: "form inline-form", novalidate: true},
    field("Store or beacon", "target", target),
    field("From", "from", input({type: "date", value: from})),
    field("To", "to", input({type: "date", value: to})),
    h("div", {class: "form-actions"}, h("button", {type: "submit", class: "primary"}, "Show")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const [k, v] = target.value.split(":");
    location.hash = "#/stats" + qs({[k]: v, from: form.elements.from.value, to: form.elements.to.value});
  });
  const out = h("div", {id: "stats-out"});
  mount(view, h("h1", {}, "Statistics"), form, out);
  if (!id) {
    const first = target.querySelector("option");
    mount(out, h("p", {class: "muted"}, first ? "Choose a store or a beacon." : "No stores yet."));
    return;
  }
  let st;
  try {
    st = await get("/v1/stats/" + kind + "s/" + encodeURIComponent(id) + qs({from, to}));
  } catch (e) {
    mount(out, h("p", {class: "form-error", role: "alert"}, e.message + (e.errors.length ? ": " + e.errors.map((x) => x.field + " " + x.message).join("; ") : "")));
    return;
  }
  const days = st.days;
  const data = toChartData(days);
  const countsEl = h("div", {class: "chart", id: "chart-counts", role: "img", "aria-label": "Shakes, visits and visitors per day"});
  const dwellEl = h("div", {class: "chart", id: "chart-dwell", role: "img", "aria-label": "Average dwell per day"});
  // A figure behind fewer distinct devices than the server's minimum count
  // is null (and the day "suppressed"): shown as a dash, left out of the
  // totals, a gap in the charts.
  const totals = Object.fromEntries(SERIES.map(([k]) => [k, days.reduce((a, d) => a + (d[k] ?? 0), 0)]));
  const suppressed = days.some((d) => d.suppressed);
  const cell = (d, c) => d[c] == null ? "\u2014" : c === "avg_dwell_s" ? d[c].toFixed(1) : String(d[c]);
  mount(out,
    h("div", {class: "totals"}, SERIES.map(([k, label]) => h("div", {class: "total"}, h("span", {class: "n", "data-total": k}, String(totals[k])), h("span", {}, label)))),
    h("h2", {}, "Per day"), countsEl,
    h("h2", {}, "Average dwell (seconds)"), dwellEl,
    h("div", {class: "page-head"}, h("h2", {}, "Table"),
      h("button", {type: "button", id: "csv", onclick: () => download(kind + "-" + id + "-" + from + "-" + to + ".csv", "text/csv", toCSV(days))}, "Download CSV")),
    h("div", {class: "table-wrap"}, h("table", {class: "list", id: "stats-table"},
      h("thead", {}, h("tr", {}, ["Date", "Shakes", "Shaking people", "Visits", "Visitors", "Avg dwell (s)"].map((t) => h("th", {scope: "col"}, t)))),
      h("tbody", {}, days.length ? days.map((d) => h("tr", {}, COLUMNS.map((c) => h("td", {}, cell(d, c)))))
        : h("tr", {}, h("td", {colspan: 6, class: "muted"}, "No events in this range."))))),
    suppressed ? h("p", {class: "muted", id: "suppressed-note"}, "\u2014 too few distinct devices that day to show the figure (privacy).") : null);

  const width = () => Math.max(280, out.clientWidth - 8);
  const utc = (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC");
  const opts = (series, height) => ({width: width(), height, tzDate: utc, series: [{label: "Day"}, ...series],
    scales: {x: {time: true}}, cursor: {drag: {x: false, y: false}},
    // Daily figures: ticks fall on days and show the date alone.
    axes: [{space: 50, incrs: [86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400, 91 * 86400],
      values: (u, splits) => splits.map((ts) => new Date(ts * 1e3).toISOString().slice(5, 10))}, {}]});
  const counts = new uPlot(opts(SERIES.map(([, label, stroke]) => ({label, stroke, width: 2, points: {show: true}})), 260), data.counts, countsEl);
  const dwell = new uPlot(opts([{label: "Avg dwell (s)", stroke: "#cf222e", width: 2, fill: "rgba(207,34,46,0.08)", points: {show: true}}], 200), data.dwell, dwellEl);
  // The chart keeps its instance on its element, where the browser test
  // reads the plotted data.
  countsEl.uplot = counts;
  dwellEl.uplot = dwell;
  charts.push(counts, dwell);
  const onResize = () => charts.forEach((c) => c.setSize({width: width(), height: c.height}));
  window.addEventListener("resize", onResize);
  charts.push({destroy: () => window.removeEventListener("resize", onResize)});
}

export function leaveStats() { dropCharts(); }
