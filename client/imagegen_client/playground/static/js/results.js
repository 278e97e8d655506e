// What the page shows back: errors in plain words, the gallery of images, the jobs and their
// live status.

import { callApi } from "./api.js";
import { element } from "./dom.js";

const FINAL = new Set(["succeeded", "failed"]);
const POLL_MS = 1000;

// The contract's {code, message, details}: the message, the code, then each field at fault.
export function renderError(container, error) {
  const code = error.code ?? "error";
  const items = [];
  for (const problem of error.details?.errors ?? []) {
    items.push(element("li", {}, element("code", { text: problem.field ?? "(request)" }), `: ${problem.message}`));
  }
  for (const [name, value] of Object.entries(error.details ?? {})) {
    if (name !== "errors") items.push(element("li", { text: `${name}: ${typeof value === "string" ? value : JSON.stringify(value)}` }));
  }
  if (error.retryAfter) items.push(element("li", { text: `Try again in ${error.retryAfter} s.` }));
  container.replaceChildren(
    element("p", { class: "error-message", text: error.message }),
    element("p", { class: "error-code" }, "Code ", element("code", { text: code }), error.status ? ` (HTTP ${error.status})` : ""),
    items.length ? element("ul", { class: "error-fields" }, ...items) : null,
  );
  container.hidden = false;
}

function size(bytes) {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

// One figure per image: the picture, its seed, size and a link to it by its S3 key.
export function addImages(gallery, result, source) {
  for (const image of result.images ?? []) {
    const figure = element(
      "figure",
      { class: "result", "data-seed": image.seed, "data-key": image.key, "data-width": image.width, "data-height": image.height },
      element("a", { href: image.url, target: "_blank", rel: "noopener" }, element("img", { src: image.url, alt: image.key, loading: "lazy" })),
      element(
        "figcaption",
        {},
        element("span", { class: "operation", text: result.operation ?? source }),
        element("span", { class: "seed", text: `seed ${image.seed}` }),
        element("span", { class: "size", text: `${image.width}×${image.height}, ${size(image.bytes)}` }),
        element("a", { class: "key", href: image.url, target: "_blank", rel: "noopener", text: image.key }),
      ),
    );
    gallery.prepend(figure);
  }
}

// A job in the list, polled (GET /jobs/{id}) until it succeeds or fails.
export function trackJob(list, gallery, job) {
  const status = element("span", { class: "status" });
  const detail = element("div", { class: "job-detail" });
  const item = element(
    "li",
    { class: "job", "data-job-id": job.job_id },
    element("code", { class: "job-id", text: job.job_id }),
    element("span", { class: "job-operation", text: job.operation ?? "" }),
    status,
    detail,
  );
  list.prepend(item);
  const show = (view) => {
    status.textContent = view.status;
    item.dataset.status = view.status;
    if (view.operation) item.querySelector(".job-operation").textContent = view.operation;
  };
  const finish = (view) => {
    if (view.status === "succeeded") addImages(gallery, view, "job");
    else if (view.error) renderError(detail, view.error);
  };
  show(job);
  if (FINAL.has(job.status) && job.images) return; // listed at load: its images are not re-added
  const poll = async () => {
    try {
      const view = await callApi("GET", `/jobs/${encodeURIComponent(job.job_id)}`);
      show(view);
      if (FINAL.has(view.status)) return finish(view);
    } catch (error) {
      renderError(detail, error);
      if (error.status === 404) return;
    }
    setTimeout(poll, POLL_MS);
  };
  setTimeout(poll, job.status === "queued" ? POLL_MS / 2 : 0);
}
