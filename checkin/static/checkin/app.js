// The door staff check-in app: pairing, list choice, manifest sync, scanning (camera, hardware
// scanner or keyboard), verdicts online or on the device, the offline queue, overrides, counters.
// API: checkin/api.py (`Authorization: Device <token>`); design notes: checkin/README.md.

import { signal, unlockAudio } from "./feedback.js";
import { Scanner } from "./scanner.js";
import * as store from "./store.js";
import { checkCredential, cleanScan, judge } from "./verify.js";

const $ = (selector) => document.querySelector(selector);
const ORGANIZER = document.body.dataset.organizer;
const SYNC_EVERY_MS = 20_000;
const ONLINE_SCAN_TIMEOUT_MS = 4000;
const BATCH_SIZE = 200;
const MAX_PAYLOAD = 400;
// How long a green screen stays; tests lengthen it (window.checkinGreenScreenMs) to inspect it.
const GREEN_SCREEN_MS = window.checkinGreenScreenMs ?? 2500;

const TITLES = {
  ok: "Admit",
  already_admitted: "Already admitted",
  revoked: "Revoked ticket",
  invalid_signature: "Invalid ticket",
  unknown_key: "Unknown ticket",
  wrong_event: "Wrong event",
  wrong_category: "Wrong entrance",
  not_paid: "Not paid",
  payment_disputed: "Payment disputed",
  not_found: "Unknown ticket",
  not_inside: "Not inside",
};
const MESSAGES = {
  ok: "Welcome in.",
  already_admitted: "Already admitted.",
  revoked: "This ticket was revoked (refunded, cancelled or reissued).",
  invalid_signature: "Not a valid ticket: the code is damaged or forged.",
  unknown_key: "Not a ticket of ours, or signed with a retired key.",
  wrong_event: "This ticket is for another event.",
  wrong_category: "This ticket's category does not enter here.",
  not_paid: "The order of this ticket is not paid.",
  payment_disputed: "Payment disputed — call a supervisor.",
  not_found: "No such ticket.",
  not_inside: "This ticket is not inside.",
};

class Offline extends Error {}
class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `The server answered ${status}.`);
    this.status = status;
    this.code = code;
  }
}

const state = {
  token: null,
  device: null, // {id, name, gate, organizer, lists, keys}
  listId: null,
  gate: "",
  list: null, // the manifest's list: {id, name, categories, allow_reentry, event}
  keys: [],
  credential: null, // {text, claims}
  online: navigator.onLine,
  syncing: null,
  current: null, // the result on screen
  direction: "entry", // "exit" only on lists that allow re-entry
  recent: [],
};

// --- helpers ------------------------------------------------------------------------------------

function show(screen) {
  for (const section of document.querySelectorAll("section[data-screen]")) {
    section.hidden = section.dataset.screen !== screen;
  }
  document.body.dataset.screen = screen;
}

function toast(text) {
  const box = $("[data-toast]");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 4000);
}

function showError(selector, text) {
  const box = $(selector);
  box.textContent = text || "";
  box.hidden = !text;
}

function nonce() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Times on the door screens are the event's local times with the zone named, whatever zone the
// device is set to (as in the console and on the tickets); a list from before the manifest
// carried the zone falls back to the device's.
function inEventZone(options) {
  const timeZone = state.list?.event?.timezone;
  const named = { ...options, hourCycle: "h23", timeZoneName: "short" };
  try {
    return new Intl.DateTimeFormat(undefined, timeZone ? { ...named, timeZone } : named);
  } catch {
    return new Intl.DateTimeFormat(undefined, named);
  }
}

