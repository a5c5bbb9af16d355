#!/usr/bin/env python3
"""A bounded load run and a crash check against `obsctl serve` with boto3 (Tests/ObsctlCLITests/ServeLoadTests.swift).

    serve_load.py load BUCKET SECONDS CLIENTS
        CLIENTS threads, each with its own client and its own keys (tNN/...), mix puts (a third SSE-KMS, one in ten
        several MiB), gets (compared byte for byte with what was put), lists (the listing must be exactly the keys
        the thread holds) and deletes until SECONDS have passed. Prints {"ok", "ops", "errors", "samples", ...}.
    serve_load.py crash-prepare BUCKET KEYS
        Version 0 of KEYS objects (SSE-KMS on every other one) and three multipart uploads left unfinished.
    serve_load.py crash-upload BUCKET KEYS CLIENTS
        CLIENTS threads overwrite the KEYS objects with versions 1, 2, ... (half of the keys by multipart upload)
        until the server goes away; prints "in flight" once uploads run. Run it, kill -9 the server, read its output.
    serve_load.py crash-verify BUCKET KEYS
        After a restart: the listing holds every key, each object is one whole version (never torn), the unfinished
        uploads are listed and aborted.

The server: SERVE_ENDPOINT, SERVE_ACCESS_KEY, SERVE_SECRET_KEY, SERVE_REGION (plain HTTP). Object bodies are
derived from (key, version), so the checker knows every version without storing any. Exit 0 when ok.
"""
import hashlib
import json
import os
import random
import sys
import threading
import time

ENDPOINT = os.environ["SERVE_ENDPOINT"]
AK = os.environ["SERVE_ACCESS_KEY"]
SK = os.environ["SERVE_SECRET_KEY"]
REGION = os.environ.get("SERVE_REGION", "local")
MiB = 1 << 20
PART = 5 * MiB
MAX_VERSION = 1000


def client(timeout=120):
    import boto3
    from botocore.config import Config
    cfg = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, signature_version="s3v4",
                 request_checksum_calculation="when_required", response_checksum_validation="when_required",
                 connect_timeout=10, read_timeout=timeout, max_pool_connections=4)
    return boto3.client("s3", endpoint_url=ENDPOINT, aws_access_key_id=AK, aws_secret_access_key=SK,
                        region_name=REGION, config=cfg)


def body(key, version, size):
    return random.Random("%s:%d" % (key, version)).randbytes(size)


# ------------------------------------------------------------------------------------------------------ load

def load(bucket, seconds, clients):
    s3 = client()
    s3.create_bucket(Bucket=bucket)
    deadline = time.time() + seconds
    lock = threading.Lock()
    ops = {"put": 0, "put_kms": 0, "get": 0, "list": 0, "delete": 0}
    counts = {"errors": 0, "mismatches": 0, "bytes_put": 0, "bytes_got": 0}
    samples = []

    def fail(kind, detail):
        with lock:
            counts[kind] += 1
            if len(samples) < 20:
                samples.append("%s: %s" % (kind, detail))

    def worker(n):
        c = client()
        rng = random.Random(n)
        held = {}  # key -> (version, size, kms)
        version = 0
        while time.time() < deadline:
            r = rng.random()
            try:
                if r < 0.35 or not held:
                    key = "t%02d/k%03d" % (n, rng.randrange(40))
                    version += 1
                    size = rng.randrange(4 * MiB, 9 * MiB) if rng.random() < 0.1 else rng.randrange(0, 256 << 10)
                    kms = rng.random() < 1 / 3
                    extra = {"ServerSideEncryption": "aws:kms"} if kms else {}
                    c.put_object(Bucket=bucket, Key=key, Body=body(key, version, size), **extra)
                    held[key] = (version, size, kms)
                    with lock:
                        ops["put"] += 1
                        ops["put_kms"] += kms
                        counts["bytes_put"] += size
                elif r < 0.70:
                    key = rng.choice(sorted(held))
                    v, size, kms = held[key]
                    got = c.get_object(Bucket=bucket, Key=key)
                    data = got["Body"].read()
                    if data != body(key, v, size):
                        fail("mismatches", "%s v%d: %d bytes back, %d put" % (key, v, len(data), size))
                    if kms and got.get("ServerSideEncryption") != "aws:kms":
                        fail("mismatches", "%s: SSE %r, expected aws:kms" % (key, got.get("ServerSideEncryption")))
                    with lock:
                        ops["get"] += 1
                        counts["bytes_got"] += len(data)
                elif r < 0.85:
                    keys, token = [], None
                    while True:
                        extra = {"ContinuationToken": token} if token else {}
                        page = c.list_objects_v2(Bucket=bucket, Prefix="t%02d/" % n, MaxKeys=17, **extra)
                        keys += [o["Key"] for o in page.get("Contents", [])]
                        if not page.get("IsTruncated"):
                            break
                        token = page["NextContinuationToken"]
                    if keys != sorted(held):
                        fail("mismatches", "list t%02d/: %d keys, %d held" % (n, len(keys), len(held)))
                    with lock:
                        ops["list"] += 1
                else:
                    key = rng.choice(sorted(held))
                    c.delete_object(Bucket=bucket, Key=key)
                    del held[key]
                    with lock:
                        ops["delete"] += 1
            except Exception as e:  # noqa: BLE001: every failure is counted and sampled
                fail("errors", "%s: %s" % (type(e).__name__, e))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = counts["errors"] == 0 and counts["mismatches"] == 0 and ops["get"] > 0 and ops["put_kms"] > 0
    print(json.dumps(dict(counts, ok=ok, ops=ops, samples=samples, seconds=round(time.time() - started, 1))))
    return 0 if ok else 1


