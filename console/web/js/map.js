// The map page: the merchant's stores (clustered), its beacons coloured by
// health, and an H3 heatmap of its events drawn from the server's cell
// polygons. Leaflet and its cluster plugin are classic scripts (global L).
import {h, mount, say} from "./dom.js";
import {get, all, qs} from "./api.js";
import {beaconHealth} from "./health.js";

const L = window.L;
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

// settings are the server's tile options.
let settingsP;
function settings() {
  settingsP ||= fetch("settings.json").then((r) => r.json());
  return settingsP;
}

// Leaflet renders attributions as HTML: the operator's plain text is
// escaped first.
function escapeHTML(s) {
  return s.replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})[c]);
}

// heatRes picks an H3 resolution whose cells are some tens of pixels wide
// at the zoom.
export function heatRes(zoom) {
  return Math.max(0, Math.min(11, Math.floor((zoom - 1) * 0.75)));
}

let current; // the live map, removed when the page changes

export async function mapPage(view, query) {
  if (current) { current.remove(); current = null; }
  const el = h("div", {id: "map", class: "map", role: "region", "aria-label": "Map of stores and beacons"});
  const note = h("p", {class: "muted map-note", id: "map-note"});
  mount(view, h("div", {class: "page-head"}, h("h1", {}, "Map"), note), el);
  const [cfg, stores, beacons, programs] = await Promise.all([
    settings(), all("/v1/stores"), all("/v1/beacons"), all("/v1/programs"),
  ]).catch((e) => { say(e.message, true); return [{tiles: ""}, [], [], []]; });

  const map = L.map(el, {worldCopyJump: true, zoomSnap: 0.5, minZoom: 1, maxZoom: 19}); // the cluster layer needs a maxZoom
  current = map;
  if (cfg.tiles) {
    L.tileLayer(cfg.tiles, {maxZoom: 19, attribution: escapeHTML(cfg.attribution || "")}).addTo(map);
  } else {
    el.classList.add("no-tiles");
  }

  const byStore = new Map();
  for (const b of beacons) (byStore.get(b.store_id) || byStore.set(b.store_id, []).get(b.store_id)).push(b);

  const storeLayer = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 50});
  const markers = new Map();
  for (const s of stores) {
    const m = L.marker([s.lat, s.lng], {title: s.name, alt: "Store " + s.name, keyboard: true});
    m.bindPopup(() => storePopup(s, byStore.get(s.id) || [], programs.filter((p) => p.store_ids.includes(s.id))), {maxWidth: 320});
    markers.set(s.id, m);
    storeLayer.addLayer(m);
  }
  storeLayer.addTo(map);

  const beaconLayer = L.layerGroup();
  const storeByID = new Map(stores.map((s) => [s.id, s]));
  for (const [sid, bs] of byStore) {
    const s = storeByID.get(sid);
    if (!s) continue;
    bs.forEach((b, i) => {
      // A beacon is drawn as a dot beside its store's pin, a few pixels
      // apart from the store's other beacons, whatever the zoom.
      const hl = beaconHealth(b);
      const icon = L.divIcon({className: "beacon beacon-" + hl.level, iconSize: [14, 14], iconAnchor: [-8 - 16 * (i % 6), 34 - 16 * Math.floor(i / 6)]});
      const bm = L.marker([s.lat, s.lng], {icon, title: (b.label || b.id) + ": " + hl.text, keyboard: true, zIndexOffset: 1000});
      bm.on("click", () => { location.hash = "#/beacons/" + b.id; });
      beaconLayer.addLayer(bm);
    });
  }
  beaconLayer.addTo(map);

  const heatLayer = L.layerGroup();
  let heatSeq = 0;
  async function drawHeat() {
    if (!map.hasLayer(heatLayer)) return;
    const seq = ++heatSeq;
    const b = map.getBounds();
    const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
    const wide = b.getEast() - b.getWest() >= 360;
    const box = {min_lat: clamp(b.getSouth(), -90, 90).toFixed(6), max_lat: clamp(b.getNorth(), -90, 90).toFixed(6),
      min_lng: wide ? -180 : clamp(b.getWest(), -180, 180).toFixed(6), max_lng: wide ? 180 : clamp(b.getEast(), -180, 180).toFixed(6)};
    const res = heatRes(map.getZoom());
    try {
      const hm = await get("/v1/stats/heatmap" + qs({res, ...box, boundary: "true"}));
      if (seq !== heatSeq) return;
      heatLayer.clearLayers();
      const max = Math.max(1, ...hm.cells.map((c) => c.count));
      for (const c of hm.cells) {
        if (!c.count || !c.boundary) continue;
        const t = c.count / max;
        L.polygon(c.boundary, {color: "#b3261e", weight: 1, fillColor: "#e8590c", fillOpacity: 0.15 + 0.55 * t, className: "heat-cell"})
          .bindTooltip(h("span", {}, c.count + " events, " + c.stores + (c.stores === 1 ? " store" : " stores")))
          .addTo(heatLayer);
      }
      note.textContent = hm.cells.length ? "Heatmap: events of the last 30 days per H3 cell (resolution " + res + ")." : "";
    } catch (e) {
      if (seq === heatSeq) note.textContent = "Heatmap: " + e.message;
    }
  }
  heatLayer.addTo(map);
  map.on("moveend overlayadd", drawHeat);

  L.control.layers(null, {"Stores": storeLayer, "Beacons": beaconLayer, "Heatmap of events": heatLayer},
    {collapsed: window.innerWidth < 700}).addTo(map);
  const legend = L.control({position: "bottomleft"});
  legend.onAdd = () => h("div", {class: "legend"}, [["ok", "healthy"], ["warn", "stale, low battery or hot"], ["bad", "silent or never seen"], ["off", "inactive"]]
    .map(([lvl, text]) => h("div", {}, h("span", {class: "dot " + lvl}), text)));
  legend.addTo(map);

  if (stores.length) map.fitBounds(L.latLngBounds(stores.map((s) => [s.lat, s.lng])).pad(0.2), {maxZoom: 15});
  else { map.setView([20, 0], 2); note.textContent = "No stores yet: create one or import a file."; }
  drawHeat();

  const focus = query.get("store");
  if (focus && markers.has(focus)) {
    const m = markers.get(focus);
    storeLayer.zoomToShowLayer(m, () => m.openPopup());
  }
}

