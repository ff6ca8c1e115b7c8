// The visual seat-map editor. Every change is an editor operation (or a whole-draft PUT for
// undo/redo) sent to the seat-map API with the draft version it was made on, so the server's
// rules decide and a change made by someone else meanwhile comes back as a conflict (409),
// shown and never overwritten.

import { ApiError, call } from "./api.js";

const SVG = "http://www.w3.org/2000/svg";
const SEAT_RADIUS = 11;
const root = document.querySelector("[data-editor]");
const base = `/api/v1/seatmaps/${root.dataset.map}`;
const canvas = root.querySelector("[data-canvas]");
const layer = root.querySelector("[data-layer]");
const marquee = root.querySelector("[data-marquee]");
const statusLine = root.querySelector("[data-status]");
const conflictBox = root.querySelector("[data-conflict]");
const selectionInfo = root.querySelector("[data-selection-info]");

const state = {
  version: null,
  doc: null,
  selection: new Set(), // "section/row/seat" for seats, "section" for GA areas, "#3" for shapes
  history: [],
  future: [],
  tool: "select",
  view: null,
  busy: false,
};

const param = (name) => root.querySelector(`[data-param="${name}"]`);
const number = (name) => Number(param(name).value);

// --- geometry, as seatmaps.document.absolute_position -----------------------------------------

function place(section, x, y) {
  if (section.rotation) {
    const a = (section.rotation * Math.PI) / 180;
    [x, y] = [x * Math.cos(a) - y * Math.sin(a), x * Math.sin(a) + y * Math.cos(a)];
  }
  return [section.x + x, section.y + y];
}

function* seats() {
  for (const section of state.doc.sections) {
    for (const row of section.rows || []) {
      for (const seat of row.seats) {
        const [x, y] = place(section, seat.x, seat.y);
        yield { section, row, seat, x, y, ref: `${section.key}/${row.label}/${seat.label}` };
      }
    }
  }
}

function bounds() {
  const xs = [];
  const ys = [];
  for (const s of seats()) { xs.push(s.x); ys.push(s.y); }
  for (const section of state.doc.sections) {
    for (const p of section.area?.polygon || []) {
      const [x, y] = place(section, p.x, p.y);
      xs.push(x); ys.push(y);
    }
  }
  for (const shape of state.doc.shapes) {
    xs.push(shape.x, shape.x + shape.width); ys.push(shape.y, shape.y + shape.height);
  }
  if (!xs.length) return { x: -100, y: -100, w: 1000, h: 700 };
  const pad = 60;
  const x = Math.min(...xs) - pad;
  const y = Math.min(...ys) - pad;
  return { x, y, w: Math.max(Math.max(...xs) - x + pad, 300), h: Math.max(Math.max(...ys) - y + pad, 200) };
}

// --- drawing --------------------------------------------------------------------------------

function el(name, attrs, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  parent?.appendChild(node);
  return node;
}

function colors() {
  return Object.fromEntries(state.doc.categories.map((c) => [c.key, c.color]));
}

