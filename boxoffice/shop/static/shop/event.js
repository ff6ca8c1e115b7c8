// The event page: seat map + live availability + the customer's hold + checkout.
import { ApiError } from "./api.js";
import { Checkout } from "./checkout.js";
import { Hold } from "./hold.js";
import { Live } from "./live.js";
import { formatMoney } from "./money.js";
import { SeatMap } from "./seatmap.js";

const config = JSON.parse(document.getElementById("shop-config").textContent);
const { api, event } = config;
const $ = (selector) => document.querySelector(selector);
const notice = $("[data-notice]");
const categories = new Map(config.categories.map((category) => [category.key, category]));
const sections = new Map(Object.entries(config.sections || {}));
const STATUS_WORDS = { a: "available", h: "taken", s: "sold", b: "not for sale" };

function notify(message, kind = "info") {
  notice.textContent = message;
  notice.className = `notice notice-${kind}`;
  notice.hidden = !message;
}

function fromPrice(category) {
  const prices = Object.values(categories.get(category)?.prices || {});
  return prices.length ? formatMoney(Math.min(...prices), config.currency) : "";
}

// The seat flags the map draws (classes on its circles), in the words the legend uses.
const FLAG_WORDS = [["accessible", "Wheelchair space"], ["companion", "Companion seat"], ["restricted", "Restricted view"]];

function flagsOf(position) {
  const circle = map.circles[position];
  return FLAG_WORDS.filter(([flag]) => circle?.classList.contains(flag)).map(([, words]) => words);
}

function placeName(place) {
  const section = sections.get(place.section) || place.section;
  return place.kind === "spot" ? `${section}, standing` : `${section}, row ${place.row}, seat ${place.label}`;
}

const map = new SeatMap({
  container: $("[data-seat-map]"),
  tooltip: $("[data-tooltip]"),
  describe(position) {
    const place = map.places[position];
    const parts = [categories.get(place.category)?.name || place.category];
    const price = fromPrice(place.category);
    if (price) parts.push(`from ${price}`);
    parts.push(...flagsOf(position));
    parts.push(map.mine.has(position) ? "held by you" : STATUS_WORDS[map.status(position)]);
    return { label: placeName(place), detail: parts.join(" · ") };
  },
  onToggle: (position) => toggle(position),
});

const hold = new Hold({ api, event, onChange: (data, reason) => showHold(data, reason) });
const checkout = new Checkout({ form: $("[data-checkout]"), api, config, hold, notify, placeName });

function positionsOf(seats) {
  return seats.map((seat) => map.byRef.get(seat.ref)).filter((position) => position !== undefined);
}

function showHold(data, reason) {
  const seats = data?.seats || [];
  map.setMine(positionsOf(seats));
  const list = $("[data-selected]");
  list.replaceChildren();
  if (!seats.length) {
    const empty = document.createElement("li");
    empty.className = "muted";
    empty.textContent = "No seats yet: pick them on the map.";
    list.append(empty);
  }
  for (const seat of seats) {
    const item = document.createElement("li");
    const text = document.createElement("span");
    const flags = flagsOf(map.byRef.get(seat.ref));
    text.textContent = [placeName(seat), categories.get(seat.category)?.name || seat.category, ...flags].join(" · ");
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link";
    remove.textContent = "Remove";
    remove.setAttribute("aria-label", `Remove ${placeName(seat)}`);
    remove.addEventListener("click", () => run(() => hold.removeSeat(seat.ref)));
    item.append(text, remove);
    list.append(item);
  }
  $("[data-hold-actions]").hidden = !seats.length;
  checkout.render(seats);
  tick();
  if (reason === "expired") {
    notify("Your time ran out and your seats were released. Pick them again if they are still free.", "warning");
    live.refresh();
  }
}

// --- the countdown ------------------------------------------------------------------------------

const countdown = $("[data-countdown]");
let warned = false;
let expiring = false;
function tick() {
  const expires = hold.expiresAt;
  if (!expires || !hold.seats.length) {
    countdown.hidden = true;
    warned = false;
    return;
  }
  const left = Math.max(0, Math.round((expires - Date.now()) / 1000));
  countdown.hidden = false;
  countdown.dataset.secondsLeft = left;
  const minutes = Math.floor(left / 60);
  const seconds = String(left % 60).padStart(2, "0");
  countdown.textContent = `Seats held for ${minutes}:${seconds}`;
  countdown.classList.toggle("ending", left <= 60);
  if (left <= 60 && !warned) {
    warned = true;
    notify("Less than a minute left to finish. Need more time? Use “More time”.", "warning");
  }
  if (left === 0 && !expiring) {
    expiring = true;
    hold.release("expired").finally(() => { expiring = false; });
  }
}
setInterval(tick, 1000);

