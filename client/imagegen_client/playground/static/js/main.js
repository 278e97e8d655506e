// The playground: every operation of the API's OpenAPI document as a form, run synchronously or
// as a job, with the results in a gallery.

import { callApi } from "./api.js";
import { element } from "./dom.js";
import { OperationForm } from "./form.js";
import { addImages, renderError, trackJob } from "./results.js";
import { describeFields, listOperations } from "./schema.js";

const $ = (id) => document.getElementById(id);
const state = { operations: [], current: null, form: null };

function select(name) {
  const operation = state.operations.find((op) => op.name === name) ?? state.operations[0];
  state.current = operation;
  for (const button of $("operations").querySelectorAll("button")) {
    button.setAttribute("aria-current", button.dataset.operation === operation.name ? "page" : "false");
  }
  $("operation-title").textContent = operation.path;
  $("operation-summary").textContent = [operation.summary, operation.schema.description].filter(Boolean).join(" — ");
  state.form = new OperationForm($("fields"), describeFields(state.doc, operation.schema));
  $("error").hidden = true;
}

async function run(event) {
  event.preventDefault();
  const button = $("run");
  const asJob = $("as-job").checked;
  const operation = state.current;
  button.disabled = true;
  $("error").hidden = true;
  $("progress").hidden = false;
  $("progress").textContent = asJob ? "Queuing the job…" : `Running ${operation.name}…`;
  try {
    const body = await state.form.body();
    if (asJob) {
      const key = $("idempotency-key").value.trim();
      const headers = key ? { "Idempotency-Key": key } : {};
      const job = await callApi("POST", "/jobs", { ...body, operation: operation.name }, headers);
      trackJob($("jobs"), $("gallery"), { ...job, operation: operation.name });
    } else {
      addImages($("gallery"), await callApi("POST", operation.path, body), operation.name);
    }
  } catch (error) {
    renderError($("error"), error);
  } finally {
    button.disabled = false;
    $("progress").hidden = true;
  }
}

async function start() {
  try {
    state.doc = await callApi("GET", "/openapi.json");
  } catch (error) {
    renderError($("error"), error);
    $("api-status").textContent = "API not reachable";
    return;
  }
  $("api-status").textContent = `${state.doc.info?.title ?? "API"} ${state.doc.info?.version ?? ""}`;
  state.operations = listOperations(state.doc);
  const nav = $("operations");
  for (const operation of state.operations) {
    const button = element("button", { type: "button", "data-operation": operation.name, title: operation.summary, text: operation.name });
    button.addEventListener("click", () => (location.hash = operation.name));
    nav.append(button);
  }
  window.addEventListener("hashchange", () => select(decodeURIComponent(location.hash.slice(1))));
  select(decodeURIComponent(location.hash.slice(1)));
  $("operation-form").addEventListener("submit", run);
  $("as-job").addEventListener("change", () => ($("job-options").hidden = !$("as-job").checked));
  $("run").disabled = false;
  try {
    const page = await callApi("GET", "/jobs?limit=10");
    for (const job of (page?.jobs ?? []).reverse()) trackJob($("jobs"), $("gallery"), job);
  } catch {
    // Listing earlier jobs is a convenience: the page works without it.
  }
}

start();