function storePopup(s, beacons, programs) {
  const hours = s.hours && Object.keys(s.hours).length ?
    h("table", {class: "hours-table"}, DAYS.filter((d) => s.hours[d]).map((d) =>
      h("tr", {}, h("th", {scope: "row"}, d), h("td", {}, s.hours[d].map((r) => r.join("–")).join(", "))))) :
    h("p", {class: "muted"}, "No opening hours.");
  return h("div", {class: "popup"},
    h("h3", {}, s.name),
    h("p", {}, s.category, s.address ? " · " + s.address : ""),
    s.timezone ? h("p", {class: "muted"}, "Hours in " + s.timezone) : null,
    hours,
    h("h4", {}, "Programs"),
    programs.length ? h("ul", {}, programs.map((p) => h("li", {}, p.name))) : h("p", {class: "muted"}, "None."),
    h("h4", {}, "Beacons"),
    beacons.length ? h("ul", {}, beacons.map((b) => { const hl = beaconHealth(b); return h("li", {}, h("span", {class: "dot " + hl.level}), h("a", {href: "#/beacons/" + b.id}, b.label || b.id), " " + hl.text); }))
      : h("p", {class: "muted"}, "None."),
    h("p", {class: "popup-links"}, h("a", {href: "#/stats?store=" + s.id}, "Statistics"), " · ",
      h("a", {href: "#/stores/" + s.id + "/edit"}, "Edit"), " · ", h("a", {href: "#/beacons/new?store=" + s.id}, "Add a beacon")));
}

// leave removes the map when another page is shown.
export function leaveMap() {
  if (current) { current.remove(); current = null; }
}
