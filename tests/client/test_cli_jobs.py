"""Jobs, S3 drops and events through the CLI: submitted, read, waited for (through a transient
model fault too), listed for their caller only; drops and events read back from their results."""

from __future__ import annotations

import json
import os
import re

from PIL import Image

from tests.client.conftest import image_size, imagegen, json_output


def _request(tmp_path, document, name="request.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def test_jobs_submit_status_and_wait(tmp_path):
    request = _request(tmp_path, {"prompt": "a lighthouse at dusk", "count": 2, "seed": 77})
    accepted = json_output(imagegen("jobs", "submit", request, "--json"))
    assert accepted["status"] == "queued" and accepted["status_url"].endswith(accepted["job_id"])

    status = json_output(imagegen("jobs", "status", accepted["job_id"], "--json"))
    assert status["job_id"] == accepted["job_id"] and status["status"] in ("queued", "running", "succeeded")

    finished = json_output(imagegen("jobs", "wait", accepted["job_id"], "--out", tmp_path / "out", "--json"))
    assert finished["status"] == "succeeded"
    assert sorted(path.rsplit("/", 1)[-1] for path in finished["files"]) == ["generate-77.png", "generate-78.png"]


def test_jobs_submit_with_an_operation_and_a_local_image_waits_for_it(tmp_path, photo):
    request = _request(tmp_path, {"operation": "upscale/fast", "image": f"@{photo}"})
    finished = json_output(imagegen("jobs", "submit", request, "--wait", "--out", tmp_path, "--json"))
    assert finished["operation"] == "upscale/fast"
    assert image_size(finished["files"][0]) == (1024, 768)


def test_waiting_survives_a_transient_model_fault(tmp_path, emulator):
    # The worker's model calls are throttled twice, retried, and the job still succeeds.
    emulator.fault("throttle", 2)
    accepted = json_output(imagegen("jobs", "submit", _request(tmp_path, {"prompt": "a red bicycle"}), "--json"))
    finished = json_output(imagegen("jobs", "wait", accepted["job_id"], "--out", tmp_path, "--json"))
    assert finished["status"] == "succeeded" and len(finished["files"]) == 1


def test_a_failed_job_exits_with_its_errors_class(tmp_path, emulator):
    emulator.fault("filter_prompt", 1)
    result = imagegen("jobs", "submit", _request(tmp_path, {"prompt": "something"}), "--wait", "--out", tmp_path)
    assert result.exit_code == 4, result.stderr
    assert "content_filtered" in result.stderr


def test_list_mine_lists_the_signers_own_jobs(tmp_path, monkeypatch):
    # The local gateway runs a signed request as the IAM user its access key names.
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "any-secret")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "CLIENTTESTA")
    request = _request(tmp_path, {"prompt": "a lighthouse"})
    job_id = json_output(imagegen("jobs", "submit", request, "--auth", "sigv4", "--json"))["job_id"]

    mine = json_output(imagegen("jobs", "list-mine", "--auth", "sigv4", "--json"))
    assert job_id in [job["job_id"] for job in mine["jobs"]]
    assert json_output(imagegen("jobs", "status", job_id, "--auth", "sigv4", "--json"))["job_id"] == job_id

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "CLIENTTESTB")
    theirs = json_output(imagegen("jobs", "list-mine", "--auth", "sigv4", "--json"))
    assert job_id not in [job["job_id"] for job in theirs["jobs"]]
    not_found = imagegen("jobs", "status", job_id, "--auth", "sigv4")
    assert not_found.exit_code == 8 and "not_found" in not_found.stderr


def test_list_mine_pages_with_a_cursor(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "any-secret")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "CLIENTTESTPAGES")
    request = _request(tmp_path, {"prompt": "a lighthouse"})
    submitted = [json_output(imagegen("jobs", "submit", request, "--auth", "sigv4", "--json"))["job_id"] for _ in "abc"]
    first = json_output(imagegen("jobs", "list-mine", "--limit", "2", "--auth", "sigv4", "--json"))
    assert len(first["jobs"]) == 2 and first["next_cursor"]
    second = json_output(
        imagegen("jobs", "list-mine", "--limit", "2", "--cursor", first["next_cursor"], "--auth", "sigv4", "--json")
    )
    listed = [job["job_id"] for job in first["jobs"] + second["jobs"]]
    assert listed == submitted[::-1]  # newest first


def test_drop_completes_and_its_result_is_read_back(tmp_path, photo):
    request = _request(tmp_path, {"operation": "edit/remove-background", "image": f"@{photo}"})
    result = json_output(imagegen("drop", request, "--name", "client-drop", "--out", tmp_path, "--json"))
    assert result["status"] == "succeeded" and result["trigger"] == "s3"
    assert result["inputs"]["image"].startswith("inline:sha256:")  # small enough to go inside the request
    assert image_size(result["files"][0]) == (256, 192)


def test_event_completes_and_its_result_is_read_back(tmp_path):
    request = _request(tmp_path, {"prompt": "a red bicycle", "seed": 5})
    result = json_output(imagegen("event", request, "--request-id", "client-event", "--out", tmp_path, "--json"))
    assert result["status"] == "succeeded" and result["trigger"] == "eventbridge"
    assert result["files"][0].endswith("generate-5.png")


def test_an_image_too_large_for_an_event_is_put_in_the_bucket_and_named(tmp_path):
    # An event is at most 256 KB: this image goes under inputs/ and the event names it by its key.
    noise = tmp_path / "noise.png"
    Image.frombytes("RGB", (300, 300), os.urandom(300 * 300 * 3)).save(noise, compress_level=0)
    request = _request(tmp_path, {"operation": "upscale/fast", "image": f"@{noise}"})
    result = json_output(imagegen("event", request, "--out", tmp_path, "--json"))
    assert re.fullmatch(r"inputs/[0-9a-f]{32}\.png", result["inputs"]["image"])
    assert image_size(result["files"][0]) == (1200, 1200)


def test_drop_without_waiting_names_its_result(tmp_path):
    answer = json_output(imagegen("drop", _request(tmp_path, {"prompt": "a cat"}), "--no-wait", "--json"))
    assert answer["result_key"] == f"results/{answer['name']}.json"
