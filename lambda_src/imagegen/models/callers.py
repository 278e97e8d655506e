"""Who is calling the API, as API Gateway's authorizer identified them, and what they may read.

- IAM (SigV4): the principal. An assumed-role session counts as its role, so a caller's next
  session (a new Lambda container, a refreshed SSO login) still reads its jobs; an IAM user
  counts as the user.
- API key mode: the key.
- No authorizer (the local run without a signature): one anonymous caller.

A job created through POST /jobs belongs to its caller. Jobs from S3 drops and EventBridge
belong to the deployment: IAM callers (and the local anonymous caller) may read them, API-key
callers may not, as a key is handed to parties who should see only their own work."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from imagegen.models.jobs import JobRecord

# arn:aws:sts::123456789012:assumed-role/RoleName/session-name -> the role part.
_ASSUMED_ROLE = re.compile(r"^(?P<role>arn:[a-z-]+:sts::\d{12}:assumed-role/[^/]+)/[^/]+$")

CallerKind = Literal["iam", "api_key", "anonymous"]


@dataclass(frozen=True)
class Caller:
    id: str
    kind: CallerKind

    def may_read(self, job: JobRecord) -> bool:
        """Whether this caller may read `job`. An API job with no owner (recorded before owners
        were) is nobody's to read."""
        if job.trigger != "api":  # an S3 drop's or an event's: the deployment's
            return self.kind != "api_key"
        return job.owner is not None and job.owner == self.id


ANONYMOUS = Caller("anonymous", "anonymous")


def caller_from_identity(identity: Any) -> Caller:
    """The caller of an API Gateway REST proxy event's `requestContext.identity`."""
    user_arn = identity.user_arn
    if user_arn:
        match = _ASSUMED_ROLE.match(user_arn)
        return Caller(match["role"] if match else user_arn, "iam")
    if identity.api_key_id:
        return Caller(f"apikey:{identity.api_key_id}", "api_key")
    return ANONYMOUS
