"""The image store writes all images or none."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import ANY, Stubber
from imagegen.bedrock import ModelImage
from imagegen.errors import InternalError
from imagegen.image_store import ImageStore

IMAGE = ModelImage(data=b"\x89PNG...", seed=3, content_type="image/png", width=1024, height=1024)


def test_a_failed_write_removes_the_images_already_written():
    client = boto3.client("s3", region_name="us-west-2")
    store = ImageStore(client, bucket="bkt")
    with Stubber(client) as stubber:
        # Writes run in parallel, so the first recorded answer goes to whichever call comes first.
        stubber.add_response(
            "put_object",
            {"ETag": '"1"'},
            {"Bucket": "bkt", "Key": ANY, "Body": ANY, "ContentType": "image/png", "Metadata": ANY, "IfNoneMatch": "*"},
        )
        stubber.add_client_error("put_object", service_error_code="SlowDown", http_status_code=503)
        stubber.add_response("delete_objects", {"Deleted": []}, {"Bucket": "bkt", "Delete": ANY})
        with pytest.raises(InternalError):
            store.put_images([IMAGE, IMAGE], owner_id="req-1", metadata={"model": "m"})
        stubber.assert_no_pending_responses()


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
