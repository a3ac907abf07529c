// Points a reader places on a plane by hand (the line widget's, the playground's own): a click or
// a tap adds one of the chosen class, a drag moves one, alt-click (or Delete) removes one, and the
// keyboard does all of it: A adds a point, [ and ] select one, the arrows move it, C changes its
// class, Delete removes it. The widget draws the points (it knows what else is on its plane);
// this module keeps them, hears the pointer and the keys, and says when they changed.

export const RADIUS = 6; // CSS pixels of a point as the widgets draw it
const KEY_STEP = 0.02; // how far an arrow key moves a point, in the plane's units (shift: five times)

export class PlacedPoints {
  // `canvas` is the plane, `size` its side in CSS pixels and `extent` half the side in the plane's
  // units. `classes()` says how many classes a point may have, `chosen()` the class a new point
  // gets; `edited()` hears of every change (added, moved, relabelled, removed), `selected()` of a
  // new selection, `full()` of a point refused because there are `max` already.
  constructor(canvas, { size, extent, classes, chosen, edited, selected = () => {}, full = () => {}, max = Infinity }) {
    Object.assign(this, { canvas, size, extent, classes, chosen, edited, onSelect: selected, full, max });
    this.points = []; // {x, y, label}
    this.selected = -1;
    canvas.classList.add("nn-editable");
    canvas.setAttribute("role", "application");
    canvas.tabIndex = 0;
    this.listen();
  }

  toCanvas(x, y) {
    const { size, extent } = this;
    return [((x + extent) / (2 * extent)) * size, ((extent - y) / (2 * extent)) * size];
  }

  toPlane(px, py) {
    const { size, extent } = this;
    return [(px / size) * 2 * extent - extent, extent - (py / size) * 2 * extent];
  }

  clamp(v) {
    return Math.max(-this.extent, Math.min(this.extent, v));
  }

  set(points) {
    this.points = points.map((p) => ({ ...p }));
    this.select(-1);
  }

  select(i) {
    this.selected = i;
    this.onSelect(i);
  }

  add(x, y, label) {
    if (this.points.length >= this.max) return this.full();
    this.points.push({ x: this.clamp(x), y: this.clamp(y), label });
    this.select(this.points.length - 1);
    this.edited();
  }

  removeSelected() {
    if (this.selected < 0) return;
    this.points.splice(this.selected, 1);
    this.select(Math.min(this.selected, this.points.length - 1));
    this.edited();
  }

  clear() {
    this.points = [];
    this.select(-1);
    this.edited();
  }

  move(i, x, y) {
    this.points[i].x = this.clamp(x);
    this.points[i].y = this.clamp(y);
    this.edited();
  }

  pointerPosition(event) {
    const box = this.canvas.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * this.size, ((event.clientY - box.top) / box.height) * this.size];
  }

  // The point under (px, py) in canvas pixels, or -1.
  hit(px, py) {
    let best = -1;
    let bestDistance = (RADIUS + 4) ** 2;
    this.points.forEach((p, i) => {
      const [cx, cy] = this.toCanvas(p.x, p.y);
      const d = (cx - px) ** 2 + (cy - py) ** 2;
      if (d <= bestDistance) {
        best = i;
        bestDistance = d;
      }
    });
    return best;
  }

  listen() {
    const { canvas } = this;
    let dragging = false;
    canvas.addEventListener("pointerdown", (event) => {
      if (event.pointerType === "touch") return; // a finger scrolls; its tap arrives as a click
      const [px, py] = this.pointerPosition(event);
      const i = this.hit(px, py);
      if (i >= 0 && event.altKey) {
        this.select(i);
        this.removeSelected();
      } else if (i >= 0) {
        this.select(i);
        dragging = true;
        canvas.setPointerCapture(event.pointerId);
      } else {
        // Shift: the next class after the chosen one.
        this.add(...this.toPlane(px, py), (this.chosen() + (event.shiftKey ? 1 : 0)) % this.classes());
      }
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!dragging || this.selected < 0) return;
      this.move(this.selected, ...this.toPlane(...this.pointerPosition(event)));
    });
    canvas.addEventListener("click", (event) => {
      if (event.pointerType !== "touch") return;
      const [px, py] = this.pointerPosition(event);
      const i = this.hit(px, py);
      if (i >= 0) this.select(i);
      else this.add(...this.toPlane(px, py), this.chosen());
    });
    const endDrag = () => (dragging = false);
    canvas.addEventListener("pointerup", endDrag);
    canvas.addEventListener("pointercancel", endDrag);

    canvas.addEventListener("keydown", (event) => {
      const step = event.shiftKey ? 5 * KEY_STEP : KEY_STEP;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
      const { points, selected } = this;
      if (event.key in moves && selected >= 0) {
        const [dx, dy] = moves[event.key];
        this.move(selected, points[selected].x + dx, points[selected].y + dy);
      } else if (event.key === "a" || event.key === "A") {
        this.add(0, 0, this.chosen());
      } else if ((event.key === "[" || event.key === "]") && points.length) {
        const n = points.length;
        this.select(event.key === "]" ? (selected + 1) % n : selected <= 0 ? n - 1 : selected - 1);
      } else if ((event.key === "c" || event.key === "C") && selected >= 0) {
        points[selected].label = (points[selected].label + 1) % this.classes();
        this.edited();
      } else if (event.key === "Delete" || event.key === "Backspace") {
        this.removeSelected();
      } else {
        return;
      }
      event.preventDefault();
    });
  }
}

// The help under a plane of placed points, in the words of the reader's pointer.
export function placingHelp() {
  const keys = "Keys: A adds a point, [ and ] select one, arrows move it, C changes its class, Delete removes it.";
  if (matchMedia("(pointer: coarse)").matches) {
    return "Tap to add a point of the chosen class, tap a point to select it; Remove takes it away. " +
      `Swiping scrolls the page as usual. With a keyboard: ${keys.slice(6)}`;
  }
  return "Click to add a point, shift-click for the next class, drag to move, alt-click to remove. " + keys;
}
