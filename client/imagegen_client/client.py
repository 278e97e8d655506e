"""The client: one object per API, with a typed method per operation (operations.py), jobs,
uploads, S3 drops, events and downloads. Requests are checked against the service's own request
models (generated from its OpenAPI document) before anything is sent or uploaded."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import botocore.session
import pydantic
import requests
from botocore.credentials import ReadOnlyCredentials

from imagegen_client import _generated
from imagegen_client.aws import AwsEntryPoints
from imagegen_client.errors import AuthError, ImageGenError, ValidationError, WaitTimeoutError
from imagegen_client.images import (
    EVENT_INLINE_BUDGET_BYTES,
    INLINE_BUDGET_BYTES,
    Store,
    content_type_of,
    extension_of,
    prepare_images,
    with_placeholders,
)
from imagegen_client.locations import resolve_deployment
from imagegen_client.operations import Operations
from imagegen_client.transport import AuthMode, RetryPolicy, Transport, sigv4_headers

GenerationResponse = _generated.GenerationResponse
ImageView = _generated.ImageView
Job = _generated.JobView
JobAccepted = _generated.JobAccepted
JobPage = _generated.JobPage
UploadForm = _generated.UploadForm
FINISHED = ("succeeded", "failed")
DEFAULT_REGION = "us-east-1"


def _is_model_name(part: object) -> bool:
    return isinstance(part, str) and isinstance(getattr(_generated, part, None), type)


def check_request(operation: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The request document of `operation`, checked against its request model: the fields left
    out stay out (the service's defaults apply). A rule broken raises ValidationError naming it."""
    model = _generated.OPERATION_REQUESTS.get(operation)
    if model is None:
        known = ", ".join(sorted(_generated.OPERATION_REQUESTS))
        raise ValidationError(None, "validation_error", f"Unknown operation {operation!r}; known: {known}")
    try:
        return model.model_validate(dict(fields)).model_dump(mode="json", exclude_unset=True)
    except pydantic.ValidationError as exc:
        errors: list[dict[str, str]] = []
        found = exc.errors()
        # The other branches of a union also miss what the branch given does not need: a missing
        # field is worth saying only when nothing else is wrong.
        if any(error["type"] != "missing" for error in found):
            found = [error for error in found if error["type"] != "missing"]
        for error in found:
            # A union (e.g. prompt or text_prompts) reports each of its branches, named after the
            # generated classes: the field path leaves them out, and the same complaint is said once.
            path = ".".join(str(part) for part in error["loc"] if part != "root" and not _is_model_name(part))
            entry = {"field": path or "body", "message": error["msg"]}
            if entry not in errors:
                errors.append(entry)
        summary = "; ".join(f"{error['field']}: {error['message']}" for error in errors[:3])
        raise ValidationError(None, "validation_error", f"Invalid request: {summary}", {"errors": errors}) from None