// --- actions -------------------------------------------------------------------------------------

async function run(action) {
  try {
    notify("");
    await action();
  } catch (error) {
    explain(error);
  }
}

function explain(error) {
  if (!(error instanceof ApiError)) {
    notify("Something went wrong. Please try again.", "error");
    return;
  }
  if (error.code === "seats_unavailable") {
    const refs = error.details.seats || [];
    const names = refs.map((ref) => map.byRef.get(ref)).filter((p) => p !== undefined).map((p) => placeName(map.places[p]));
    // Show them taken at once; the live feed confirms.
    map.applyChanges(refs.map((ref) => [map.byRef.get(ref), "h"]).filter(([p]) => p !== undefined));
    notify(names.length ? `Sorry, ${names.join(", ")} was just taken by someone else.` : error.message, "error");
    live.refresh();
    return;
  }
  notify(error.message, "error");
}

function toggle(position) {
  const place = map.places[position];
  if (map.mine.has(position)) {
    run(() => hold.removeSeat(place.ref));
    return;
  }
  if (map.status(position) !== "a") {
    notify(`${placeName(place)} is ${STATUS_WORDS[map.status(position)]}.`, "info");
    return;
  }
  if (hold.seats.length >= config.maxSeats) {
    notify(`At most ${config.maxSeats} seats per order.`, "info");
    return;
  }
  run(async () => {
    await hold.addSeats([place.ref]);
    // Chosen by hand, so say plainly what this place is.
    const flags = flagsOf(position);
    if (flags.includes("Wheelchair space")) {
      notify(`${placeName(place)} is a wheelchair space, meant for a customer who uses a wheelchair.`, "info");
    } else if (flags.includes("Companion seat")) {
      notify(`${placeName(place)} is a companion seat, beside a wheelchair space.`, "info");
    } else if (flags.includes("Restricted view")) {
      notify(`${placeName(place)} has a restricted view of the stage.`, "info");
    }
  });
}

$("[data-best-available]").addEventListener("submit", (submitted) => {
  submitted.preventDefault();
  const form = submitted.target;
  const quantity = Number(form.elements.namedItem("quantity").value);
  run(async () => {
    const accessible = Boolean(form.elements.namedItem("accessible")?.checked);
    const result = await hold.bestAvailable(form.elements.namedItem("category").value, quantity, accessible);
    if (result?.together === false) notify("These are the best seats left, but they are not all together.", "info");
  });
});
for (const form of document.querySelectorAll("[data-general-admission]")) {
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const quantity = Number(form.elements.namedItem("quantity").value);
    run(() => hold.generalAdmission(form.dataset.generalAdmission, quantity));
  });
}
$("[data-extend]").addEventListener("click", () => run(async () => {
  await hold.extend();
  warned = false;
  notify("You have more time.", "info");
}));
$("[data-release]").addEventListener("click", () => run(() => hold.release()));

// --- standing areas: places left ------------------------------------------------------------------

function countAreas() {
  const left = new Map();
  map.places.forEach((place, position) => {
    if (place.kind === "spot" && map.status(position) === "a") left.set(place.section, (left.get(place.section) || 0) + 1);
  });
  for (const element of document.querySelectorAll("[data-area-left]")) {
    const count = left.get(element.dataset.areaLeft) || 0;
    element.textContent = count ? `${count} left` : "sold out";
  }
}

// --- start ------------------------------------------------------------------------------------------

const live = new Live({
  api, event,
  stateElement: $("[data-live-state]"),
  onSnapshot: (statuses) => {
    map.applySnapshot(statuses);
    countAreas();
  },
  onChanges: (changes) => {
    map.applyChanges(changes);
    if (config.areas.length) countAreas();
  },
});

map.load(config.map, `${api}/events/${event}/seats`).then(async () => {
  live.start();
  await live.refresh();
  await hold.restore();
  document.body.dataset.mapReady = "1";
  performance.mark("map-ready");
}).catch(() => {
  $("[data-seat-map]").textContent = "The seat map could not be loaded. Please reload the page.";
});
