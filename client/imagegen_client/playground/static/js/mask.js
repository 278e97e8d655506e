// A mask painted with the mouse over the chosen image: white where the model may change the
// image, black where it must keep it, at the image's own size (the API requires that size).

import { element } from "./dom.js";

const MAX_DISPLAY_WIDTH = 512;

export class MaskPainter {
  constructor(host) {
    this.view = element("canvas", { class: "mask-view", "aria-label": "Mask: paint over the image" });
    this.brush = element("input", { type: "range", min: "2", max: "120", value: "32", "aria-label": "Brush size" });
    const clear = element("button", { type: "button", text: "Clear mask" });
    clear.addEventListener("click", () => this.clear());
    this.empty = element("p", { class: "mask-empty", text: "Choose an image, then paint the area to change." });
    host.append(this.empty, this.view, element("div", { class: "mask-tools" }, "Brush ", this.brush, clear));
    this.view.hidden = true;
    this.bitmap = null;
    this.mask = null; // full-size black/white canvas sent to the API
    this.painted = false;
    this.last = null;
    this.view.addEventListener("pointerdown", (event) => this.#start(event));
    this.view.addEventListener("pointermove", (event) => this.#move(event));
    for (const type of ["pointerup", "pointerleave", "pointercancel"]) {
      this.view.addEventListener(type, () => (this.last = null));
    }
  }

  async setImage(file) {
    this.bitmap = file ? await createImageBitmap(file) : null;
    this.view.hidden = !this.bitmap;
    this.empty.hidden = Boolean(this.bitmap);
    if (!this.bitmap) return;
    const { width, height } = this.bitmap;
    this.scale = Math.min(1, MAX_DISPLAY_WIDTH / width); // view pixels per image pixel
    this.view.width = Math.round(width * this.scale);
    this.view.height = Math.round(height * this.scale);
    this.mask = Object.assign(document.createElement("canvas"), { width, height });
    this.mask.getContext("2d", { willReadFrequently: true }); // read back once per request
    this.clear();
  }

  clear() {
    this.painted = false;
    if (!this.bitmap) return;
    const mask = this.mask.getContext("2d");
    mask.fillStyle = "#000";
    mask.fillRect(0, 0, this.mask.width, this.mask.height);
    this.#redraw();
  }

  // The image, lightened where the mask is white ("screen" leaves it as it is under black).
  #redraw() {
    const view = this.view.getContext("2d");
    view.globalCompositeOperation = "source-over";
    view.globalAlpha = 1;
    view.drawImage(this.bitmap, 0, 0, this.view.width, this.view.height);
    view.globalCompositeOperation = "screen";
    view.globalAlpha = 0.6;
    view.drawImage(this.mask, 0, 0, this.view.width, this.view.height);
  }

  #point(event) {
    const box = this.view.getBoundingClientRect();
    // Image pixels, whatever size CSS gives the canvas.
    return {
      x: ((event.clientX - box.left) / box.width) * this.mask.width,
      y: ((event.clientY - box.top) / box.height) * this.mask.height,
    };
  }

  #start(event) {
    if (!this.bitmap) return;
    this.view.setPointerCapture?.(event.pointerId);
    this.last = this.#point(event);
    this.#stroke(this.last, this.last);
  }

  #move(event) {
    if (!this.last) return;
    const point = this.#point(event);
    this.#stroke(this.last, point);
    this.last = point;
  }

  #stroke(from, to) {
    const mask = this.mask.getContext("2d");
    mask.strokeStyle = "#fff";
    mask.lineCap = mask.lineJoin = "round";
    mask.lineWidth = Number(this.brush.value) / this.scale;
    mask.beginPath();
    mask.moveTo(from.x, from.y);
    mask.lineTo(to.x + 0.01, to.y); // a click alone still leaves a dot
    mask.stroke();
    this.painted = true;
    this.#redraw();
  }

  // The mask as a PNG of the image's size, pure black and white (the brush's soft edges are
  // thresholded); null when nothing was painted, so that the API falls back to the image's alpha.
  async toBlob() {
    if (!this.bitmap || !this.painted) return null;
    const context = this.mask.getContext("2d");
    const pixels = context.getImageData(0, 0, this.mask.width, this.mask.height);
    const data = pixels.data;
    for (let i = 0; i < data.length; i += 4) {
      const value = data[i] >= 128 ? 255 : 0;
      data[i] = data[i + 1] = data[i + 2] = value;
      data[i + 3] = 255;
    }
    context.putImageData(pixels, 0, 0);
    return new Promise((done) => this.mask.toBlob(done, "image/png"));
  }
}
