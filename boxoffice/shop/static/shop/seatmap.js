// The interactive seat map: the event's SVG (drawn by the server, one <circle class="seat"
// data-seat="section/row/seat"> per seat), coloured by live status, zoomable and pannable with
// mouse, wheel, touch (pinch) and buttons, with tooltips, click to select and keyboard operation
// (roving focus: one seat at a time is in the tab order; arrows move, Enter/Space select).

const MIN_ZOOM = 1;
const MAX_ZOOM = 40;
const DRAG_THRESHOLD = 6; // px: more movement than this is a pan, not a click
// A finger needs a target of at least ~24 CSS px (WCAG 2.2 target size); a tap on a block whose
// seats are drawn smaller zooms to that block so that its seats are this big, and selects nothing.
const MIN_TAP = 24;
const TAP_ZOOM_TO = 34;

export class SeatMap {
  constructor({ container, tooltip, describe, onToggle }) {
    this.container = container;
    this.tooltip = tooltip;
    this.describe = describe; // position -> {label, detail}
    this.onToggle = onToggle; // position -> void
    this.places = []; // position -> {ref, kind, section, row, label, category}
    this.circles = []; // position -> SVGCircleElement | undefined (spots have none)
    this.byRef = new Map(); // ref -> position
    this.statuses = "";
    this.mine = new Set(); // positions in our hold
    this.rows = new Map(); // "section/row" -> [positions]
    this.rowOrder = new Map(); // section -> ["section/row", ...]
    this.focused = null;
  }

  async load(svgUrl, seatsUrl) {
    const [svgText, seats] = await Promise.all([
      fetch(svgUrl).then((response) => {
        if (!response.ok) throw new Error("map");
        return response.text();
      }),
      fetch(seatsUrl).then((response) => response.json()),
    ]);
    this.container.innerHTML = svgText;
    this.svg = this.container.querySelector("svg");
    this.svg.removeAttribute("role");
    this.svg.setAttribute("role", "group");
    this.svg.setAttribute("aria-roledescription", "seat map");
    this.svg.setAttribute("aria-label", "Seat map. Use the arrow keys to move between seats, Enter to select.");
    this.svg.querySelector(":scope > title")?.remove();
    const columns = seats.columns;
    const at = Object.fromEntries(columns.map((name, index) => [name, index]));
    const circleByRef = new Map();
    for (const circle of this.svg.querySelectorAll("circle.seat[data-seat]")) {
      circleByRef.set(circle.dataset.seat, circle);
    }
    seats.seats.forEach((row, position) => {
      const place = {
        ref: row[at.ref], kind: row[at.kind], section: row[at.section], row: row[at.row],
        label: row[at.label], category: row[at.category],
      };
      this.places.push(place);
      this.byRef.set(place.ref, position);
      const circle = circleByRef.get(place.ref);
      if (circle) {
        this.circles[position] = circle;
        circle.dataset.position = position;
        const rowKey = `${place.section}/${place.row}`;
        let positions = this.rows.get(rowKey);
        if (!positions) {
          positions = [];
          this.rows.set(rowKey, positions);
          if (!this.rowOrder.has(place.section)) this.rowOrder.set(place.section, []);
          this.rowOrder.get(place.section).push(rowKey);
        }
        positions.push(position);
      }
    });
    this.setupView();
    this.setupPointer();
    this.setupKeyboard();
    return this;
  }

  // --- status -------------------------------------------------------------------------------

  applySnapshot(statuses) {
    const previous = this.statuses;
    this.statuses = statuses;
    for (let position = 0; position < statuses.length; position++) {
      if (statuses[position] !== previous[position]) this.paint(position);
    }
  }

  applyChanges(changes) {
    const letters = this.statuses.split("");
    for (const [position, letter] of changes) {
      if (position < letters.length) letters[position] = letter;
    }
    this.statuses = letters.join("");
    for (const [position] of changes) this.paint(position);
  }

  status(position) {
    return this.statuses[position] || "a";
  }

