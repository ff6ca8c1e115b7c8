// Choosing seats on an event's map to block or unblock: click, shift-click, or drag a box.
// The map is the event's public SVG; statuses come from the availability snapshot.

import { call } from "./api.js";

const root = document.querySelector("[data-block-seats]");
const event = root.dataset.event;
const frame = root.querySelector("[data-map]");
const field = root.querySelector("[data-seats]");
const counter = root.querySelector("[data-count]");
const chosen = new Set();

function update() {
  field.value = [...chosen].join(" ");
  counter.textContent = chosen.size;
  for (const circle of frame.querySelectorAll("circle[data-seat]")) {
    circle.classList.toggle("chosen", chosen.has(circle.dataset.seat));
  }
}

async function load() {
  const [svg, seats, availability] = await Promise.all([
    fetch(`/api/v1/events/${event}/map.svg`).then((r) => r.text()),
    call("GET", `/api/v1/events/${event}/seats`),
    call("GET", `/api/v1/events/${event}/availability`),
  ]);
  frame.innerHTML = svg;
  const refIndex = seats.columns.indexOf("ref");
  const byRef = new Map(seats.seats.map((row, i) => [row[refIndex], availability.legend[availability.statuses[i]]]));
  for (const circle of frame.querySelectorAll("circle[data-seat]")) {
    circle.classList.add(`st-${byRef.get(circle.dataset.seat) || "available"}`);
  }
  document.body.dataset.mapReady = "true";
}

let box = null;
frame.addEventListener("pointerdown", (e) => {
  const seat = e.target.closest("circle[data-seat]");
  if (seat) {
    const ref = seat.dataset.seat;
    if (!e.shiftKey && !chosen.has(ref)) chosen.clear();
    if (chosen.has(ref) && e.shiftKey) chosen.delete(ref);
    else chosen.add(ref);
    update();
    return;
  }
  if (!e.shiftKey) chosen.clear();
  box = { x: e.clientX, y: e.clientY };
  update();
});
frame.addEventListener("pointerup", (e) => {
  if (!box) return;
  const [x0, x1] = [Math.min(box.x, e.clientX), Math.max(box.x, e.clientX)];
  const [y0, y1] = [Math.min(box.y, e.clientY), Math.max(box.y, e.clientY)];
  box = null;
  if (x1 - x0 < 3 && y1 - y0 < 3) return;
  for (const circle of frame.querySelectorAll("circle[data-seat]")) {
    const r = circle.getBoundingClientRect();
    const cx = r.x + r.width / 2;
    const cy = r.y + r.height / 2;
    if (cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1) chosen.add(circle.dataset.seat);
  }
  update();
});

load();
