"""The image store writes all images or none."""

from __future__ import annotations

import threading

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from imagegen.adapters.image_store import ImageStore
from imagegen.models.errors import InternalError
from imagegen.models.images import ModelImage

IMAGE = ModelImage(data=b"\x89PNG...", seed=3, content_type="image/png", width=1024, height=1024)


class FlakyS3:
    """An S3 client whose every second write fails (writes run in parallel, in any order)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.written: list[str] = []
        self.deleted: list[str] = []
        self.calls = 0

    def put_object(self, **params):
        with self.lock:
            self.calls += 1
            if self.calls % 2 == 0:
                raise ClientError({"Error": {"Code": "SlowDown", "Message": "slow down"}}, "PutObject")
            self.written.append(params["Key"])

    def delete_objects(self, Bucket, Delete):
        self.deleted.extend(item["Key"] for item in Delete["Objects"])


def test_a_failed_write_removes_exactly_the_images_already_written():
    client = FlakyS3()
    with pytest.raises(InternalError):
        ImageStore(client, bucket="bkt").put_images([IMAGE] * 4, owner_id="req-1", metadata={"model": "m"})
    assert len(client.written) == 2
    assert sorted(client.deleted) == sorted(client.written)


def test_keys_are_unique_per_image_and_grouped_by_owner():
    client = boto3.client("s3", region_name="us-west-2")
    store = ImageStore(client, bucket="bkt")
    with Stubber(client) as stubber:
        for _ in range(3):
            stubber.add_response("put_object", {"ETag": '"1"'})
        stored = store.put_images([IMAGE] * 3, owner_id="req-1", metadata={})
    keys = [image.key for image in stored]
    assert len(set(keys)) == 3
    assert all(key.startswith("images/req-1/") and key.endswith(".png") for key in keys)
    assert [image.bytes for image in stored] == [len(IMAGE.data)] * 3