  isFree(position) {
    return this.status(position) === "a" && !this.mine.has(position);
  }

  setMine(positions) {
    const before = this.mine;
    this.mine = new Set(positions);
    for (const position of before) this.paint(position);
    for (const position of this.mine) this.paint(position);
  }

  paint(position) {
    const circle = this.circles[position];
    if (!circle) return;
    const mine = this.mine.has(position);
    circle.classList.toggle("mine", mine);
    circle.classList.toggle("taken", !mine && this.status(position) !== "a");
    if (circle === this.focused) this.label(circle);
    // A tooltip open on this seat says what it is now (after a click it was still "available").
    if (!this.tooltip.hidden && this.tooltipPosition === position) this.fillTooltip(position);
  }

  // --- view: zoom and pan by viewBox --------------------------------------------------------

  setupView() {
    const [x, y, width, height] = this.svg.getAttribute("viewBox").split(/[\s,]+/).map(Number);
    this.home = { x, y, width, height };
    this.view = { ...this.home };
    this.svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    for (const button of document.querySelectorAll("[data-zoom]")) {
      button.addEventListener("click", () => {
        const how = button.dataset.zoom;
        if (how === "reset") this.setView({ ...this.home });
        else this.zoomBy(how === "in" ? 1.6 : 1 / 1.6);
      });
    }
  }