class ImageGenClient(Operations):
    """A client of one deployment (`api_url`, else as resolve_api_url finds it).

    `auth` defaults to SigV4 (credentials from the standard AWS chain, or `session`'s) for a
    deployed API and to none for the local run, which takes unsigned requests."""

    def __init__(
        self,
        api_url: str | None = None,
        *,
        auth: AuthMode | None = None,
        api_key: str | None = None,
        session: botocore.session.Session | None = None,
        region: str | None = None,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        http: requests.Session | None = None,
        sleep: Callable[[float], None] | None = None,
    ):
        self.deployment = resolve_deployment(api_url)
        self.session = session or botocore.session.Session()
        self.region = region or self.deployment.region or self.session.get_config_variable("region") or DEFAULT_REGION
        self.auth: AuthMode = auth or ("none" if self.deployment.local else "sigv4")
        # Between two polls of a job; the transport waits between retries with the same function.
        self._sleep = sleep or time.sleep
        self.transport = Transport(
            self.deployment.api_url,
            auth=self.auth,
            region=self.region,
            credentials=self._credentials,
            api_key=api_key,
            timeout=timeout,
            retry=retry,
            http=http,
            sleep=sleep,
        )
        self.aws = AwsEntryPoints(self.deployment, self.session, self.region)

    @property
    def api_url(self) -> str:
        return self.deployment.api_url

    def sign(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        """`headers` with what authenticates a request to this API, as this client sends its own
        (SigV4 from the standard credential chain, or the API key): the playground's server signs
        the requests it forwards with it, so the browser never holds a credential."""
        signed = dict(headers)
        if self.auth == "api_key":
            signed["x-api-key"] = self.transport.api_key or ""
        elif self.auth == "sigv4":
            credentials = self._credentials()
            if credentials is None:
                raise AuthError(None, "no_credentials", "No AWS credentials found in the standard chain")
            signed.update(sigv4_headers(credentials, self.region, method, url, body, headers))
        return signed

    def _credentials(self) -> ReadOnlyCredentials | None:
        credentials = self.session.get_credentials()
        return credentials.get_frozen_credentials() if credentials is not None else None

    def _request(self, operation: str, fields: Mapping[str, Any], store: Store, budget: int) -> dict[str, Any]:
        """Checks the request first (so nothing is uploaded for a request that would be refused),
        then carries its local images inline or stored."""
        given = {name: value for name, value in fields.items() if value is not None}
        check_request(operation, with_placeholders(given))
        return check_request(operation, prepare_images(given, store, budget=budget))

    def _upload_reference(self, data: bytes, content_type: str | None) -> dict[str, str]:
        return {"upload_id": self.upload(data, content_type=content_type)}

    def run(self, operation: str, **fields: Any) -> GenerationResponse:
        """Runs an operation synchronously: the stored images, with presigned URLs."""
        document = self._request(operation, fields, self._upload_reference, INLINE_BUDGET_BYTES)
        response = self.transport.request("POST", "/" + operation, document=document)
        return GenerationResponse.model_validate_json(response.content)

    def submit_job(
        self, operation: str = "images", *, idempotency_key: str | None = None, **fields: Any
    ) -> JobAccepted:
        """Queues an operation as a job (POST /jobs); the same Idempotency-Key and body give the same job."""
        document = {
            "operation": operation,
            **self._request(operation, fields, self._upload_reference, INLINE_BUDGET_BYTES),
        }
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        response = self.transport.request("POST", "/jobs", document=document, headers=headers)
        return JobAccepted.model_validate_json(response.content)

    def job(self, job_id: str) -> Job:
        response = self.transport.request("GET", "/jobs/" + quote(job_id, safe=""))
        return Job.model_validate_json(response.content)

    def jobs(self, limit: int | None = None, cursor: str | None = None) -> JobPage:
        """A page of the caller's own jobs, newest first; pass next_cursor back for the next one."""
        response = self.transport.request("GET", "/jobs", params={"limit": limit, "cursor": cursor})
        return JobPage.model_validate_json(response.content)

    def wait(
        self,
        job_id: str,
        *,
        timeout: float = 600.0,
        poll_interval: float = 1.0,
        on_status: Callable[[Job], None] | None = None,
    ) -> Job:
        """Polls a job until it has succeeded or failed (a failed job is returned, not raised: its
        `error` says why). `on_status` sees the job whenever its status changes."""
        return self._poll(lambda: self.job(job_id), f"job {job_id}", timeout, poll_interval, on_status)

    def _poll(
        self,
        read: Callable[[], Job | None],
        what: str,
        timeout: float,
        poll_interval: float,
        on_status: Callable[[Job], None] | None,
    ) -> Job:
        deadline = time.monotonic() + timeout
        last_status = None
        while True:
            job = read()
            if job is not None and job.status != last_status:
                last_status = job.status
                if on_status is not None:
                    on_status(job)
            if job is not None and job.status in FINISHED:
                return job
            if time.monotonic() + poll_interval > deadline:
                raise WaitTimeoutError(None, "wait_timeout", f"{what} did not finish within {timeout:g} s")
            self._sleep(poll_interval)

    def upload(self, image: str | Path | bytes, *, content_type: str | None = None) -> str:
        """Uploads a local image (POST /uploads, then its presigned S3 POST); answers its upload_id."""
        data = image if isinstance(image, bytes) else Path(image).expanduser().read_bytes()
        content_type = content_type or content_type_of(data)
        document = {"content_type": content_type} if content_type else {}
        answer = self.transport.request("POST", "/uploads", document=document)
        form = UploadForm.model_validate_json(answer.content)
        if len(data) > form.max_bytes:
            raise ValidationError(
                None, "payload_too_large", f"The image is {len(data)} bytes; at most {form.max_bytes}"
            )
        posted = self.transport.http.post(
            form.url, data=form.fields, files={"file": ("image", data)}, timeout=self.transport.timeout
        )
        if posted.status_code >= 300:
            raise ValidationError(posted.status_code, "upload_rejected", f"S3 refused the upload: {posted.text[:300]}")
        return form.upload_id

    def drop(self, request: dict[str, Any], name: str | None = None) -> str:
        """Drops a job request (its `operation` field names the operation) at
        requests/<name>.json of the bucket; answers the name, which names its result too."""
        name = name or uuid.uuid4().hex
        self.aws.drop(self._event_request(request, budget=INLINE_BUDGET_BYTES), name)
        return name

    def put_event(self, request: dict[str, Any], request_id: str | None = None) -> str:
        """Puts an ImageGenerationRequested event; answers its request_id, which names its result."""
        request_id = request_id or uuid.uuid4().hex
        detail = {**self._event_request(request, budget=EVENT_INLINE_BUDGET_BYTES), "request_id": request_id}
        self.aws.put_event(detail)
        return request_id

    def _event_request(self, request: dict[str, Any], *, budget: int) -> dict[str, Any]:
        fields = dict(request)
        operation = str(fields.pop("operation", "images"))
        fields.pop("request_id", None)
        return {"operation": operation, **self._request(operation, fields, self.aws.put_input, budget)}

    def result(self, name: str) -> Job | None:
        """The result document of a drop or an event (results/<name>.json), None until written."""
        document = self.aws.result(name)
        return Job.model_validate(document) if document is not None else None

    def wait_result(
        self,
        name: str,
        *,
        timeout: float = 600.0,
        poll_interval: float = 1.0,
        on_status: Callable[[Job], None] | None = None,
    ) -> Job:
        return self._poll(lambda: self.result(name), f"result {name}", timeout, poll_interval, on_status)

    def download(self, image: ImageView, directory: str | Path, *, stem: str | None = None) -> Path:
        """Saves an image under `directory` as <stem>-<seed>.<ext> (never over another file)."""
        response = self.transport.http.get(image.url, timeout=self.transport.timeout)
        if response.status_code != 200:
            raise ImageGenError(
                response.status_code, "download_failed", f"GET {image.key}: HTTP {response.status_code}"
            )
        folder = Path(directory).expanduser()
        folder.mkdir(parents=True, exist_ok=True)
        base = f"{stem or 'image'}-{image.seed}"
        extension = extension_of(image.content_type)
        path, number = folder / f"{base}.{extension}", 1
        while path.exists():
            number += 1
            path = folder / f"{base}-{number}.{extension}"
        path.write_bytes(response.content)
        return path