function timeOf(iso) {
  return iso ? inEventZone({ hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(new Date(iso)) : "";
}

function dateTimeOf(iso) {
  const options = { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
  return iso ? inEventZone(options).format(new Date(iso)) : "";
}

function setOnline(online) {
  state.online = online;
  const net = $("[data-net]");
  net.textContent = online ? "Online" : "Offline";
  net.className = `net ${online ? "online" : "offline"}`;
  document.body.dataset.online = String(online);
}

async function api(path, { method = "GET", body, timeout = 10_000 } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers: {
        ...(state.token ? { Authorization: `Device ${state.token}` } : {}),
        ...(body ? { "Content-Type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      cache: "no-store",
      credentials: "omit",
      signal: controller.signal,
    });
  } catch {
    setOnline(false);
    throw new Offline("No network.");
  } finally {
    clearTimeout(timer);
  }
  setOnline(true);
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    if (response.status === 401 && state.token) {
      toast("This device's pairing was revoked: pair it again.");
    }
    throw new ApiError(response.status, data.code, data.message);
  }
  return response.json();
}

// --- pairing and setup --------------------------------------------------------------------------

function codeFrom(text) {
  const value = String(text).trim();
  try {
    const url = new URL(value);
    return url.searchParams.get("code") || value;
  } catch {
    return value;
  }
}

async function pair(code) {
  showError("[data-pair-error]", "");
  try {
    const answer = await api("/checkin/devices/pair", { method: "POST", body: { code: codeFrom(code) } });
    const { token, ...device } = answer;
    state.token = token;
    state.device = device;
    state.keys = device.keys;
    await store.set("token", token);
    await store.set("device", device);
    await store.set("keys", device.keys);
    history.replaceState(null, "", "/checkin/");
    startSetup();
  } catch (error) {
    showError(
      "[data-pair-error]",
      error instanceof Offline ? "No network: pairing needs a connection." : error.message,
    );
  }
}

function startSetup() {
  const select = $("#setup-list");
  select.replaceChildren(
    ...state.device.lists.map((item) => new Option(item.name, item.id, false, item.id === state.listId)),
  );
  $("#setup-gate").value = state.gate || state.device.gate || "";
  $("[data-device-name]").textContent = `This device: ${state.device.name}`;
  if (!state.device.lists.length) {
    showError("[data-setup-error]", "This device has no check-in list yet: add one in the console.");
  }
  show("setup");
}

async function chooseList(listId, gate) {
  showError("[data-setup-error]", "");
  if (listId !== state.listId) {
    state.list = null;
  }
  state.listId = listId;
  state.gate = gate;
  try {
    if (!(await store.get(`cursor:${listId}`))) await pullManifest();
  } catch (error) {
    state.listId = null;
    showError(
      "[data-setup-error]",
      error instanceof Offline ? "No network: the first download of the tickets needs a connection." : error.message,
    );
    return;
  }
  await store.set("listId", listId);
  await store.set("gate", gate);
  await enterScanning();
}

async function enterScanning() {
  state.list = await store.get(`list:${state.listId}`);
  $("[data-list-name]").textContent = state.list.name;
  const starts = state.list.event.starts_at ? `, ${dateTimeOf(state.list.event.starts_at)}` : "";
  $("[data-event-title]").textContent = `${state.list.event.title}${starts}`;
  $("[data-gate]").textContent = state.gate || "no gate";
  $("fieldset[data-direction]").hidden = !state.list.allow_reentry;
  if (!state.list.allow_reentry) setDirection("entry");
  show("scan");
  await renderCounters();
  renderConflicts();
  if (!matchMedia("(pointer: coarse)").matches) $("#scan-input").focus();
  sync();
}

// --- sync ---------------------------------------------------------------------------------------

async function pullManifest() {
  const list = state.listId;
  const cursor = await store.get(`cursor:${list}`);
  const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
  const body = await api(`/checkin/lists/${list}/manifest${query}`, { timeout: 60_000 });
  await store.applyManifest(list, body);
  state.keys = body.keys;
  await store.set("keys", body.keys);
  await store.set(`list:${list}`, body.list);
  await store.set(`cursor:${list}`, body.cursor);
  if (state.listId === list) state.list = body.list;
}

async function uploadQueue() {
  const list = state.listId;
  for (;;) {
    const items = await store.queued(list, BATCH_SIZE);
    if (!items.length) return;
    const answer = await api(`/checkin/lists/${list}/scans/batch`, {
      method: "POST",
      timeout: 30_000,
      body: {
        device_time: new Date().toISOString(),
        scans: items.map((item) => ({
          payload: item.payload,
          nonce: item.nonce,
          scanned_at: item.scanned_at,
          direction: item.direction,
          device_verdict: item.device_verdict,
          gate: item.gate || "",
          ...(item.override ? { override: item.override } : {}),
        })),
      },
    });
    const conflicts = await store.get(`conflicts:${list}`, []);
    for (const result of answer.results) {
      if (result.conflict || result.override_error) {
        conflicts.unshift({
          nonce: result.nonce,
          seat: result.ticket?.seat || "",
          name: result.ticket?.holder_name || "",
          scanned_at: result.scanned_at,
          first_entry: result.first_entry,
          override_error: result.override_error,
          message: result.override_error
            ? `Override refused by the server (${result.override_error}).`
            : result.message,
        });
      }
      const recent = state.recent.find((entry) => entry.nonce === result.nonce);
      if (recent) Object.assign(recent, { uploaded: true, conflict: Boolean(result.conflict) });
    }
    await store.set(`conflicts:${list}`, conflicts.slice(0, 100));
    await store.dequeue(items.map((item) => item.nonce));
    const fresh = answer.results.filter((result) => result.conflict || result.override_error).length;
    if (fresh) toast(`${fresh} conflict${fresh > 1 ? "s" : ""} from the server: see the list below.`);
    renderConflicts();
    renderRecent();
  }
}

async function refreshTotal() {
  try {
    const counts = await api(`/checkin/lists/${state.listId}/counts`);
    await store.set(`total:${state.listId}`, counts.admitted);
  } catch (error) {
    if (error instanceof Offline) throw error;
    await store.set(`total:${state.listId}`, await store.admittedCount(state.listId));
  }
}

// One sync at a time: upload the queue first (its scans happened earlier), then the delta.
function sync() {
  if (!state.listId || !state.token) return Promise.resolve();
  if (!state.syncing) {
    document.body.dataset.syncing = "true";
    state.syncing = (async () => {
      try {
        await uploadQueue();
        await pullManifest();
        await refreshTotal();
        await store.set(`synced:${state.listId}`, new Date().toISOString());
      } catch (error) {
        if (!(error instanceof Offline)) toast(`Sync failed: ${error.message}`);
      } finally {
        state.syncing = null;
        delete document.body.dataset.syncing;
        await renderCounters();
      }
    })();
  }
  return state.syncing;
}

// --- counters, recent scans, conflicts ----------------------------------------------------------

async function renderCounters() {
  if (!state.listId) return;
  const list = state.listId;
  const [here, total, queue, synced] = await Promise.all([
    store.get(`here:${list}`, 0),
    store.get(`total:${list}`, null),
    store.queueLength(list),
    store.get(`synced:${list}`, null),
  ]);
  $("[data-count-here]").textContent = here;
  $("[data-count-total]").textContent = total === null ? "–" : total;
  $("[data-count-queue]").textContent = queue;
  $("[data-last-sync]").textContent = synced ? timeOf(synced) : "never";
  document.body.dataset.queue = String(queue);
}

function renderRecent() {
  $("[data-recent]").replaceChildren(
    ...state.recent.map((entry) => {
      const item = document.createElement("li");
      item.className = entry.admitted ? "ok" : "deny";
      let where = entry.mode === "offline" ? (entry.uploaded ? "offline, uploaded" : "offline, queued") : "online";
      if (entry.conflict) where += ", conflict: admitted earlier elsewhere";
      item.textContent = `${timeOf(entry.at)} ${entry.title}${entry.seat ? ` · ${entry.seat}` : ""} (${where})`;
      return item;
    }),
  );
}

async function renderConflicts() {
  if (!state.listId) return;
  const conflicts = await store.get(`conflicts:${state.listId}`, []);
  $("[data-conflicts-box]").hidden = !conflicts.length;
  $("[data-conflicts]").replaceChildren(
    ...conflicts.map((conflict) => {
      const item = document.createElement("li");
      const first = conflict.first_entry;
      const earlier = first ? ` First entry ${timeOf(first.at)} at ${first.gate || first.device || "another gate"}.` : "";
      item.textContent = `${conflict.seat || "Ticket"}${conflict.name ? ` (${conflict.name})` : ""}, scanned here ${timeOf(conflict.scanned_at)}: ${conflict.message}${earlier}`;
      return item;
    }),
  );
}

// --- scanning -----------------------------------------------------------------------------------

function fromServer(answer) {
  return {
    verdict: answer.verdict,
    admitted: answer.admitted,
    message: answer.message,
    ticket: answer.ticket && {
      id: answer.ticket.id,
      seat: answer.ticket.seat,
      category: answer.ticket.category,
      description: answer.ticket.description,
      name: answer.ticket.holder_name,
    },
    firstEntry: answer.first_entry && { at: answer.first_entry.at, gate: answer.first_entry.gate || answer.first_entry.device },
    scanId: answer.id,
    nonce: answer.nonce,
    direction: answer.direction,
    mode: "online",
  };
}

function setDirection(direction) {
  state.direction = direction;
  for (const input of document.querySelectorAll('input[name="direction"]')) input.checked = input.value === direction;
  document.body.dataset.scanDirection = direction;
}

async function judgeOnDevice(text, scanNonce, scannedAt, direction) {
  const list = state.listId;
  const outcome = await judge(text, {
    direction,
    list: state.list,
    keys: state.keys,
    lookup: {
      ticket: (id) => store.ticket(list, id),
      ticketByCode: (code) => store.ticketByCode(list, code),
      admission: (id) => store.admission(list, id),
    },
  });
  const admitted = outcome.verdict === "ok";
  let message = MESSAGES[outcome.verdict] || outcome.verdict;
  if (outcome.admission) {
    message = `Already admitted ${timeOf(outcome.admission.admitted_at)}${outcome.admission.gate ? ` at ${outcome.admission.gate}` : ""}.`;
  }
  if (text.length <= MAX_PAYLOAD) {
    await store.enqueue({
      nonce: scanNonce,
      list,
      payload: text,
      scanned_at: scannedAt,
      direction,
      device_verdict: outcome.verdict,
      gate: state.gate,
    });
  }
  if (admitted && direction === "exit") {
    const admission = await store.admission(list, outcome.ticket.id);
    await store.admit(list, outcome.ticket.id, { ...admission, inside: false });
  } else if (admitted) {
    await store.admit(list, outcome.ticket.id, { inside: true, admitted_at: scannedAt, gate: state.gate, local: true });
  }
  return {
    verdict: outcome.verdict,
    direction,
    admitted,
    message,
    ticket: outcome.ticket,
    firstEntry: outcome.admission && { at: outcome.admission.admitted_at, gate: outcome.admission.gate },
    nonce: scanNonce,
    payload: text,
    scannedAt,
    mode: "offline",
  };
}

async function handleScan(raw) {
  const text = cleanScan(raw);
  if (!text || !state.list) return;
  const scanNonce = nonce();
  const scannedAt = new Date().toISOString();
  const direction = state.direction;
  let result = null;
  if (navigator.onLine !== false && text.length <= MAX_PAYLOAD) {
    try {
      const answer = await api(`/checkin/lists/${state.listId}/scans`, {
        method: "POST",
        timeout: ONLINE_SCAN_TIMEOUT_MS,
        body: { payload: text, nonce: scanNonce, scanned_at: scannedAt, direction, gate: state.gate },
      });
      result = fromServer(answer);
      result.payload = text;
      if (result.admitted && result.ticket) {
        const inside = direction === "entry";
        const known = await store.admission(state.listId, result.ticket.id);
        await store.admit(state.listId, result.ticket.id, { ...known, inside, admitted_at: inside ? scannedAt : known?.admitted_at ?? scannedAt, gate: state.gate });
      }
    } catch (error) {
      if (!(error instanceof Offline)) {
        toast(`The server refused the scan: ${error.message}`);
        return;
      }
    }
  }
  if (!result) {
    result = await judgeOnDevice(text, scanNonce, scannedAt, direction);
    if (navigator.onLine) setTimeout(sync, 1500);
  }
  if (result.admitted && direction === "entry") await store.set(`here:${state.listId}`, (await store.get(`here:${state.listId}`, 0)) + 1);
  present(result);
  await renderCounters();
}

function present(result) {
  state.current = result;
  const box = $("[data-result]");
  // A disputed payment is refused pending a supervisor, in its own colour: not the plain red
  // of a bad ticket, never the green of an admit.
  const warn = !result.admitted && result.verdict === "payment_disputed";
  box.className = `result ${result.admitted ? "ok" : warn ? "deny warn" : "deny"}`;
  box.dataset.verdict = result.verdict;
  const exit = result.direction === "exit" && result.verdict === "ok";
  const title = result.overridden ? "Admit (override)" : exit ? "Goodbye" : TITLES[result.verdict] || result.verdict;
  $("[data-result-title]").textContent = result.admitted ? `✓ ${title}` : `✕ ${title}`;
  // The server's line (place · category · ticket type, names only); a ticket stored from a
  // manifest older than that field shows its place alone, never the category's key.
  $("[data-result-seat]").textContent = result.ticket?.description || result.ticket?.seat || "";
  $("[data-result-name]").textContent = result.ticket?.name || "";
  const first = result.firstEntry;
  const firstText = first && !result.message.includes(" at ") ? ` First entry ${timeOf(first.at)}${first.gate ? ` at ${first.gate}` : ""}.` : "";
  $("[data-result-message]").textContent = `${result.message}${firstText}${result.mode === "offline" ? " (checked on this device)" : ""}`;
  $("[data-result-override]").hidden = result.admitted || !result.ticket || result.direction === "exit";
  box.hidden = false;
  signal(result.admitted);
  state.recent.unshift({
    at: new Date().toISOString(),
    title,
    seat: result.ticket?.seat,
    admitted: result.admitted,
    mode: result.mode,
    nonce: result.nonce,
  });
  state.recent = state.recent.slice(0, 10);
  renderRecent();
  clearTimeout(present.timer);
  if (result.admitted) present.timer = setTimeout(dismiss, GREEN_SCREEN_MS);
  else $("[data-result-next]").focus();
}

function dismiss() {
  clearTimeout(present.timer);
  $("[data-result]").hidden = true;
  state.current = null;
  if (!matchMedia("(pointer: coarse)").matches && document.body.dataset.screen === "scan") $("#scan-input").focus();
}

// --- supervisor credential and overrides --------------------------------------------------------

async function loadCredential() {
  const text = await store.get("credential");
  state.credential = null;
  let description = "No supervisor credential on this device.";
  if (text) {
    try {
      const claims = await checkCredential(text, { keys: state.keys, organizer: ORGANIZER });
      state.credential = { text, claims };
      description = `Credential of ${claims.name}, valid until ${dateTimeOf(new Date(claims.exp * 1000).toISOString())}.`;
    } catch (error) {
      description = `The stored credential cannot be used: ${error.message}`;
    }
  }
  $("[data-credential-state]").textContent = description;
  return state.credential;
}

async function keepCredential(text) {
  showError("[data-credential-error]", "");
  try {
    await checkCredential(text, { keys: state.keys, organizer: ORGANIZER });
  } catch (error) {
    showError("[data-credential-error]", error.message);
    return false;
  }
  await store.set("credential", text.trim());
  await loadCredential();
  toast("Supervisor credential kept on this device.");
  return true;
}

async function openOverride() {
  const result = state.current;
  if (!result) return;
  const credential = await loadCredential();
  const dialog = $("[data-override-dialog]");
  showError("[data-override-error]", "");
  $("[data-override-who]").textContent = credential
    ? `As ${credential.claims.name}. ${result.ticket?.seat || ""}: ${TITLES[result.verdict] || result.verdict}.`
    : "There is no valid supervisor credential on this device: open Supervisor first.";
  dialog.querySelector('button[type="submit"]').disabled = !credential;
  $("#override-reason").value = "";
  dialog.showModal();
  $("#override-reason").focus();
}

async function submitOverride(reason) {
  const result = state.current;
  const credential = state.credential;
  if (!result || !credential) return false;
  if (!reason.trim()) {
    showError("[data-override-error]", "A reason is required.");
    return false;
  }
  if (result.scanId) {
    try {
      const answer = await api(`/checkin/scans/${result.scanId}/override`, {
        method: "POST",
        body: { reason, staff_credential: credential.text },
      });
      const overridden = { ...fromServer(answer.scan), overridden: true, message: `Admitted by override (${answer.by}).` };
      if (overridden.ticket) {
        await store.admit(state.listId, overridden.ticket.id, { inside: true, admitted_at: new Date().toISOString(), gate: state.gate });
      }
      await countOverride(overridden);
      return true;
    } catch (error) {
      if (!(error instanceof Offline)) {
        showError("[data-override-error]", error.message);
        return false;
      }
    }
  }
  // Offline: the queued scan carries the credential and reason; the server checks both at sync.
  const override = { credential: credential.text, reason: reason.trim() };
  const queuedScan = result.nonce && (await store.queuedOne(result.nonce));
  const scannedAt = new Date().toISOString();
  await store.enqueue(
    queuedScan
      ? { ...queuedScan, override }
      : { nonce: nonce(), list: state.listId, payload: result.payload, scanned_at: scannedAt,
          direction: "entry", device_verdict: result.verdict, gate: state.gate, override },
  );
  await store.admit(state.listId, result.ticket.id, { inside: true, admitted_at: scannedAt, gate: state.gate, local: true });
  await countOverride({ ...result, admitted: true, overridden: true, mode: "offline",
    message: `Admitted by override (${credential.claims.name}); uploads with the next sync.` });
  return true;
}

async function countOverride(result) {
  await store.set(`here:${state.listId}`, (await store.get(`here:${state.listId}`, 0)) + 1);
  present(result);
  await renderCounters();
  if (navigator.onLine) setTimeout(sync, 500);
}

// --- camera -------------------------------------------------------------------------------------

let ticketScanner = null;

async function toggleCamera() {
  const button = $("[data-camera-toggle]");
  const status = $("[data-camera-status]");
  ticketScanner ??= new Scanner($("[data-video]"), (text) => handleScan(text));
  if (ticketScanner.running) {
    ticketScanner.stop();
    $("[data-viewfinder]").hidden = true;
    button.textContent = "Start camera";
    button.setAttribute("aria-pressed", "false");
    status.textContent = "";
    return;
  }
  $("[data-viewfinder]").hidden = false;
  try {
    await ticketScanner.start();
    button.textContent = "Stop camera";
    button.setAttribute("aria-pressed", "true");
    status.textContent = "Hold the ticket's QR code inside the frame.";
    document.body.dataset.camera = "on";
  } catch (error) {
    $("[data-viewfinder]").hidden = true;
    status.textContent = `The camera is not available: ${error.message}. Type or scan the code into the field above.`;
  }
}

// A one-off scan in a dialog (the pairing QR, a staff credential's QR).
function scanOnce(title) {
  const dialog = $("[data-camera-dialog]");
  $("[data-camera-dialog-title]").textContent = title;
  return new Promise((resolve) => {
    const scanner = new Scanner($("[data-dialog-video]"), (text) => finish(text));
    const finish = (text) => {
      scanner.stop();
      if (dialog.open) dialog.close();
      resolve(text);
    };
    $("[data-camera-dialog-close]").onclick = () => finish(null);
    dialog.onclose = () => finish(null);
    dialog.showModal();
    scanner.start().catch((error) => {
      $("[data-camera-dialog-status]").textContent = `The camera is not available: ${error.message}`;
    });
  });
}

// --- wiring -------------------------------------------------------------------------------------

function wire() {
  document.addEventListener("pointerdown", unlockAudio, { passive: true });
  document.addEventListener("keydown", unlockAudio);
  $("[data-pair-form]").addEventListener("submit", (event) => {
    event.preventDefault();
    pair($("#pair-code").value);
  });
  $("[data-scan-pairing]").addEventListener("click", async () => {
    const text = await scanOnce("Scan the pairing QR");
    if (text) {
      $("#pair-code").value = codeFrom(text);
      pair(text);
    }
  });
  $("[data-setup-form]").addEventListener("submit", (event) => {
    event.preventDefault();
    chooseList($("#setup-list").value, $("#setup-gate").value.trim());
  });
  $("[data-scan-form]").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("#scan-input");
    const text = input.value;
    input.value = "";
    handleScan(text);
  });
  $("[data-camera-toggle]").addEventListener("click", toggleCamera);
  for (const input of document.querySelectorAll('input[name="direction"]')) {
    input.addEventListener("change", () => setDirection(input.value));
  }
  $("[data-sync]").addEventListener("click", async () => {
    await sync();
    toast(state.online ? "Synced." : "Offline: will sync when the network returns.");
  });
  $("[data-change-list]").addEventListener("click", () => {
    if (ticketScanner?.running) toggleCamera();
    startSetup();
  });
  $("[data-open-supervisor]").addEventListener("click", async () => {
    await loadCredential();
    show("supervisor");
  });
  $("[data-close-supervisor]").addEventListener("click", () => enterScanning());
  $("[data-credential-form]").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await keepCredential($("#credential-input").value)) $("#credential-input").value = "";
  });
  $("[data-scan-credential]").addEventListener("click", async () => {
    const text = await scanOnce("Scan the staff credential QR");
    if (text) keepCredential(text);
  });
  $("[data-forget-credential]").addEventListener("click", async () => {
    await store.remove("credential");
    await loadCredential();
  });
  $("[data-unpair]").addEventListener("click", async () => {
    const queue = state.listId ? await store.queueLength(state.listId) : 0;
    const warning = queue ? `${queue} scans have not been uploaded and will be lost. ` : "";
    if (!confirm(`${warning}Unpair this device and delete its tickets?`)) return;
    await store.clearAll();
    location.replace("/checkin/");
  });
  $("[data-clear-conflicts]").addEventListener("click", async () => {
    await store.set(`conflicts:${state.listId}`, []);
    renderConflicts();
  });
  $("[data-result-next]").addEventListener("click", dismiss);
  $("[data-result-override]").addEventListener("click", openOverride);
  $("[data-override-form]").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await submitOverride($("#override-reason").value)) $("[data-override-dialog]").close();
  });
  $("[data-override-cancel]").addEventListener("click", () => $("[data-override-dialog]").close());
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("[data-result]").hidden) dismiss();
  });
  window.addEventListener("online", () => {
    setOnline(true);
    sync();
  });
  window.addEventListener("offline", () => setOnline(false));
  setInterval(() => {
    if (navigator.onLine && document.body.dataset.screen === "scan") sync();
  }, SYNC_EVERY_MS);
}

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("/checkin/sw.js", { scope: "/checkin/" });
    await navigator.serviceWorker.ready;
    document.body.dataset.offlineReady = "true";
  } catch (error) {
    console.warn("No offline shell", error);
  }
}

async function boot() {
  wire();
  setOnline(navigator.onLine);
  registerServiceWorker();
  state.token = await store.get("token");
  state.device = await store.get("device");
  state.keys = (await store.get("keys")) || [];
  state.listId = await store.get("listId");
  state.gate = (await store.get("gate")) || "";
  await loadCredential();
  const code = new URLSearchParams(location.search).get("code");
  if (!state.token || !state.device) {
    if (code) $("#pair-code").value = code;
    show("pair");
  } else if (!state.listId || !(await store.get(`list:${state.listId}`))) {
    startSetup();
  } else {
    await enterScanning();
  }
  document.body.dataset.ready = "true";
}

boot();