# ------------------------------------------------------------------------------------------------------ crash

def crash_key(i):
    return "obj/%03d" % i


def crash_size(key, version):
    # Multipart keys (odd) are 2-3 parts; single-PUT keys a few hundred KiB to 3 MiB.
    rng = random.Random("size:%s:%d" % (key, version))
    return rng.randrange(PART + 1, 3 * PART) if int(key[-3:]) % 2 else rng.randrange(200 << 10, 3 * MiB)


def crash_prepare(bucket, keys):
    s3 = client()
    s3.create_bucket(Bucket=bucket)
    for i in range(keys):
        key = crash_key(i)
        extra = {"ServerSideEncryption": "aws:kms"} if i % 2 == 0 else {}
        s3.put_object(Bucket=bucket, Key=key, Body=body(key, 0, crash_size(key, 0)), **extra)
    ids = []
    for i in range(3):
        up = s3.create_multipart_upload(Bucket=bucket, Key="abandoned/%d" % i)
        s3.upload_part(Bucket=bucket, Key="abandoned/%d" % i, UploadId=up["UploadId"], PartNumber=1,
                       Body=body("abandoned", i, PART))
        ids.append(up["UploadId"])
    print(json.dumps({"ok": True, "uploads": ids}))
    return 0


def crash_upload(bucket, keys, clients):
    lock = threading.Lock()
    done = {"puts": 0, "errors": 0}
    announced = threading.Event()

    def worker(n):
        c = client(timeout=30)
        version = 0
        while True:
            version += 1
            for i in range(n, keys, clients):
                key = crash_key(i)
                data = body(key, version, crash_size(key, version))
                try:
                    if not announced.is_set():
                        announced.set()
                        print("in flight", flush=True)
                    if i % 2:
                        up = c.create_multipart_upload(Bucket=bucket, Key=key)
                        parts = []
                        for p, off in enumerate(range(0, len(data), PART), start=1):
                            r = c.upload_part(Bucket=bucket, Key=key, UploadId=up["UploadId"], PartNumber=p,
                                              Body=data[off:off + PART])
                            parts.append({"PartNumber": p, "ETag": r["ETag"]})
                        c.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up["UploadId"],
                                                    MultipartUpload={"Parts": parts})
                    else:
                        c.put_object(Bucket=bucket, Key=key, Body=data, ServerSideEncryption="aws:kms")
                    with lock:
                        done["puts"] += 1
                except Exception:  # noqa: BLE001: the server was killed: this client stops
                    with lock:
                        done["errors"] += 1
                    return
                if version >= MAX_VERSION:
                    return

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(dict(done, ok=True)))
    return 0


def crash_verify(bucket, keys, abandoned):
    s3 = client()
    problems = []
    listed, token = [], None
    while True:
        extra = {"ContinuationToken": token} if token else {}
        page = s3.list_objects_v2(Bucket=bucket, Prefix="obj/", **extra)
        listed += [o["Key"] for o in page.get("Contents", [])]
        if not page.get("IsTruncated"):
            break
        token = page["NextContinuationToken"]
    expected = [crash_key(i) for i in range(keys)]
    if listed != expected:
        problems.append("listing: %s" % listed)
    versions = {}
    for key in expected:
        data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        digest = hashlib.sha256(data).digest()
        # Only versions of the right length can match: few are hashed.
        match = next((v for v in range(MAX_VERSION + 1) if crash_size(key, v) == len(data)
                      and hashlib.sha256(body(key, v, len(data))).digest() == digest), None)
        if match is None:
            problems.append("%s: %d bytes that are no whole version (torn)" % (key, len(data)))
        versions[key] = match
    uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    ids = {u["UploadId"] for u in uploads}
    missing = [u for u in abandoned if u not in ids]
    if missing:
        problems.append("unfinished uploads not listed: %s" % missing)
    for u in uploads:
        s3.abort_multipart_upload(Bucket=bucket, Key=u["Key"], UploadId=u["UploadId"])
    left = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    if left:
        problems.append("uploads left after abort: %d" % len(left))
    ok = not problems
    print(json.dumps({"ok": ok, "problems": problems, "versions": versions, "uploads_listed": len(uploads),
                      "new_versions": sum(1 for v in versions.values() if v)}))
    return 0 if ok else 1


def main(argv):
    cmd = argv[1]
    if cmd == "load":
        return load(argv[2], float(argv[3]), int(argv[4]))
    if cmd == "crash-prepare":
        return crash_prepare(argv[2], int(argv[3]))
    if cmd == "crash-upload":
        return crash_upload(argv[2], int(argv[3]), int(argv[4]))
    if cmd == "crash-verify":
        return crash_verify(argv[2], int(argv[3]), argv[4].split(",") if len(argv) > 4 and argv[4] else [])
    sys.exit("unknown command %s" % cmd)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