function render() {
  const fill = colors();
  layer.replaceChildren();
  state.doc.shapes.forEach((shape, index) => {
    const selected = state.selection.has(`#${index}`) ? " selected" : "";
    let node;
    if (shape.kind === "text") {
      node = el("text", { x: shape.x, y: shape.y, "text-anchor": "middle", class: `label-text shape-text${selected}`,
        "font-size": shape.height || 16 }, layer);
      node.textContent = shape.text;
    } else if (shape.kind === "ellipse") {
      node = el("ellipse", { cx: shape.x + shape.width / 2, cy: shape.y + shape.height / 2,
        rx: shape.width / 2, ry: shape.height / 2, class: `shape${selected}` }, layer);
    } else if (shape.kind === "polygon") {
      node = el("polygon", { points: shape.points.map((p) => `${shape.x + p.x},${shape.y + p.y}`).join(" "),
        class: `shape${selected}` }, layer);
    } else {
      node = el("rect", { x: shape.x, y: shape.y, width: shape.width, height: shape.height, class: `shape${selected}` }, layer);
      if (shape.text || shape.kind === "stage") {
        el("text", { x: shape.x + shape.width / 2, y: shape.y + shape.height / 2 + 5, "text-anchor": "middle",
          class: "label-text" }, layer).textContent = shape.text || "STAGE";
      }
    }
    node.dataset.shape = index;
  });
  for (const section of state.doc.sections) {
    if (section.area) {
      const points = section.area.polygon.map((p) => place(section, p.x, p.y).join(",")).join(" ");
      const node = el("polygon", { points, fill: fill[section.area.category] || "#999",
        class: `ga${state.selection.has(section.key) ? " selected" : ""}` }, layer);
      node.dataset.section = section.key;
      const [cx, cy] = place(section, 10, 22);
      el("text", { x: cx, y: cy, class: "label-text" }, layer).textContent =
        `${section.name} (${section.area.capacity})`;
    }
    for (const row of section.rows || []) {
      if (!row.seats.length) continue;
      const first = row.seats.reduce((a, b) => (a.x <= b.x ? a : b));
      const [x, y] = place(section, first.x - 24, first.y + 4);
      el("text", { x, y, class: "row-label", "text-anchor": "middle" }, layer).textContent = row.label;
    }
  }
  for (const s of seats()) {
    const node = el("circle", { cx: s.x, cy: s.y, r: SEAT_RADIUS, fill: fill[s.seat.category] || "#999",
      class: `seat c-${s.seat.category}${state.selection.has(s.ref) ? " selected" : ""}` }, layer);
    node.dataset.ref = s.ref;
    el("title", {}, node).textContent = `${s.section.name}, row ${s.row.label}, seat ${s.seat.label} · ${s.seat.category}`;
  }
  renderLegend();
  renderStatus();
}

function renderLegend() {
  const legend = root.querySelector("[data-legend]");
  const select = param("category");
  const chosen = select.value;
  legend.replaceChildren();
  select.replaceChildren();
  for (const category of state.doc.categories) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = category.name;
    button.style.background = category.color;
    button.dataset.paint = category.key;
    button.title = `Paint the selection ${category.name}`;
    legend.appendChild(button);
    select.add(new Option(category.name, category.key, false, category.key === chosen));
  }
  if (!state.doc.categories.length) legend.textContent = "No categories yet: add one below first.";
}

function renderStatus(message, isError = false) {
  let count = 0;
  for (const _ of seats()) count += 1;
  const ga = state.doc.sections.reduce((sum, s) => sum + (s.area?.capacity || 0), 0);
  statusLine.textContent = message || `Draft version ${state.version} · ${count} seats${ga ? ` · ${ga} standing` : ""} · saved`;
  statusLine.classList.toggle("error", isError);
  statusLine.dataset.version = state.version;
  root.querySelector('[data-action="undo"]').disabled = !state.history.length;
  root.querySelector('[data-action="redo"]').disabled = !state.future.length;
  const seatsChosen = [...state.selection].filter((r) => r.includes("/")).length;
  const others = state.selection.size - seatsChosen;
  selectionInfo.textContent = state.selection.size
    ? `${seatsChosen} seat(s)${others ? ` and ${others} other item(s)` : ""} selected.`
    : "Nothing selected.";
  selectionInfo.dataset.count = state.selection.size;
}

function setView(view) {
  state.view = view;
  canvas.setAttribute("viewBox", `${view.x} ${view.y} ${view.w} ${view.h}`);
}

// --- talking to the API ---------------------------------------------------------------------

function showError(error) {
  if (error instanceof ApiError && error.code === "stale_version") {
    conflictBox.hidden = false;
    renderStatus(`Conflict: the draft is at version ${error.details.current_version ?? "?"}.`, true);
    return;
  }
  const extra = (error.details?.errors || error.details?.problems || [])
    .slice(0, 3).map((e) => e.message).join("; ");
  renderStatus(`${error.message}${extra ? ` — ${extra}` : ""}`, true);
}

async function guarded(work) {
  if (state.busy) return;
  state.busy = true;
  root.dataset.busy = "true";
  try {
    await work();
  } catch (error) {
    showError(error);
  } finally {
    state.busy = false;
    delete root.dataset.busy;
  }
}

function accept(draft, { keepSelection = false } = {}) {
  state.version = draft.version;
  state.doc = draft.document;
  if (!keepSelection) state.selection.clear();
  else {
    const known = new Set([...seats()].map((s) => s.ref));
    state.doc.sections.forEach((s) => known.add(s.key));
    state.doc.shapes.forEach((_, i) => known.add(`#${i}`));
    state.selection = new Set([...state.selection].filter((r) => known.has(r)));
  }
  render();
}