  setView(view) {
    const zoom = this.home.width / view.width;
    if (zoom < MIN_ZOOM) view = { ...this.home };
    if (zoom > MAX_ZOOM) return;
    // Keep some of the map in sight.
    view.x = Math.min(Math.max(view.x, this.home.x - view.width / 2), this.home.x + this.home.width - view.width / 2);
    view.y = Math.min(Math.max(view.y, this.home.y - view.height / 2), this.home.y + this.home.height - view.height / 2);
    this.view = view;
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => {
        this.frame = null;
        const v = this.view;
        this.svg.setAttribute("viewBox", `${v.x} ${v.y} ${v.width} ${v.height}`);
        this.svg.classList.toggle("zoomed", this.home.width / v.width > 2.5);
      });
    }
  }

  // The map point under a screen point.
  toMap(clientX, clientY) {
    const point = new DOMPoint(clientX, clientY).matrixTransform(this.svg.getScreenCTM().inverse());
    return { x: point.x, y: point.y };
  }

  zoomBy(factor, clientX, clientY) {
    const rect = this.svg.getBoundingClientRect();
    const center = this.toMap(clientX ?? rect.left + rect.width / 2, clientY ?? rect.top + rect.height / 2);
    const width = this.view.width / factor;
    const height = this.view.height / factor;
    this.setView({
      x: center.x - (center.x - this.view.x) / factor,
      y: center.y - (center.y - this.view.y) / factor,
      width, height,
    });
  }

  panBy(dxScreen, dyScreen) {
    const scale = this.view.width / this.svg.getBoundingClientRect().width;
    const ratio = Math.max(scale, this.view.height / this.svg.getBoundingClientRect().height);
    this.setView({ ...this.view, x: this.view.x - dxScreen * ratio, y: this.view.y - dyScreen * ratio });
  }

  setupPointer() {
    const pointers = new Map();
    let moved = 0;
    let pinch = null;
    this.svg.addEventListener("wheel", (event) => {
      event.preventDefault();
      this.zoomBy(event.deltaY < 0 ? 1.25 : 0.8, event.clientX, event.clientY);
    }, { passive: false });
    let pointerType = "mouse";
    this.svg.addEventListener("pointerdown", (event) => {
      pointerType = event.pointerType;
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (pointers.size === 1) moved = 0;
      if (pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        pinch = Math.hypot(a.x - b.x, a.y - b.y);
      }
    });
    this.svg.addEventListener("pointermove", (event) => {
      const last = pointers.get(event.pointerId);
      if (last) {
        const dx = event.clientX - last.x;
        const dy = event.clientY - last.y;
        pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
        if (pointers.size === 1) {
          moved += Math.abs(dx) + Math.abs(dy);
          if (moved > DRAG_THRESHOLD) {
            if (!this.svg.hasPointerCapture(event.pointerId)) this.svg.setPointerCapture(event.pointerId);
            this.panBy(dx, dy);
          }
        } else if (pointers.size === 2 && pinch) {
          const [a, b] = [...pointers.values()];
          const distance = Math.hypot(a.x - b.x, a.y - b.y);
          moved = DRAG_THRESHOLD + 1;
          this.zoomBy(distance / pinch, (a.x + b.x) / 2, (a.y + b.y) / 2);
          pinch = distance;
        }
        this.hideTooltip();
        return;
      }
      this.hover(event);
    });
    const up = (event) => {
      pointers.delete(event.pointerId);
      if (pointers.size < 2) pinch = null;
    };
    this.svg.addEventListener("pointerup", up);
    this.svg.addEventListener("pointercancel", up);
    this.svg.addEventListener("pointerleave", () => this.hideTooltip());
    this.svg.addEventListener("click", (event) => {
      if (moved > DRAG_THRESHOLD) return;
      if (pointerType !== "mouse" && this.zoomToTap(event)) return;
      const circle = event.target.closest?.("circle.seat[data-position]");
      if (!circle) return;
      const position = Number(circle.dataset.position);
      this.focusSeat(position, { scroll: false });
      this.onToggle(position);
    });
  }

  // A tap (touch or pen) on a block drawn too small for a finger: zoom so its seats are
  // TAP_ZOOM_TO px, centred on the block when it fits on screen, else on the tap. True if zoomed.
  zoomToTap(event) {
    const section = event.target.closest?.("g.section");
    const seat = event.target.closest?.("circle.seat") || section?.querySelector("circle.seat");
    if (!seat) return false;
    const size = seat.getBoundingClientRect().width;
    if (!size || size >= MIN_TAP) return false;
    const factor = Math.min(TAP_ZOOM_TO / size, (MAX_ZOOM * this.view.width) / this.home.width);
    const frame = this.svg.getBoundingClientRect();
    let centre = { x: event.clientX, y: event.clientY };
    const block = section?.getBoundingClientRect();
    if (block && block.width * factor <= frame.width && block.height * factor <= frame.height) {
      centre = { x: block.left + block.width / 2, y: block.top + block.height / 2 };
    }
    const point = this.toMap(centre.x, centre.y);
    const width = this.view.width / factor;
    const height = this.view.height / factor;
    this.hideTooltip();
    this.setView({ x: point.x - width / 2, y: point.y - height / 2, width, height });
    return true;
  }

  hover(event) {
    const circle = event.target.closest?.("circle.seat[data-position]");
    if (!circle) {
      this.hideTooltip();
      return;
    }
    this.showTooltip(Number(circle.dataset.position), event.clientX, event.clientY);
  }

  fillTooltip(position) {
    const { label, detail } = this.describe(position);
    this.tooltip.replaceChildren();
    const strong = document.createElement("strong");
    strong.textContent = label;
    this.tooltip.append(strong, document.createElement("br"), detail);
  }

  showTooltip(position, clientX, clientY) {
    this.tooltipPosition = position;
    this.fillTooltip(position);
    this.tooltip.hidden = false;
    // Inside the map's box, whatever its width: on a phone a tooltip past the edge widened the
    // whole page (426 px on a 390 px screen).
    const box = this.container.getBoundingClientRect();
    const area = this.tooltip.offsetParent?.getBoundingClientRect() || box;
    const width = this.tooltip.offsetWidth;
    const x = Math.min(clientX - area.left + 14, box.right - area.left - width);
    this.tooltip.style.transform = `translate(${Math.max(0, x)}px, ${clientY - area.top + 14}px)`;
  }

  hideTooltip() {
    this.tooltip.hidden = true;
  }

  // --- keyboard -----------------------------------------------------------------------------

  setupKeyboard() {
    const first = this.circles.findIndex((circle, position) => circle && this.isFree(position));
    const start = first >= 0 ? first : this.circles.findIndex(Boolean);
    if (start >= 0) this.makeTabStop(start);
    this.svg.addEventListener("keydown", (event) => {
      if (this.focused === null) return;
      const position = Number(this.focused.dataset.position);
      let next = null;
      switch (event.key) {
        case "ArrowRight": next = this.along(position, 1); break;
        case "ArrowLeft": next = this.along(position, -1); break;
        case "ArrowDown": next = this.across(position, 1); break;
        case "ArrowUp": next = this.across(position, -1); break;
        case "Home": next = this.rowEnd(position, 0); break;
        case "End": next = this.rowEnd(position, -1); break;
        case "+": case "=": this.zoomBy(1.6); event.preventDefault(); return;
        case "-": this.zoomBy(1 / 1.6); event.preventDefault(); return;
        case "Enter": case " ":
          event.preventDefault();
          this.onToggle(position);
          return;
        default: return;
      }
      event.preventDefault();
      if (next !== null && next !== undefined) this.focusSeat(next, { scroll: true });
    });
    this.svg.addEventListener("focusin", (event) => {
      const circle = event.target.closest?.("circle.seat[data-position]");
      if (circle) {
        const rect = circle.getBoundingClientRect();
        this.showTooltip(Number(circle.dataset.position), rect.right, rect.bottom);
      }
    });
    this.svg.addEventListener("focusout", () => this.hideTooltip());
  }

  rowOf(position) {
    const place = this.places[position];
    return `${place.section}/${place.row}`;
  }

  along(position, step) {
    const row = this.rows.get(this.rowOf(position));
    const index = row.indexOf(position) + step;
    return index >= 0 && index < row.length ? row[index] : null;
  }

  rowEnd(position, which) {
    const row = this.rows.get(this.rowOf(position));
    return row.at(which);
  }

  across(position, step) {
    const place = this.places[position];
    const order = this.rowOrder.get(place.section);
    const here = this.rowOf(position);
    const target = order[order.indexOf(here) + step];
    if (!target) return null;
    // The seat of the next row nearest on screen.
    const from = this.circles[position].getBoundingClientRect();
    let best = null;
    let bestDistance = Infinity;
    for (const candidate of this.rows.get(target)) {
      const box = this.circles[candidate].getBoundingClientRect();
      const distance = Math.abs(box.left - from.left) + Math.abs(box.top - from.top) / 4;
      if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
    }
    return best;
  }

  makeTabStop(position) {
    if (this.focused) {
      this.focused.removeAttribute("tabindex");
      this.focused.removeAttribute("role");
      this.focused.removeAttribute("aria-label");
      this.focused.removeAttribute("aria-pressed");
    }
    const circle = this.circles[position];
    circle.setAttribute("tabindex", "0");
    circle.setAttribute("role", "button");
    this.focused = circle;
    this.label(circle);
  }

  label(circle) {
    const position = Number(circle.dataset.position);
    const { label, detail } = this.describe(position);
    circle.setAttribute("aria-label", `${label}, ${detail}`);
    circle.setAttribute("aria-pressed", this.mine.has(position) ? "true" : "false");
  }

  focusSeat(position, { scroll }) {
    if (!this.circles[position]) return;
    this.makeTabStop(position);
    this.focused.focus({ preventScroll: true });
    if (scroll) this.reveal(this.focused);
  }

  reveal(circle) {
    const box = circle.getBoundingClientRect();
    const frame = this.svg.getBoundingClientRect();
    const margin = 24;
    if (box.left < frame.left + margin || box.right > frame.right - margin ||
        box.top < frame.top + margin || box.bottom > frame.bottom - margin) {
      const centre = this.toMap(box.left + box.width / 2, box.top + box.height / 2);
      this.setView({ ...this.view, x: centre.x - this.view.width / 2, y: centre.y - this.view.height / 2 });
    }
  }
}
