// A beacon's health from its status and last heartbeat, for colouring it
// on the map and in the lists.

// Agents report every minute by default: a heartbeat older than a few
// intervals means the agent or its network is down.
export const STALE_S = 5 * 60;
export const DEAD_S = 60 * 60;
export const LOW_BATTERY = 20; // percent
export const HOT_C = 70;

// beaconHealth returns {level, text}: level is ok, warn, bad or off.
export function beaconHealth(b, now = Date.now()) {
  if (b.status !== "active") return {level: "off", text: b.status};
  const hb = b.last_heartbeat;
  if (!hb) return {level: "bad", text: "no heartbeat yet"};
  const age = (now - new Date(hb.at)) / 1000;
  const notes = [];
  let level = "ok";
  if (age > DEAD_S) { level = "bad"; notes.push("silent for " + Math.round(age / 3600) + " h"); }
  else if (age > STALE_S) { level = "warn"; notes.push("silent for " + Math.round(age / 60) + " min"); }
  if (hb.battery != null && hb.battery < LOW_BATTERY) { if (level === "ok") level = "warn"; notes.push("battery " + Math.round(hb.battery) + " %"); }
  if (hb.temperature_c != null && hb.temperature_c > HOT_C) { if (level === "ok") level = "warn"; notes.push(hb.temperature_c.toFixed(0) + " °C"); }
  return {level, text: notes.length ? notes.join(", ") : "healthy"};
}