function operate(name, params, options) {
  return guarded(async () => {
    const before = state.doc;
    const draft = await call("POST", `${base}/operations/${name}`, { version: state.version, params });
    state.history.push(before);
    state.future = [];
    accept(draft, options);
  });
}

function replaceDraft(document, from, to) {
  return guarded(async () => {
    const current = state.doc;
    const draft = await call("PUT", `${base}/draft`, { version: state.version, document });
    from.pop();
    to.push(current);
    accept(draft, { keepSelection: true });
  });
}

async function load() {
  const draft = await call("GET", `${base}/draft`);
  conflictBox.hidden = true;
  state.history = [];
  state.future = [];
  accept(draft);
  setView(bounds());
  document.body.dataset.editorReady = "true";
}

// --- selection ------------------------------------------------------------------------------

function selectionParams() {
  const chosen = new Set(state.selection);
  const sections = [];
  const seatRefs = [];
  for (const section of state.doc.sections) {
    if (section.area) {
      if (chosen.has(section.key)) sections.push(section.key);
      continue;
    }
    const refs = (section.rows || []).flatMap((row) => row.seats.map((seat) => `${section.key}/${row.label}/${seat.label}`));
    const picked = refs.filter((ref) => chosen.has(ref));
    if (picked.length && picked.length === refs.length) sections.push(section.key);
    else seatRefs.push(...picked);
  }
  return { sections, rows: [], seats: seatRefs };
}

function chosenSectionAndRows() {
  const refs = [...state.selection].filter((r) => r.includes("/"));
  if (!refs.length) return null;
  const key = refs[0].split("/")[0];
  const section = state.doc.sections.find((s) => s.key === key);
  const labels = [...new Set(refs.filter((r) => r.startsWith(`${key}/`)).map((r) => r.split("/")[1]))];
  const whole = labels.length === section.rows.length;
  return { section: key, rows: whole ? null : labels };
}

// --- tools that add things -------------------------------------------------------------------

function freshKey(name) {
  const stem = (name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "section").slice(0, 24);
  const taken = new Set(state.doc.sections.map((s) => s.key));
  if (!taken.has(stem)) return stem;
  for (let n = 2; ; n += 1) if (!taken.has(`${stem}-${n}`)) return `${stem}-${n}`;
}

function needCategory() {
  const category = param("category").value;
  if (!category) renderStatus("Add a category first (Paint category → Add).", true);
  return category;
}

function placeAt(tool, x, y) {
  const name = param("name").value.trim() || "Section";
  const category = tool === "label" ? "" : needCategory();
  if (tool !== "label" && !category) return;
  if (tool === "section" || tool === "row") {
    operate("add_section", {
      key: freshKey(name), name, x, y, category,
      rows: tool === "row" ? 1 : number("rows"),
      seats_per_row: number("seats"),
      seat_spacing: number("seat_spacing"),
      row_spacing: number("row_spacing"),
    });
  } else if (tool === "ga") {
    operate("add_ga_section", {
      key: freshKey(name), name, x, y, category,
      capacity: number("capacity"), width: number("width"), height: number("height"),
    });
  } else if (tool === "label") {
    operate("add_shape", { shape: { kind: "text", x, y, text: param("text").value || "Label" } });
  } else if (tool === "seat") {
    addSeat(x, y, category, name);
  }
}

function addSeat(x, y, category, name) {
  // Into the selected seat's section and the row named in the panel; a new section otherwise.
  const chosen = chosenSectionAndRows();
  const key = chosen ? chosen.section : freshKey(name);
  const rowLabel = param("seat_row").value.trim() || "A";
  const section = state.doc.sections.find((s) => s.key === key);
  const row = section?.rows.find((r) => r.label === rowLabel);
  const numbers = (row?.seats || []).map((s) => Number(s.label)).filter(Number.isFinite);
  const label = String(numbers.length ? Math.max(...numbers) + 1 : 1);
  const sectionName = section ? section.name : name;
  const csv = `section,row,seat,x,y,category,section_name\n${key},${rowLabel},${label},${x},${y},${category},${sectionName.replace(/[,\n]/g, " ")}\n`;
  operate("import_csv", { csv, mode: "merge" }, { keepSelection: true });
}

