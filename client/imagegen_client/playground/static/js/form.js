// A form rendered from an operation's fields, and the request body read back from it. An image
// field is a file picker whose file is uploaded (POST /uploads) and sent as {"upload_id"}; a
// `mask` beside an `image` is painted over that image instead.

import { uploadFile } from "./api.js";
import { element } from "./dom.js";
import { MaskPainter } from "./mask.js";

function hint(field) {
  const parts = [];
  if (field.kind === "number" && (field.min !== undefined || field.max !== undefined)) {
    parts.push(`${field.min ?? "…"} to ${field.max ?? "…"}`);
  }
  if (field.default !== undefined && field.default !== null) parts.push(`default ${JSON.stringify(field.default)}`);
  if (!field.required) parts.push("optional");
  return parts.join(", ");
}

function control(field, id) {
  const common = { id, name: field.name, "data-field": field.name, required: field.required };
  switch (field.kind) {
    case "choice": {
      const select = element("select", common);
      if (!field.required || field.default !== undefined) {
        const label = field.default === undefined || field.default === null ? "(leave out)" : `(default: ${field.default})`;
        select.append(element("option", { value: "", text: label }));
      }
      for (const choice of field.choices) select.append(element("option", { value: choice, text: choice }));
      return select;
    }
    case "number":
      return element("input", {
        ...common,
        type: "number",
        min: field.min,
        max: field.max,
        step: field.integer ? "1" : "any",
        placeholder: field.default ?? "",
      });
    case "boolean": {
      const select = element("select", common, element("option", { value: "", text: "(leave out)" }));
      for (const value of ["true", "false"]) select.append(element("option", { value, text: value }));
      return select;
    }
    case "image":
      return element("input", { ...common, type: "file", accept: "image/png,image/jpeg,image/webp" });
    case "json":
      return element("textarea", { ...common, rows: 3, placeholder: "JSON" });
    default:
      return field.long
        ? element("textarea", { ...common, rows: 2, maxlength: field.maxLength })
        : element("input", { ...common, type: "text", maxlength: field.maxLength });
  }
}

export class OperationForm {
  constructor(container, fields) {
    this.fields = fields;
    this.controls = new Map();
    this.uploads = new WeakMap(); // a file uploaded once is sent again by its upload_id
    this.mask = null;
    container.replaceChildren();
    const hasImage = fields.some((f) => f.name === "image" && f.kind === "image");
    for (const field of fields) {
      const id = `field-${field.name}`;
      const label = element("label", { for: id }, element("span", { class: "name", text: field.name }));
      const help = element("small", { text: [field.description, hint(field)].filter(Boolean).join(" · ") });
      if (field.name === "mask" && field.kind === "image" && hasImage) {
        const host = element("div", { class: "mask-host", id });
        this.mask = new MaskPainter(host);
        container.append(element("div", { class: "field mask" }, label, host, help));
        continue;
      }
      const input = control(field, id);
      this.controls.set(field.name, input);
      container.append(element("div", { class: `field ${field.kind}` }, label, input, help));
    }
    const image = this.controls.get("image");
    if (this.mask && image) image.addEventListener("change", () => this.mask.setImage(image.files[0] ?? null));
  }

  async #upload(file, name) {
    if (!this.uploads.has(file)) this.uploads.set(file, await uploadFile(file, name));
    return { upload_id: this.uploads.get(file) };
  }

  // The request body: what was filled in; blanks are left out so the API's defaults apply.
  // Problems found here are reported like the API's own validation errors.
  async body() {
    const body = {};
    const errors = [];
    for (const field of this.fields) {
      const input = this.controls.get(field.name);
      if (!input) continue;
      if (field.kind === "image") {
        if (input.files[0]) body[field.name] = await this.#upload(input.files[0]);
        continue;
      }
      const raw = input.value.trim() === "" && field.kind !== "text" ? "" : input.value;
      if (raw === "") continue;
      if (field.kind === "number") body[field.name] = Number(raw);
      else if (field.kind === "boolean") body[field.name] = raw === "true";
      else if (field.kind === "json") {
        try {
          body[field.name] = JSON.parse(raw);
        } catch (error) {
          errors.push({ field: field.name, message: `not valid JSON (${error.message})` });
        }
      } else body[field.name] = raw;
    }
    if (errors.length) {
      const error = new Error("Some fields could not be read");
      Object.assign(error, { code: "invalid_input", details: { errors } });
      throw error;
    }
    if (this.mask) {
      const blob = await this.mask.toBlob();
      if (blob) body.mask = { upload_id: await uploadFile(blob, "mask.png") };
    }
    return body;
  }
}
