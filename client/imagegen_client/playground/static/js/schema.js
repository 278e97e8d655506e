// Reading the API's OpenAPI document: which operations it offers and what each field of an
// operation's request is, so that the page needs no edit when the API gains an operation.

export function resolve(doc, schema) {
  let seen = 0;
  while (schema && schema.$ref && seen++ < 32) {
    const path = schema.$ref.replace(/^#\//, "").split("/");
    schema = path.reduce((node, key) => node?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
  }
  return schema ?? {};
}

function bodySchema(doc, operation) {
  const ref = operation?.requestBody?.content?.["application/json"]?.schema;
  return ref ? resolve(doc, ref) : null;
}

// The operations are the request bodies POST /jobs takes: each alternative of its schema names
// one in its "operation" enum. Without that, every POST with a body but /jobs and /uploads.
export function listOperations(doc) {
  const jobs = bodySchema(doc, doc.paths?.["/jobs"]?.post);
  const named = new Set();
  for (const alternative of jobs?.oneOf ?? jobs?.anyOf ?? []) {
    for (const name of resolve(doc, alternative).properties?.operation?.enum ?? []) named.add(name);
  }
  const operations = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const schema = bodySchema(doc, item.post);
    const name = path.slice(1);
    if (!schema || (named.size ? !named.has(name) : ["jobs", "uploads"].includes(name))) continue;
    operations.push({ name, path, summary: item.post.summary ?? "", schema });
  }
  return operations;
}

// "^([pP][nN][gG]|[jJ][pP][eE][gG])$" is a case-insensitive choice: png or jpeg.
function choicesOfPattern(pattern) {
  const whole = /^\^\((.+)\)\$$/.exec(pattern ?? "");
  if (!whole) return null;
  const choices = [];
  for (const alternative of whole[1].split("|")) {
    const letters = alternative.match(/\[([a-zA-Z])([a-zA-Z])\]/g);
    if (!letters || letters.join("") !== alternative) return null;
    choices.push(letters.map((pair) => pair[1].toLowerCase()).join(""));
  }
  return choices;
}

// One form field: its kind (image, choice, text, number, boolean, json), whether it may be left
// out, and what the schema says of it.
export function describeField(doc, name, property, required) {
  const variants = (property.anyOf ?? property.oneOf ?? [property]).map((v) => resolve(doc, v));
  const values = variants.filter((v) => v.type !== "null");
  const field = {
    name,
    required,
    title: property.title ?? name,
    description: property.description ?? values.find((v) => v.description)?.description ?? "",
    default: property.default,
  };
  const isImage = values.some((v) => v.properties?.upload_id) && values.some((v) => v.type === "string");
  const only = values.length === 1 ? values[0] : null;
  if (isImage) return { ...field, kind: "image" };
  if (!only) return { ...field, kind: "json" };
  const choices = only.enum ?? (only.type === "string" ? choicesOfPattern(only.pattern) : null);
  if (choices) return { ...field, kind: "choice", choices };
  if (only.type === "string") return { ...field, kind: "text", long: /prompt/.test(name), maxLength: only.maxLength };
  if (only.type === "integer" || only.type === "number") {
    return { ...field, kind: "number", integer: only.type === "integer", min: only.minimum, max: only.maximum };
  }
  if (only.type === "boolean") return { ...field, kind: "boolean" };
  return { ...field, kind: "json" };
}

// The fields of a request, the ones a user fills first first: required, the prompt, images, other
// prompts, the rest.
export function describeFields(doc, schema) {
  const required = new Set(schema.required ?? []);
  const rank = (f) =>
    f.required ? 0 : f.name === "prompt" ? 1 : f.kind === "image" ? 2 : /prompt/.test(f.name) ? 3 : 4;
  return Object.entries(schema.properties ?? {})
    .filter(([name]) => name !== "operation")
    .map(([name, property]) => describeField(doc, name, property, required.has(name)))
    .map((field, index) => ({ field, index }))
    .sort((a, b) => rank(a.field) - rank(b.field) || a.index - b.index)
    .map(({ field }) => field);
}