// --- pointer handling ------------------------------------------------------------------------

function toMap(event) {
  const point = canvas.createSVGPoint();
  point.x = event.clientX;
  point.y = event.clientY;
  return point.matrixTransform(layer.getScreenCTM().inverse());
}

const snap = (value) => {
  const step = Math.max(number("snap") || 1, 1);
  return Math.round(value / step) * step;
};

let gesture = null;

function itemOf(target) {
  if (target.dataset?.ref) return target.dataset.ref;
  if (target.dataset?.section) return target.dataset.section;
  if (target.dataset?.shape !== undefined) return `#${target.dataset.shape}`;
  const parent = target.closest?.("[data-ref]");
  return parent ? parent.dataset.ref : null;
}

canvas.addEventListener("pointerdown", (event) => {
  if (!state.doc || state.busy) return;
  const at = toMap(event);
  if (state.tool === "pan" || event.button === 1) {
    gesture = { kind: "pan", startX: event.clientX, startY: event.clientY, view: { ...state.view } };
  } else if (state.tool !== "select") {
    placeAt(state.tool, snap(at.x), snap(at.y));
    return;
  } else {
    const item = itemOf(event.target);
    if (item) {
      if (event.shiftKey) {
        if (state.selection.has(item)) state.selection.delete(item);
        else state.selection.add(item);
      } else if (!state.selection.has(item)) {
        state.selection = new Set([item]);
      }
      render();
      gesture = state.selection.has(item) ? { kind: "drag", start: at, moved: false } : null;
    } else {
      if (!event.shiftKey) state.selection.clear();
      render();
      gesture = { kind: "marquee", start: at };
      marquee.style.display = "";
      updateMarquee(at, at);
    }
  }
  canvas.setPointerCapture(event.pointerId);
});

function updateMarquee(a, b) {
  marquee.setAttribute("x", Math.min(a.x, b.x));
  marquee.setAttribute("y", Math.min(a.y, b.y));
  marquee.setAttribute("width", Math.abs(a.x - b.x));
  marquee.setAttribute("height", Math.abs(a.y - b.y));
}

canvas.addEventListener("pointermove", (event) => {
  if (!gesture) return;
  if (gesture.kind === "pan") {
    const scale = state.view.w / canvas.clientWidth;
    setView({ ...gesture.view, x: gesture.view.x - (event.clientX - gesture.startX) * scale,
      y: gesture.view.y - (event.clientY - gesture.startY) * scale });
    return;
  }
  const at = toMap(event);
  if (gesture.kind === "marquee") {
    updateMarquee(gesture.start, at);
  } else if (gesture.kind === "drag") {
    const dx = snap(at.x - gesture.start.x);
    const dy = snap(at.y - gesture.start.y);
    gesture.moved = gesture.moved || dx !== 0 || dy !== 0;
    for (const node of layer.querySelectorAll(".selected")) node.setAttribute("transform", `translate(${dx} ${dy})`);
    gesture.dx = dx;
    gesture.dy = dy;
  }
});

canvas.addEventListener("pointerup", (event) => {
  const done = gesture;
  gesture = null;
  if (!done) return;
  if (done.kind === "marquee") {
    marquee.style.display = "none";
    const end = toMap(event);
    const [x0, x1] = [Math.min(done.start.x, end.x), Math.max(done.start.x, end.x)];
    const [y0, y1] = [Math.min(done.start.y, end.y), Math.max(done.start.y, end.y)];
    if (x1 - x0 > 2 || y1 - y0 > 2) {
      for (const s of seats()) if (s.x >= x0 && s.x <= x1 && s.y >= y0 && s.y <= y1) state.selection.add(s.ref);
    }
    render();
  } else if (done.kind === "drag" && done.moved) {
    const shapes = [...state.selection].filter((r) => r.startsWith("#"));
    const selection = selectionParams();
    if (shapes.length && !selection.seats.length && !selection.sections.length) {
      render();
      renderStatus("Labels and shapes cannot be moved yet: delete and place again.", true);
      return;
    }
    operate("move", { selection, dx: done.dx, dy: done.dy }, { keepSelection: true });
  }
});

