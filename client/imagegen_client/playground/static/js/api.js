// Calls to the API, all through the playground's own server (/api/...), which signs them.
// Errors come back as ApiError carrying the contract's code, message and details.

export class ApiError extends Error {
  constructor(status, error, retryAfter = null) {
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error?.code ?? `http_${status}`;
    this.details = error?.details ?? null;
    this.retryAfter = retryAfter;
  }
}

async function readAnswer(response) {
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (response.ok) return data;
  // The contract's {"error": {...}}; API Gateway's own {"message"} or text otherwise.
  const error = data?.error ?? { message: data?.message ?? (text.slice(0, 300) || response.statusText) };
  throw new ApiError(response.status, error, response.headers.get("Retry-After"));
}

export async function callApi(method, path, body = undefined, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  return readAnswer(await fetch(`/api${path}`, init));
}

// S3 answers a refused form with XML: <Error><Code>..</Code><Message>..</Message></Error>.
async function s3Error(response) {
  const text = await response.text();
  const tag = (name) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
  return new ApiError(response.status, {
    code: `upload_${tag("Code") ?? response.status}`,
    message: tag("Message") ?? `The upload was refused (HTTP ${response.status})`,
  });
}

const UPLOAD_TYPES = ["image/png", "image/jpeg", "image/webp"];

// POST /uploads, then the presigned form with the file: straight to S3 (the form is its own
// credential); if the bucket's CORS rule does not admit this page, through the playground's
// relay, which posts the same form to the same URL. Answers the upload_id.
export async function uploadFile(file, filename = file.name || "image") {
  const request = UPLOAD_TYPES.includes(file.type) ? { content_type: file.type } : {};
  const form = await callApi("POST", "/uploads", request);
  if (file.size > form.max_bytes) {
    throw new ApiError(413, {
      code: "file_too_large",
      message: `${filename} is ${file.size} bytes; an upload takes at most ${form.max_bytes}`,
    });
  }
  const data = new FormData();
  for (const [name, value] of Object.entries(form.fields)) data.append(name, value);
  data.append("file", file, filename);
  let response;
  try {
    response = await fetch(form.url, { method: "POST", body: data });
  } catch {
    response = await fetch(`/upload/${form.upload_id}`, { method: "POST", body: data });
  }
  if (!response.ok) {
    if ((response.headers.get("Content-Type") ?? "").includes("json")) await readAnswer(response);
    throw await s3Error(response);
  }
  return form.upload_id;
}
