"""Job state in DynamoDB. Every transition is a conditional write, so duplicate deliveries
and concurrent workers can never run a job twice or overwrite a finished one."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.config import Config
from botocore.exceptions import ClientError

from imagegen.contract import OWNER_INDEX
from imagegen.models.errors import ImageServiceError
from imagegen.models.images import StoredImage
from imagegen.models.jobs import JobRecord, Trigger

if TYPE_CHECKING:
    from botocore.session import Session
    from mypy_boto3_dynamodb import DynamoDBClient

_KEY_PREFIX = "job#"


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def create_client(session: Session) -> DynamoDBClient:
    return cast("DynamoDBClient", session.create_client("dynamodb", config=Config(retries={"mode": "standard"})))


def _to_record(item: dict[str, Any]) -> JobRecord:
    def s(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    def n(name: str) -> int | None:
        return int(item[name]["N"]) if name in item else None

    return JobRecord(
        job_id=item["pk"]["S"].removeprefix(_KEY_PREFIX),
        status=item["status"]["S"],
        trigger=item["trigger"]["S"],
        request_id=item["request_id"]["S"],
        created_at=item["created_at"]["S"],
        updated_at=item["updated_at"]["S"],
        attempt=n("attempt") or 0,
        model=s("model"),
        request=json.loads(item["request"]["S"]) if "request" in item else None,
        result_key=s("result_key"),
        images=[StoredImage(**image) for image in json.loads(s("images") or "[]")],
        error=json.loads(item["error"]["S"]) if "error" in item else None,
        retryable=item.get("retryable", {}).get("BOOL", False),
        notified=item.get("notified", {}).get("BOOL", False),
        lease_until=n("lease_until"),
        finalizing_until=n("finalizing_until"),
        fingerprint=s("fingerprint"),
        source_key=s("source_key"),
        source_etag=s("source_etag"),
        owner=s("owner"),
        operation=s("operation") or "images",
        inputs=json.loads(s("inputs") or "{}"),
    )


def _is_condition_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class JobStore:
    def __init__(self, client: DynamoDBClient, *, table: str, retention_days: int):
        self._client = client
        self._table = table
        self._ttl_seconds = retention_days * 86400

    def _key(self, job_id: str) -> dict[str, Any]:
        return {"pk": {"S": _KEY_PREFIX + job_id}}

    def create(
        self,
        *,
        job_id: str,
        trigger: Trigger,
        request_id: str,
        model: str | None = None,
        request: dict[str, Any] | None = None,
        result_key: str | None = None,
        fingerprint: str | None = None,
        source_key: str | None = None,
        source_etag: str | None = None,
        owner: str | None = None,
        operation: str | None = None,
        inputs: dict[str, str] | None = None,
    ) -> bool:
        """Records a queued job; False if the job already exists (a duplicate)."""
        now = _now_iso()
        item: dict[str, Any] = {
            **self._key(job_id),
            "status": {"S": "queued"},
            "trigger": {"S": trigger},
            "request_id": {"S": request_id},
            "created_at": {"S": now},
            "updated_at": {"S": now},
            "attempt": {"N": "0"},
            "expiration": {"N": str(int(time.time()) + self._ttl_seconds)},
        }
        optional = {
            "model": model,
            "result_key": result_key,
            "fingerprint": fingerprint,
            "source_key": source_key,
            "source_etag": source_etag,
            "owner": owner,
            "operation": operation,
            "inputs": json.dumps(inputs, separators=(",", ":")) if inputs else None,
        }
        item.update({name: {"S": value} for name, value in optional.items() if value})
        if request is not None:
            item["request"] = {"S": json.dumps(request, separators=(",", ":"))}
        try:
            self._client.put_item(TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as exc:
            if _is_condition_failure(exc):
                return False
            raise
        return True

    def owned_by(
        self, owner: str, *, limit: int, start_after: dict[str, Any] | None = None
    ) -> tuple[list[JobRecord], dict[str, Any] | None]:
        """`owner`'s jobs, newest first, from the owner index (a Query, never a Scan): at most `limit`
        of them after `start_after` (a page's last key), and the key the next page starts after
        (None on the last page). The index is eventually consistent: a job created a moment ago
        may show a moment later."""
        arguments: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": OWNER_INDEX,
            "KeyConditionExpression": "#owner = :owner",
            "ExpressionAttributeNames": {"#owner": "owner"},
            "ExpressionAttributeValues": {":owner": {"S": owner}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start_after:
            arguments["ExclusiveStartKey"] = start_after
        response = self._client.query(**arguments)
        return [_to_record(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey")

    def get(self, job_id: str) -> JobRecord | None:
        item = self._client.get_item(TableName=self._table, Key=self._key(job_id), ConsistentRead=True).get("Item")
        return _to_record(item) if item else None

    def _update(self, job_id: str, update: str, condition: str, values: dict[str, Any]) -> JobRecord | None:
        """One conditional write; None when the condition does not hold (another delivery won)."""
        expression = f"{update} {condition}"
        names = {name: name[1:] for name in ("#status", "#error", "#operation", "#inputs") if name in expression}
        # DynamoDB refuses an empty ExpressionAttributeNames.
        attribute_names: dict[str, Any] = {"ExpressionAttributeNames": names} if names else {}
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=self._key(job_id),
                UpdateExpression=update,
                ConditionExpression=condition,
                **attribute_names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if _is_condition_failure(exc):
                return None
            raise
        return _to_record(response["Attributes"])

    def claim(self, job_id: str, *, lease_seconds: int) -> JobRecord | None:
        """queued -> running, for one worker at a time. Also takes over a running job whose
        worker died (lease expired) and a failed job whose error was transient (a redrive).
        None when another worker holds the job or it is finished."""
        now = int(time.time())
        return self._update(
            job_id,
            "SET #status = :running, lease_until = :lease, attempt = attempt + :one, updated_at = :now "
            "REMOVE #error, retryable, notified, finalizing_until",
            "#status = :queued OR (#status = :running AND lease_until < :epoch) "
            # A transient failure runs again, unless its announcement is under way.
            "OR (#status = :failed AND retryable = :true "
            "AND (attribute_not_exists(finalizing_until) OR finalizing_until < :epoch))",
            {
                ":running": {"S": "running"},
                ":queued": {"S": "queued"},
                ":failed": {"S": "failed"},
                ":true": {"BOOL": True},
                ":lease": {"N": str(now + lease_seconds)},
                ":epoch": {"N": str(now)},
                ":one": {"N": "1"},
                ":now": {"S": _now_iso()},
            },
        )

    def _finish_attempt(self, job: JobRecord, update: str, values: dict[str, Any]) -> JobRecord | None:
        """Applies `update` only if `job` is still running the attempt this worker claimed."""
        return self._update(
            job.job_id,
            update,
            "#status = :running AND attempt = :attempt",
            {":running": {"S": "running"}, ":attempt": {"N": str(job.attempt)}, ":now": {"S": _now_iso()}, **values},
        )

    def succeed(
        self,
        job: JobRecord,
        *,
        model: str,
        images: list[StoredImage],
        operation: str = "images",
        inputs: dict[str, str] | None = None,
    ) -> JobRecord | None:
        """running -> succeeded, recording what ran: the model, the operation and its inputs."""
        return self._finish_attempt(
            job,
            "SET #status = :succeeded, model = :model, images = :images, #operation = :operation, "
            "#inputs = :inputs, updated_at = :now REMOVE lease_until",
            {
                ":succeeded": {"S": "succeeded"},
                ":model": {"S": model},
                ":images": {"S": json.dumps([image.__dict__ for image in images], separators=(",", ":"))},
                ":operation": {"S": operation},
                ":inputs": {"S": json.dumps(inputs or {}, separators=(",", ":"))},
            },
        )

    def fail(
        self,
        job: JobRecord,
        error: ImageServiceError,
        *,
        announce: bool = True,
        operation: str | None = None,
        inputs: dict[str, str] | None = None,
    ) -> JobRecord | None:
        """running -> failed; with announce=False the outcome is recorded as needing no announcement.
        The operation and inputs, where known by then, are recorded too (results and events say them)."""
        values: dict[str, Any] = {
            ":failed": {"S": "failed"},
            ":error": {"S": json.dumps(error.to_dict(), separators=(",", ":"))},
            ":retryable": {"BOOL": error.retryable},
        }
        update = "SET #status = :failed, #error = :error, retryable = :retryable, updated_at = :now"
        if operation is not None:
            update += ", #operation = :operation"
            values[":operation"] = {"S": operation}
        if inputs:
            update += ", #inputs = :inputs"
            values[":inputs"] = {"S": json.dumps(inputs, separators=(",", ":"))}
        if not announce:
            update += ", notified = :true"
            values[":true"] = {"BOOL": True}
        return self._finish_attempt(job, f"{update} REMOVE lease_until", values)

    def release(self, job: JobRecord, error: ImageServiceError) -> JobRecord | None:
        """running -> queued after a transient failure, keeping the error as last_error."""
        return self._finish_attempt(
            job,
            "SET #status = :queued, last_error = :error, updated_at = :now REMOVE lease_until",
            {":queued": {"S": "queued"}, ":error": {"S": json.dumps(error.to_dict(), separators=(",", ":"))}},
        )

    def begin_announcing(self, job_id: str, *, lease_seconds: int) -> JobRecord | None:
        """Takes the right to announce a finished job (result document, event), so that two
        deliveries never announce it twice. Returns the job as taken, or None if it is announced,
        being announced or not finished."""
        now = int(time.time())
        return self._update(
            job_id,
            "SET finalizing_until = :until",
            "(#status = :succeeded OR #status = :failed) AND (attribute_not_exists(notified) OR notified = :false)"
            " AND (attribute_not_exists(finalizing_until) OR finalizing_until < :epoch)",
            {
                ":succeeded": {"S": "succeeded"},
                ":failed": {"S": "failed"},
                ":false": {"BOOL": False},
                ":until": {"N": str(now + lease_seconds)},
                ":epoch": {"N": str(now)},
            },
        )

    def end_announcing(self, job: JobRecord, *, announced: bool) -> None:
        """Marks the job announced, or gives the right back after a failed announcement; only
        if the right is still the one `job` took (a redrive may have run the job again since)."""
        update = "SET notified = :true REMOVE finalizing_until" if announced else "REMOVE finalizing_until"
        values: dict[str, Any] = {":token": {"N": str(job.finalizing_until)}}
        if announced:
            values[":true"] = {"BOOL": True}
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(job.job_id),
                UpdateExpression=update,
                ConditionExpression="attribute_exists(pk) AND finalizing_until = :token",
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if not _is_condition_failure(exc):
                raise