canvas.addEventListener("wheel", (event) => {
  if (!state.view) return;
  event.preventDefault();
  const at = toMap(event);
  const factor = event.deltaY > 0 ? 1.15 : 1 / 1.15;
  const v = state.view;
  setView({ x: at.x - (at.x - v.x) * factor, y: at.y - (at.y - v.y) * factor, w: v.w * factor, h: v.h * factor });
}, { passive: false });

// --- buttons and keys ------------------------------------------------------------------------

function chooseTool(tool) {
  state.tool = tool;
  for (const button of root.querySelectorAll("[data-tool]")) button.setAttribute("aria-pressed", String(button.dataset.tool === tool));
  canvas.style.cursor = tool === "pan" ? "grab" : tool === "select" ? "default" : "crosshair";
}

const actions = {
  undo: () => state.history.length && replaceDraft(state.history.at(-1), state.history, state.future),
  redo: () => state.future.length && replaceDraft(state.future.at(-1), state.future, state.history),
  "zoom-fit": () => setView(bounds()),
  reload: () => guarded(load),
  "select-section": () => {
    const keys = new Set([...state.selection].map((r) => r.split("/")[0]));
    for (const s of seats()) if (keys.has(s.section.key)) state.selection.add(s.ref);
    render();
  },
  delete: () => {
    const shapes = [...state.selection].filter((r) => r.startsWith("#")).map((r) => Number(r.slice(1)));
    const selection = selectionParams();
    if (selection.seats.length || selection.sections.length) operate("delete", { selection });
    else if (shapes.length) operate("delete_shape", { index: Math.max(...shapes) });
  },
  rotate: () => {
    const selection = selectionParams();
    if (!selection.seats.length && !selection.sections.length) return renderStatus("Select something to rotate.", true);
    operate("rotate", { selection, degrees: number("degrees") }, { keepSelection: true });
  },
  curve: () => {
    const chosen = chosenSectionAndRows();
    if (!chosen) return renderStatus("Select seats of the rows to curve.", true);
    operate("curve", { section: chosen.section, rows: chosen.rows, radius: number("radius") }, { keepSelection: false });
  },
  renumber: () => {
    const chosen = chosenSectionAndRows();
    if (!chosen) return renderStatus("Select seats of the rows to renumber.", true);
    const params = {
      section: chosen.section,
      rows: chosen.rows,
      seat_numbering: { start: number("start"), scheme: param("numbering").value,
        direction: param("rtl").checked ? "rtl" : "ltr" },
    };
    if (param("relabel_rows").checked) params.row_labels = { scheme: "letters", start: "A" };
    operate("renumber", params);
  },
  "upsert-category": () => operate("upsert_category", {
    key: param("cat_key").value.trim(), name: param("cat_name").value.trim(), color: param("cat_color").value,
  }, { keepSelection: true }),
  publish: () => guarded(async () => {
    const version = await call("POST", `${base}/publish`, { version: state.version });
    renderStatus(`Published version ${version.number} (${version.seat_count} seats).`);
    statusLine.dataset.published = version.number;
  }),
};

root.addEventListener("click", (event) => {
  const tool = event.target.closest("[data-tool]");
  if (tool) return chooseTool(tool.dataset.tool);
  const action = event.target.closest("[data-action]");
  if (action && actions[action.dataset.action]) return actions[action.dataset.action]();
  const paint = event.target.closest("[data-paint]");
  if (paint) {
    const selection = selectionParams();
    if (!selection.seats.length && !selection.sections.length) return renderStatus("Select seats to paint first.", true);
    operate("assign_category", { selection, category: paint.dataset.paint }, { keepSelection: true });
  }
});

document.addEventListener("keydown", (event) => {
  if (event.target.closest("input, select, textarea")) return;
  const mod = event.ctrlKey || event.metaKey;
  if (mod && event.key.toLowerCase() === "z") {
    event.preventDefault();
    (event.shiftKey ? actions.redo : actions.undo)();
  } else if (mod && event.key.toLowerCase() === "y") {
    event.preventDefault();
    actions.redo();
  } else if (event.key === "Delete" || event.key === "Backspace") {
    actions.delete();
  } else if (event.key === "Escape") {
    state.selection.clear();
    render();
  } else if (event.key === "v") chooseTool("select");
  else if (event.key === "h") chooseTool("pan");
});

guarded(load);
