#!/usr/bin/env python3
"""Real SDKs against `obsctl serve` for obsctl's serve tests (Tests/ObsctlCLITests/Serve*Tests.swift).

    serve_sdk.py boto3|esdk|kms|raw SCENARIO [ARGS...]

The server comes from SERVE_ENDPOINT, SERVE_ACCESS_KEY, SERVE_SECRET_KEY, SERVE_REGION and SERVE_CA (the CA file
to verify its certificate against; empty for plain HTTP). Each scenario runs its steps in order and prints one JSON
line: {"ok": all steps passed, "steps": [{"step", "ok", "detail"}], ...scenario outputs}. Exit 0 when ok.

Scenarios (both clients unless marked):
  buckets BUCKET          create with SSE-KMS default, head, list, location, encryption get/put/delete, delete
  rejections BUCKET       wrong secret -> SignatureDoesNotMatch, skewed clock -> RequestTimeTooSkewed
  objects BUCKET FILE     SSE-KMS and SSE-C put/get, multipart, copy, list, batch delete (FILE: the payload);
                          boto3 also: a CRC32C aws-chunked trailer, a wrong CRC32C refused with nothing stored
  presign BUCKET          (boto3) a valid and an already expired presigned GET URL, for curl
  plain-http-refusals BUCKET
                          (boto3, a plain-HTTP server reached from another address) every SSE-C and SSE-KMS request
                          refused with 400 InvalidRequest, nothing stored or changed; plain requests work
  kms-alias BUCKET ALIAS  (boto3) SSE-KMS put, copy, multipart and bucket default naming the key 'alias/ALIAS'
  (kms) lifecycle KMS_ENDPOINT PROJECT_ID
                          every key and data-key operation through huaweicloudsdkkms, with the project id given
  (kms) iam-lookup KMS_ENDPOINT PROJECT_ID
                          the SDK finds the project id itself through IAM (GET /v3/projects?name=REGION)
  (kms) wrong-secret KMS_ENDPOINT PROJECT_ID
                          a wrong secret key: the SDK's 401 APIGW.0301
  (kms) denied KMS_ENDPOINT PROJECT_ID
                          create-datakey under a policy denying kms:dek:create: 403 KMS.0306
  (kms) extra-headers KMS_ENDPOINT PROJECT_ID
                          list-keys signed by the SDK's Signer with extra headers (signed, '_', added after signing)
  (kms) held-bodies KMS_ENDPOINT PROJECT_ID COUNT [forged]
                          COUNT unsigned describe-keys announcing a body that never comes: each one's status, then
                          an SDK list-keys timed; "forged": signed with the server's access key id but a made-up
                          signature (no status read: they wait for their body), the SDK call timed while held
  slow-create BUCKET SECONDS STALL
                          (raw) a SigV4-signed create-bucket whose body trickles over SECONDS on one plain-HTTP
                          connection (STALL=1: the last byte never comes); prints "in flight" once the request head
                          is sent, then the JSON line with the answer's status (or the error)
  stalled-put BUCKET KEY  (raw) a PUT announcing 100 bytes that sends 10: the answer's status, code, seconds taken
                          and whether it says the connection closes
  aborted-put BUCKET KEY  (raw) a PUT announcing 100,000 bytes that sends 5,000 and closes its connection
  held-gets BUCKET KEY N  (raw) N GETs whose answers are never read, held open while a HEAD is timed
  expect-put BUCKET KEY   (raw) a PUT of 64 KiB with Expect: 100-continue that waits for the server's first status
                          line before sending its body: that line's status, then the final one's
  send-all-put BUCKET SIZE [RATE]
                          (raw) a PUT of SIZE bytes into BUCKET (missing) that sends its whole body before reading,
                          without Expect (at RATE bytes/s when given): seconds until the send ended, its error (a
                          reset), the answer's status
  slow-headers SECONDS    (raw) a request head sent a byte every SECONDS/20 for SECONDS, never ended, and an idle
                          connection: whether and after how many seconds the server closed each
  pipelined-expect BUCKET KEY
                          (raw) a GET of KEY and, in the same write, a PUT of KEY2 with Expect: 100-continue and no
                          body yet: the GET's status, whether the PUT's 100 came, and the PUT's final status
  slow-get BUCKET KEY RATE
                          (raw) a GET of KEY read at RATE bytes/s with a small receive buffer: the answer's
                          Content-Length and the body bytes received before the server closed
  multipart-checksums BUCKET
                          (boto3) a multipart upload with SHA256 checksums: the algorithm echoed at initiate, each
                          part's checksum answered and listed, a wrong one refused at Complete, the right ones taken
  refused-bytes BUCKET    (boto3) put_object of 20 MB given as bytes into BUCKET (missing), and with an unknown KMS
                          key into a bucket of its own: each error code and the seconds it took
"""
import base64
import datetime
import hashlib
import json
import os
import sys
import traceback

ENDPOINT = os.environ["SERVE_ENDPOINT"]
AK = os.environ["SERVE_ACCESS_KEY"]
SK = os.environ["SERVE_SECRET_KEY"]
REGION = os.environ.get("SERVE_REGION", "local")
CA = os.environ.get("SERVE_CA") or None
SKEW = datetime.timedelta(minutes=20)


class Steps:
    def __init__(self):
        self.steps = []
        self.out = {}

    def check(self, name, fn):
        """Runs fn(); a falsy result or an exception fails the step. fn may return (ok, detail)."""
        try:
            result = fn()
            ok, detail = result if isinstance(result, tuple) else (bool(result), result)
        except Exception as e:  # noqa: BLE001: every failure becomes a failed step, reported
            ok, detail = False, "%s: %s\n%s" % (type(e).__name__, e, traceback.format_exc(limit=3))
        self.steps.append({"step": name, "ok": bool(ok),
                           "detail": detail if isinstance(detail, (str, int, float, bool, type(None), list, dict))
                           else repr(detail)})
        return ok

    def finish(self):
        ok = all(s["ok"] for s in self.steps)
        print(json.dumps(dict(self.out, ok=ok, steps=self.steps), default=str))
        return 0 if ok else 1


# ---------------------------------------------------------------------------------------------------- boto3

def boto3_client(secret=SK, **config):
    import boto3
    from botocore.config import Config
    options = dict(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, signature_version="s3v4",
                   request_checksum_calculation="when_required", response_checksum_validation="when_required")
    options.update(config)
    cfg = Config(**options)
    return boto3.client("s3", endpoint_url=ENDPOINT, aws_access_key_id=AK, aws_secret_access_key=secret,
                        region_name=REGION, verify=CA if CA else True, config=cfg)


def boto3_code(fn):
    """The error code of a call expected to fail (None when it succeeded)."""
    from botocore.exceptions import ClientError
    try:
        fn()
    except ClientError as e:
        return e.response.get("Error", {}).get("Code")
    return None


def skewed_clock():
    """botocore signs with its own clock: moved back by SKEW for the calls inside the `with`."""
    import botocore.auth
    real = botocore.auth.get_current_datetime

    class Skewed:
        def __enter__(self):
            botocore.auth.get_current_datetime = lambda *a, **k: real(*a, **k) - SKEW

        def __exit__(self, *exc):
            botocore.auth.get_current_datetime = real

    return Skewed()


def boto3_buckets(s, bucket):
    c = boto3_client()
    s.check("create", lambda: c.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}))
    s.check("put encryption aws:kms", lambda: c.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]}))

    def rule():
        r = c.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        return r["ApplyServerSideEncryptionByDefault"]

    s.check("get encryption aws:kms", lambda: (rule()["SSEAlgorithm"] == "aws:kms", rule()))
    s.check("head", lambda: c.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200)
    s.check("list", lambda: (bucket in [b["Name"] for b in c.list_buckets()["Buckets"]], None))
    s.check("location", lambda: ((c.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1")
                                 == REGION, c.get_bucket_location(Bucket=bucket).get("LocationConstraint")))
    s.check("put encryption AES256", lambda: c.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}))
    s.check("get encryption AES256", lambda: (rule()["SSEAlgorithm"] == "AES256", rule()))
    s.check("delete encryption", lambda: c.delete_bucket_encryption(Bucket=bucket))
    code = boto3_code(lambda: c.get_bucket_encryption(Bucket=bucket))
    s.check("get encryption after delete", lambda: (code == "ServerSideEncryptionConfigurationNotFoundError", code))
    s.check("delete", lambda: c.delete_bucket(Bucket=bucket))
    code = boto3_code(lambda: c.head_bucket(Bucket=bucket))
    s.check("head after delete", lambda: (code in ("404", "NoSuchBucket"), code))


def boto3_rejections(s, bucket):
    wrong = boto3_client(secret=SK[:-1] + ("A" if SK[-1] != "A" else "B"))
    code = boto3_code(
        lambda: wrong.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}))
    s.check("wrong secret", lambda: (code == "SignatureDoesNotMatch", code))
    c = boto3_client()
    with skewed_clock():
        code = boto3_code(
            lambda: c.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}))
    s.check("skewed clock", lambda: (code == "RequestTimeTooSkewed", code))
    code = boto3_code(lambda: c.head_bucket(Bucket=bucket))
    s.check("nothing created", lambda: (code in ("404", "NoSuchBucket"), code))


def boto3_presign(s, bucket):
    c = boto3_client()
    s.check("create", lambda: c.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}))
    s.out["valid"] = c.generate_presigned_url("get_bucket_location", Params={"Bucket": bucket}, ExpiresIn=600)
    with skewed_clock():  # signed 20 minutes ago, valid for 60 s: expired since 19 minutes
        s.out["expired"] = c.generate_presigned_url("get_bucket_location", Params={"Bucket": bucket}, ExpiresIn=60)


_CRC32C_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC32C_TABLE.append(_c)


def with_headers(c, operation, headers):
    """`c` sends `headers` (signed) on `operation`: for requests boto3 has no parameter for."""
    def add(request, **_):
        for k, v in headers.items():
            request.headers[k] = v
    c.meta.events.register("before-sign.s3." + operation, add)
    return c


def boto3_plain_http_refusals(s, bucket):
    c = boto3_client()
    ssec = dict(SSECustomerAlgorithm="AES256", SSECustomerKey=os.urandom(32))
    source_ssec = dict(CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=ssec["SSECustomerKey"])
    kms = dict(ServerSideEncryption="aws:kms")
    refused = ("InvalidRequest", "400")  # a HEAD answer has no body to name its code
    missing = ("404", "NoSuchKey", "NoSuchBucket")

    def expect(name, fn, codes):
        code = boto3_code(fn)
        s.check(name, lambda: (code in codes, code))

    s.check("create a plain bucket", lambda: c.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}))
    s.check("plain put", lambda: c.put_object(Bucket=bucket, Key="plain", Body=b"plain bytes"))
    s.check("plain get", lambda: c.get_object(Bucket=bucket, Key="plain")["Body"].read() == b"plain bytes")
    expect("SSE-C put refused", lambda: c.put_object(Bucket=bucket, Key="ssec", Body=b"x", **ssec), refused)
    expect("nothing stored by the SSE-C put", lambda: c.head_object(Bucket=bucket, Key="ssec"), missing)
    expect("SSE-KMS put refused", lambda: c.put_object(Bucket=bucket, Key="kms", Body=b"x", **kms), refused)
    expect("nothing stored by the SSE-KMS put", lambda: c.head_object(Bucket=bucket, Key="kms"), missing)
    expect("SSE-C get refused", lambda: c.get_object(Bucket=bucket, Key="plain", **ssec), refused)
    expect("SSE-C head refused", lambda: c.head_object(Bucket=bucket, Key="plain", **ssec), refused)
    source = {"Bucket": bucket, "Key": "plain"}
    expect("SSE-KMS copy refused", lambda: c.copy_object(Bucket=bucket, Key="copy", CopySource=source, **kms), refused)
    expect("SSE-C copy source refused",
           lambda: c.copy_object(Bucket=bucket, Key="copy", CopySource=source, **source_ssec), refused)
    expect("SSE-C copy target refused",
           lambda: c.copy_object(Bucket=bucket, Key="copy", CopySource=source, **ssec), refused)
    expect("nothing stored by the copies", lambda: c.head_object(Bucket=bucket, Key="copy"), missing)
    expect("SSE-KMS initiate refused", lambda: c.create_multipart_upload(Bucket=bucket, Key="mp", **kms), refused)
    expect("SSE-C initiate refused", lambda: c.create_multipart_upload(Bucket=bucket, Key="mp", **ssec), refused)
    s.check("no upload started", lambda: (c.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == [], None))
    upload = c.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    expect("SSE-C part refused", lambda: c.upload_part(
        Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"x" * 1024, **ssec), refused)
    s.check("no part stored", lambda: (
        c.list_parts(Bucket=bucket, Key="mp", UploadId=upload).get("Parts", []) == [], None))
    s.check("plain abort", lambda: c.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload))
    kms_bucket = bucket + "-kms"
    creator = with_headers(boto3_client(), "CreateBucket", {"x-amz-server-side-encryption": "aws:kms"})
    expect("create with an SSE-KMS default refused", lambda: creator.create_bucket(
        Bucket=kms_bucket, CreateBucketConfiguration={"LocationConstraint": REGION}), refused)
    expect("no bucket created", lambda: c.head_bucket(Bucket=kms_bucket), missing)

    def default(algorithm):
        return {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": algorithm}}]}

    expect("SSE-KMS bucket default refused", lambda: c.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration=default("aws:kms")), refused)
    expect("the bucket default unchanged", lambda: c.get_bucket_encryption(Bucket=bucket),
           ("ServerSideEncryptionConfigurationNotFoundError",))
    s.check("SSE-OBS bucket default allowed", lambda: c.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration=default("AES256")))
    s.check("SSE-OBS put allowed", lambda: c.put_object(
        Bucket=bucket, Key="obs", Body=b"obs", ServerSideEncryption="AES256"))


def esdk_plain_http_refusals(s, bucket):
    """boto3_plain_http_refusals in OBS's dialect (its signature, path style: a virtual host would go to localhost).
    The SSE-C headers are sent raw: the SDK leaves an SseCHeader out over plain HTTP, and the server is under test."""
    import base64
    from obs import ObsClient
    c = ObsClient(access_key_id=AK, secret_access_key=SK, server=ENDPOINT, signature="obs", path_style=True,
                  is_signature_negotiation=False, max_retry_count=0, timeout=60)
    key = os.urandom(32)
    ssec = {"x-obs-server-side-encryption-customer-algorithm": "AES256",
            "x-obs-server-side-encryption-customer-key": base64.b64encode(key).decode(),
            "x-obs-server-side-encryption-customer-key-MD5": base64.b64encode(hashlib.md5(key).digest()).decode()}
    source_ssec = {k.replace("x-obs-", "x-obs-copy-source-"): v for k, v in ssec.items()}
    kms = {"x-obs-server-side-encryption": "kms"}

    def refused(name, r):
        s.check(name, lambda: (r.status == 400 and r.errorCode in ("InvalidRequest", None),
                               {"status": r.status, "code": r.errorCode}))

    def missing(name, r):
        s.check(name, lambda: (r.status == 404, {"status": r.status, "code": r.errorCode}))

    s.check("create a plain bucket", lambda: ok2xx(c.createBucket(bucket, location=REGION)))
    s.check("plain put", lambda: ok2xx(c.putContent(bucket, "plain", b"plain bytes")))
    refused("SSE-C put refused", c.putContent(bucket, "ssec", b"x", extensionHeaders=ssec))
    missing("nothing stored by the SSE-C put", c.getObjectMetadata(bucket, "ssec"))
    refused("SSE-KMS put refused", c.putContent(bucket, "kms", b"x", extensionHeaders=kms))
    missing("nothing stored by the SSE-KMS put", c.getObjectMetadata(bucket, "kms"))
    refused("SSE-C get refused", c.getObject(bucket, "plain", loadStreamInMemory=True, extensionHeaders=ssec))
    refused("SSE-C head refused", c.getObjectMetadata(bucket, "plain", extensionHeaders=ssec))
    refused("SSE-KMS copy refused", c.copyObject(bucket, "plain", bucket, "copy", extensionHeaders=kms))
    refused("SSE-C copy source refused", c.copyObject(bucket, "plain", bucket, "copy", extensionHeaders=source_ssec))
    missing("nothing stored by the copies", c.getObjectMetadata(bucket, "copy"))
    refused("SSE-KMS initiate refused", c.initiateMultipartUpload(bucket, "mp", extensionHeaders=kms))
    refused("SSE-C initiate refused", c.initiateMultipartUpload(bucket, "mp", extensionHeaders=ssec))
    uploads = c.listMultipartUploads(bucket)
    s.check("no upload started", lambda: (uploads.status == 200 and not uploads.body.upload, uploads.status))
    refused("SSE-KMS bucket default refused", c.setBucketEncryption(bucket, "kms"))
    missing("the bucket default unchanged", c.getBucketEncryption(bucket))
    s.check("SSE-OBS put allowed", lambda: ok2xx(c.putContent(
        bucket, "obs", b"obs", extensionHeaders={"x-obs-server-side-encryption": "AES256"})))


def boto3_kms_alias(s, bucket, alias):
    c = boto3_client()
    ref = "alias/" + alias
    kms = dict(ServerSideEncryption="aws:kms", SSEKMSKeyId=ref)

    def key_of(answer):
        return answer.get("SSEKMSKeyId", "")

    s.check("create", lambda: c.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}))
    put = {}
    s.check("put naming alias/ALIAS", lambda: put.update(c.put_object(Bucket=bucket, Key="a", Body=b"alias", **kms))
            or put.get("ServerSideEncryption") == "aws:kms")
    s.out["put_key"] = key_of(put)
    s.check("get", lambda: c.get_object(Bucket=bucket, Key="a")["Body"].read() == b"alias")
    s.check("copy naming alias/ALIAS", lambda: key_of(c.copy_object(
        Bucket=bucket, Key="b", CopySource={"Bucket": bucket, "Key": "a"}, **kms)) == s.out["put_key"])
    upload = {}
    s.check("initiate naming alias/ALIAS", lambda: upload.update(
        c.create_multipart_upload(Bucket=bucket, Key="m", **kms)) or True)
    s.check("part and complete", lambda: c.complete_multipart_upload(
        Bucket=bucket, Key="m", UploadId=upload["UploadId"], MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": (
            c.upload_part(Bucket=bucket, Key="m", UploadId=upload["UploadId"], PartNumber=1, Body=b"m")["ETag"])}]}))
    s.check("multipart object under the key", lambda: (
        key_of(c.head_object(Bucket=bucket, Key="m")) == s.out["put_key"], c.head_object(Bucket=bucket, Key="m")))
    s.check("bucket default naming alias/ALIAS", lambda: c.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": ref}}]}))
    s.check("a plain put takes the default's key", lambda: key_of(
        c.put_object(Bucket=bucket, Key="d", Body=b"d")) == s.out["put_key"])


def crc32c(data, crc=0):
    """CRC32C (Castagnoli) in Python: botocore computes it only with awscrt, which the peers do not install."""
    crc ^= 0xFFFFFFFF
    for b in data:
        crc = _CRC32C_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def crc32c_b64(data):
    return base64.b64encode(crc32c(data).to_bytes(4, "big")).decode()


def enable_botocore_crc32c():
    """Lets botocore send ChecksumAlgorithm=CRC32C without awscrt, through its own checksum machinery."""
    from botocore import httpchecksum

    class Crc32cChecksum(httpchecksum.BaseChecksum):
        def __init__(self):
            self._crc = 0

        def update(self, chunk):
            self._crc = crc32c(chunk, self._crc)

        def digest(self):
            return self._crc.to_bytes(4, "big")

    httpchecksum._CHECKSUM_CLS.setdefault("crc32c", Crc32cChecksum)
    if "crc32c" not in httpchecksum._SUPPORTED_CHECKSUM_ALGORITHMS:
        httpchecksum._SUPPORTED_CHECKSUM_ALGORITHMS.append("crc32c")


def boto3_checksums(s, c, bucket, data):
    """A streamed put whose CRC32C travels as an aws-chunked trailer (botocore uses one over HTTPS), the wire
    format asserted; a wrong ChecksumCRC32C header refused with nothing stored."""
    import io
    enable_botocore_crc32c()
    seen = []
    c.meta.events.register("before-send.s3.PutObject", lambda request, **kw: seen.append(dict(request.headers)))
    s.check("put crc32c trailer", lambda: c.put_object(Bucket=bucket, Key="trailer.bin", Body=io.BytesIO(data),
                                                       ChecksumAlgorithm="CRC32C"))
    wire = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in (seen[-1] if seen else {}).items()}
    s.check("crc32c sent as an aws-chunked trailer",
            lambda: (wire.get("x-amz-trailer") == "x-amz-checksum-crc32c"
                     and "aws-chunked" in wire.get("content-encoding", "")
                     and wire.get("x-amz-content-sha256") == "STREAMING-UNSIGNED-PAYLOAD-TRAILER", wire))
    s.check("trailer put bytes", lambda: c.get_object(Bucket=bucket, Key="trailer.bin")["Body"].read() == data)
    code = boto3_code(lambda: c.put_object(Bucket=bucket, Key="crc-bad.bin", Body=data,
                                           ChecksumCRC32C=crc32c_b64(data + b"x")))
    s.check("wrong crc32c refused", lambda: (code == "BadDigest", code))
    code = boto3_code(lambda: c.head_object(Bucket=bucket, Key="crc-bad.bin"))
    s.check("wrong crc32c stores nothing", lambda: (code in ("404", "NoSuchKey"), code))


def boto3_objects(s, bucket, path):
    from boto3.s3.transfer import TransferConfig
    c = boto3_client()
    data = open(path, "rb").read()
    digest = hashlib.sha256(data).hexdigest()
    s.check("create", lambda: c.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}))
    s.check("put sse-kms",
            lambda: c.put_object(Bucket=bucket, Key="kms.bin", Body=data, ServerSideEncryption="aws:kms"))
    s.check("head sse-kms", lambda: (
        c.head_object(Bucket=bucket, Key="kms.bin").get("ServerSideEncryption") == "aws:kms",
        c.head_object(Bucket=bucket, Key="kms.bin").get("ServerSideEncryption")))
    s.check("get sse-kms bytes", lambda: hashlib.sha256(
        c.get_object(Bucket=bucket, Key="kms.bin")["Body"].read()).hexdigest() == digest)
    key = os.urandom(32)
    sse_c = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}
    s.check("put sse-c", lambda: c.put_object(Bucket=bucket, Key="ssec.bin", Body=data, **sse_c))
    code = boto3_code(lambda: c.get_object(Bucket=bucket, Key="ssec.bin"))
    s.check("get sse-c without key refused", lambda: (code is not None, code))
    s.check("get sse-c bytes", lambda: hashlib.sha256(
        c.get_object(Bucket=bucket, Key="ssec.bin", **sse_c)["Body"].read()).hexdigest() == digest)
    cfg = TransferConfig(multipart_threshold=5 << 20, multipart_chunksize=5 << 20, max_concurrency=4)
    s.check("multipart upload_file", lambda: c.upload_file(
        path, bucket, "multi.bin", ExtraArgs={"ServerSideEncryption": "aws:kms"}, Config=cfg) or True)
    s.check("multipart bytes", lambda: hashlib.sha256(
        c.get_object(Bucket=bucket, Key="multi.bin")["Body"].read()).hexdigest() == digest)
    # ?partNumber: each part's bytes and size and the part count (5 MiB parts); part 1 of a whole object is all of it.
    cuts = list(range(0, len(data), 5 << 20)) + [len(data)]
    for n in range(1, len(cuts)):
        got = c.get_object(Bucket=bucket, Key="multi.bin", PartNumber=n)
        head = c.head_object(Bucket=bucket, Key="multi.bin", PartNumber=n)
        want = (cuts[n] - cuts[n - 1], len(cuts) - 1)
        s.check("part %d" % n, lambda: (
            got["Body"].read() == data[cuts[n - 1]:cuts[n]] and (got["ContentLength"], got.get("PartsCount")) == want
            and (head["ContentLength"], head.get("PartsCount")) == want,
            {"get": (got["ContentLength"], got.get("PartsCount")),
             "head": (head["ContentLength"], head.get("PartsCount"))}))
    code = boto3_code(lambda: c.head_object(Bucket=bucket, Key="multi.bin", PartNumber=len(cuts)))
    s.check("a part past the last refused", lambda: (code in ("416", "InvalidPartNumber"), code))
    code = boto3_code(lambda: c.get_object(Bucket=bucket, Key="multi.bin", PartNumber=1, Range="bytes=0-1"))
    s.check("partNumber with Range refused", lambda: (code == "InvalidRequest", code))
    whole = c.get_object(Bucket=bucket, Key="kms.bin", PartNumber=1)
    s.check("part 1 of a whole object", lambda: (
        whole["Body"].read() == data and whole.get("PartsCount") is None, whole.get("PartsCount")))
    s.check("copy", lambda: c.copy_object(
        Bucket=bucket, Key="copy.bin", CopySource={"Bucket": bucket, "Key": "kms.bin"}, ServerSideEncryption="AES256"))
    s.check("copy bytes", lambda: hashlib.sha256(
        c.get_object(Bucket=bucket, Key="copy.bin")["Body"].read()).hexdigest() == digest)
    # Response overrides (a presigned link that saves under a name): GET and HEAD answer with the headers asked for.
    asked = {"ResponseContentType": "application/pdf", "ResponseContentDisposition": 'attachment; filename="r.pdf"',
             "ResponseCacheControl": "no-store", "ResponseContentLanguage": "de", "ResponseContentEncoding": "identity"}
    answer_keys = ("ContentType", "ContentDisposition", "CacheControl", "ContentLanguage", "ContentEncoding")
    for name, call in (("get", c.get_object), ("head", c.head_object)):
        r = call(Bucket=bucket, Key="kms.bin", **asked)
        got = [r.get(k) for k in answer_keys]
        s.check(name + " with response overrides", lambda: (got == list(asked.values()), got))
    code = boto3_code(lambda: c.get_object(Bucket=bucket, Key="kms.bin", ResponseContentType="text/plain\r\nX-Evil: 1"))
    s.check("response override with CR LF refused", lambda: (code == "InvalidArgument", code))
    # 2.5 MiB: several aws-chunked chunks, and the pure-Python CRC32C stays quick.
    boto3_checksums(s, boto3_client(request_checksum_calculation="when_supported"), bucket, data[:5 << 19])
    keys = lambda: sorted(o["Key"] for o in c.list_objects_v2(Bucket=bucket).get("Contents", []))
    s.check("list", lambda: (keys() == ["copy.bin", "kms.bin", "multi.bin", "ssec.bin", "trailer.bin"], keys()))
    s.check("batch delete", lambda: c.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys()], "Quiet": True}))
    s.check("empty after delete", lambda: (keys() == [], keys()))
    s.check("delete bucket", lambda: c.delete_bucket(Bucket=bucket))


# ---------------------------------------------------------------------------------------------------- esdk

def resolve_localhost_subdomains():
    """esdk-obs-python signs in OBS's own scheme only with virtual-hosted addressing (path style forces AWS V2), so
    BUCKET.localhost must reach the server: names under .localhost resolve to 127.0.0.1 here, as RFC 6761 allows.
    (The SDK verifies the chain against ssl_verify but never the host name, so the certificate still checks.)"""
    import socket
    real = socket.getaddrinfo
    if getattr(socket.getaddrinfo, "serve_sdk", False):
        return

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".localhost"):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    getaddrinfo.serve_sdk = True
    socket.getaddrinfo = getaddrinfo


def esdk_client(secret=SK, signature="obs", negotiate=False):
    """signature "obs": OBS's scheme, virtual-hosted at localhost; "v2" / "v4": AWS's, path style. negotiate: the
    SDK's default, which asks the server (HEAD ?apiversion) which scheme it speaks."""
    import urllib.parse
    from obs import ObsClient
    server, path_style = ENDPOINT, True
    if signature == "obs":
        resolve_localhost_subdomains()
        u = urllib.parse.urlsplit(ENDPOINT)
        server, path_style = "%s://localhost:%d" % (u.scheme, u.port), False
    return ObsClient(access_key_id=AK, secret_access_key=secret, server=server, signature=signature,
                     path_style=path_style, is_signature_negotiation=negotiate, ssl_verify=CA if CA else False,
                     max_retry_count=0, timeout=60)


def ok2xx(r):
    return (r.status < 300, {"status": r.status, "code": r.errorCode, "message": r.errorMessage})


def esdk_buckets(s, bucket):
    c = esdk_client()
    if not s.check("create with sse-kms default", lambda: ok2xx(c.createBucket(
            bucket, location=REGION, extensionHeaders={"x-obs-server-side-encryption": "kms"}))):
        return

    def enc():
        r = c.getBucketEncryption(bucket)
        return r.body.encryption if r.status < 300 else ("error %s %s" % (r.status, r.errorCode))

    s.check("get encryption kms", lambda: (enc() == "kms", enc()))
    s.check("head", lambda: ok2xx(c.headBucket(bucket)))

    def negotiated():
        n = esdk_client(negotiate=True)
        r = n.headBucket(bucket)
        chosen = (n.cache.get(bucket) or {}).get("signature")  # what the SDK negotiated, kept per bucket
        return (r.status == 200 and chosen == "obs", {"status": r.status, "signature": chosen})

    s.check("signature negotiation picks OBS's own", negotiated)
    s.check("list", lambda: (bucket in [b.name for b in c.listBuckets().body.buckets], None))
    s.check("location", lambda: (c.getBucketLocation(bucket).body.location == REGION,
                                 c.getBucketLocation(bucket).body.location))
    s.check("put encryption AES256", lambda: ok2xx(c.setBucketEncryption(bucket, "AES256")))
    s.check("get encryption AES256", lambda: (enc() == "AES256", enc()))
    s.check("delete encryption", lambda: ok2xx(c.deleteBucketEncryption(bucket)))
    r = c.getBucketEncryption(bucket)
    s.check("get encryption after delete", lambda: (r.status == 404, {"status": r.status, "code": r.errorCode}))
    s.check("delete", lambda: ok2xx(c.deleteBucket(bucket)))
    s.check("head after delete", lambda: (c.headBucket(bucket).status == 404, c.headBucket(bucket).status))


def esdk_rejections(s, bucket):
    wrong_secret = SK[:-1] + ("A" if SK[-1] != "A" else "B")
    for signature in ("obs", "v2", "v4"):
        r = esdk_client(secret=wrong_secret, signature=signature).createBucket(bucket, location=REGION)
        s.check("wrong secret (%s)" % signature, lambda: (r.status == 403 and r.errorCode == "SignatureDoesNotMatch",
                                                         {"status": r.status, "code": r.errorCode}))
    c = esdk_client()
    skewed = (datetime.datetime.utcnow() - SKEW).strftime("%a, %d %b %Y %H:%M:%S GMT")
    r = c.createBucket(bucket, location=REGION, extensionHeaders={"x-obs-date": skewed})
    s.check("skewed date", lambda: (r.status == 403 and r.errorCode == "RequestTimeTooSkewed",
                                    {"status": r.status, "code": r.errorCode}))
    s.check("nothing created", lambda: (c.headBucket(bucket).status == 404, c.headBucket(bucket).status))


def esdk_objects(s, bucket, path):
    from obs import CompleteMultipartUploadRequest, CompletePart, CopyObjectHeader, DeleteObjectsRequest, \
        GetObjectHeader, Object, PutObjectHeader, SseCHeader, SseKmsHeader
    c = esdk_client()
    data = open(path, "rb").read()
    digest = hashlib.sha256(data).hexdigest()
    tmp = path + ".down"

    def fetched(key, headers=None):
        r = c.getObject(bucket, key, downloadPath=tmp, headers=headers)
        if r.status >= 300:
            return (False, {"status": r.status, "code": r.errorCode})
        got = hashlib.sha256(open(tmp, "rb").read()).hexdigest()
        os.remove(tmp)
        return (got == digest, {"sha256": got})

    s.check("create", lambda: ok2xx(c.createBucket(bucket, location=REGION)))
    s.check("put sse-kms", lambda: ok2xx(c.putFile(bucket, "kms.bin", path, headers=PutObjectHeader(
        sseHeader=SseKmsHeader.getInstance()))))
    s.check("head sse-kms", lambda: (c.getObjectMetadata(bucket, "kms.bin").body.sseKms == "kms",
                                     c.getObjectMetadata(bucket, "kms.bin").body.sseKms))
    s.check("get sse-kms bytes", lambda: fetched("kms.bin"))
    key = os.urandom(32)
    sse_c = SseCHeader(encryption="AES256", key=key)
    s.check("put sse-c", lambda: ok2xx(c.putFile(bucket, "ssec.bin", path, headers=PutObjectHeader(sseHeader=sse_c))))
    r = c.getObjectMetadata(bucket, "ssec.bin")
    s.check("head sse-c without key refused", lambda: (r.status >= 400, r.status))
    s.check("get sse-c bytes", lambda: fetched("ssec.bin", GetObjectHeader(sseHeader=sse_c)))
    # Multipart by hand: initiate, two parts (5 MiB and the rest), complete.
    part = 5 << 20
    init = c.initiateMultipartUpload(bucket, "multi.bin", sseHeader=SseKmsHeader.getInstance())
    s.check("initiate", lambda: ok2xx(init))
    upload_id = init.body.uploadId if init.status < 300 else ""
    etags = []
    for n, offset in enumerate(range(0, len(data), part), start=1):
        r = c.uploadPart(bucket, "multi.bin", n, upload_id, path, isFile=True, partSize=min(part, len(data) - offset),
                         offset=offset)
        s.check("upload part %d" % n, lambda: ok2xx(r))
        etags.append(CompletePart(partNum=n, etag=r.body.etag if r.status < 300 else ""))
    s.check("complete", lambda: ok2xx(c.completeMultipartUpload(bucket, "multi.bin", upload_id,
                                                                CompleteMultipartUploadRequest(parts=etags))))
    s.check("multipart bytes", lambda: fetched("multi.bin"))
    s.check("copy", lambda: ok2xx(c.copyObject(bucket, "kms.bin", bucket, "copy.bin", headers=CopyObjectHeader(
        destSseHeader=SseKmsHeader.getInstance()))))
    s.check("copy bytes", lambda: fetched("copy.bin"))
    from obs import GetObjectRequest
    r = c.getObject(bucket, "kms.bin", loadStreamInMemory=True, getObjectRequest=GetObjectRequest(
        content_type="application/pdf", content_disposition='attachment; filename="r.pdf"', cache_control="no-store"))
    got = dict((k.lower(), v) for k, v in (r.header or []))
    wanted = {"content-type": "application/pdf", "content-disposition": 'attachment; filename="r.pdf"',
              "cache-control": "no-store"}
    s.check("get with response overrides", lambda: (r.status == 200 and all(got.get(k) == v for k, v in wanted.items()),
                                                    {k: got.get(k) for k in wanted}))
    keys = lambda: sorted(o.key for o in c.listObjects(bucket).body.contents)
    s.check("list", lambda: (keys() == ["copy.bin", "kms.bin", "multi.bin", "ssec.bin"], keys()))
    r = c.deleteObjects(bucket, DeleteObjectsRequest(quiet=True, objects=[Object(key=k) for k in keys()]))
    s.check("batch delete", lambda: ok2xx(r))
    s.check("empty after delete", lambda: (keys() == [], keys()))
    s.check("delete bucket", lambda: ok2xx(c.deleteBucket(bucket)))


# ---------------------------------------------------------------------------------------------------- raw

def raw_signed_head(path, length, body=b"", unsigned=False, method="PUT", receive_buffer=None):
    """A SigV4-signed request head (`length`: its Content-Length, None for none; `unsigned`: UNSIGNED-PAYLOAD,
    else `body` is signed), and a plain-HTTP socket to the server (with `receive_buffer` bytes of receive buffer,
    set before it connects): for requests whose body, or reading, a test does by hand."""
    import socket
    import urllib.parse
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    url = urllib.parse.urlsplit(ENDPOINT)
    headers = {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"} if unsigned else {}
    request = AWSRequest(method=method, url="%s%s" % (ENDPOINT, path), data=body, headers=headers)
    if unsigned:  # else botocore signs the body's hash over plain HTTP, whatever the header said
        from botocore.config import Config
        request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    S3SigV4Auth(Credentials(AK, SK), "s3", REGION).add_auth(request)
    head = "%s %s HTTP/1.1\r\nHost: %s\r\n" % (method, path, url.netloc)
    if length is not None:
        head += "Content-Length: %d\r\n" % length
    for name, value in request.headers.items():
        if name.lower() not in ("host", "content-length"):
            head += "%s: %s\r\n" % (name, value)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(120)
    sock.connect((url.hostname, url.port))
    return (head + "\r\n").encode(), sock


def read_to_close(sock):
    """Everything the server sends until it closes the connection."""
    answer = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return answer
        answer += chunk


def raw_stalled_put(s, bucket, key):
    """A PUT that announces 100 bytes, sends 10 and then nothing: the server's answer, how long it took, and whether
    the server then closed the connection."""
    import time
    head, sock = raw_signed_head("/%s/%s" % (bucket, key), 100, unsigned=True)
    started = time.time()  # before the send: a client stalled after it must not shorten the seconds measured
    sock.sendall(head + b"0123456789")
    answer = read_to_close(sock)
    s.out["seconds"] = time.time() - started
    s.out["status"] = answer.split(b" ")[1].decode() if answer.startswith(b"HTTP/1.1 ") else None
    s.out["code"] = answer.split(b"<Code>")[1].split(b"<")[0].decode() if b"<Code>" in answer else None
    s.out["connection_close"] = b"connection: close" in answer.lower()


def raw_aborted_put(s, bucket, key):
    """A PUT that announces 100,000 bytes, sends 5,000 and closes its connection."""
    import time
    head, sock = raw_signed_head("/%s/%s" % (bucket, key), 100000, unsigned=True)
    sock.sendall(head + b"x" * 5000)
    time.sleep(0.1)  # well inside any body timeout: the close, not a stall, ends the body
    sock.close()


def raw_expect_put(s, bucket, key):
    """Expect: 100-continue honoured as clients use it: the body goes only after a 100; a final answer instead
    ends the request."""
    import time
    body = b"x" * 65536
    head, sock = raw_signed_head("/%s/%s" % (bucket, key), len(body), body=body)
    sock.sendall(head.replace(b"\r\n\r\n", b"\r\nExpect: 100-continue\r\n\r\n"))
    started = time.time()
    first = raw_status_line(s, sock)
    s.out["first_status"] = first.split(b" ")[1].decode() if first.startswith(b"HTTP/1.1 ") else None
    s.out["first_seconds"] = time.time() - started
    if s.out["first_status"] != "100":
        return
    sock.sendall(body)
    rest = first.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in first else b""
    while b"HTTP/1.1 " not in rest or b"\r\n" not in rest.split(b"HTTP/1.1 ", 1)[1]:
        chunk = sock.recv(4096)
        if not chunk:
            break
        rest += chunk
    final = rest[rest.find(b"HTTP/1.1 "):]
    s.out["final_status"] = final.split(b" ")[1].decode() if final.startswith(b"HTTP/1.1 ") else None


def raw_send_all_put(s, bucket, size, rate=None):
    """A refused PUT whose client sends all SIZE bytes before it reads (urllib3 without Expect): the server reads
    and drops the body for its body timeout, answers, and closes; a body longer than that is cut with a reset."""
    import time
    size = int(size)
    head, sock = raw_signed_head("/%s/k" % bucket, size, unsigned=True)
    started = time.time()
    sock.sendall(head)
    chunk = b"z" * (1 << 20)
    sent = 0
    try:
        while sent < size:
            n = sock.send(chunk[:min(len(chunk), size - sent)])
            sent += n
            if rate:
                time.sleep(n / float(rate))
    except OSError as e:
        s.out["send_error"] = e.__class__.__name__
    s.out["send_seconds"] = time.time() - started
    s.out["sent_all"] = sent == size
    answer = raw_status_line(s, sock)
    s.out["status"] = answer.split(b" ")[1].decode() if answer.startswith(b"HTTP/1.1 ") else None


def raw_slow_headers(s, seconds):
    """A slowloris client (a header byte at a time, never done) and one that connects and sends nothing: the
    server must close both, whatever the trickle."""
    import socket
    import time
    import urllib.parse
    seconds = float(seconds)
    url = urllib.parse.urlsplit(ENDPOINT)
    idle = socket.create_connection((url.hostname, url.port), timeout=seconds * 3)
    slow = socket.create_connection((url.hostname, url.port), timeout=seconds / 20 + 5)
    started = time.time()
    slow.sendall(b"GET / HTTP/1.1\r\nHost: %s\r\n" % url.netloc.encode())
    s.out["slow_closed"] = False
    try:
        while time.time() - started < seconds:
            slow.sendall(b"X")
            time.sleep(seconds / 20)
    except OSError:
        s.out["slow_closed"] = True
    s.out["slow_seconds"] = time.time() - started
    try:
        s.out["idle_closed"] = idle.recv(1) == b""
    except OSError as e:
        s.out["idle_closed"] = not isinstance(e, socket.timeout)
    s.out["idle_seconds"] = time.time() - started


def raw_unreadable(s, endpoint=None):
    """Bytes the HTTP layer cannot read as a request, each on a connection of its own: two Content-Lengths, a
    header section of 100 KB, a garbled request line. For each, the status, the error code and the request id
    (S3's XML and x-amz-request-id; on the KMS port, `endpoint`, API gateway's JSON and X-Request-Id)."""
    import json
    import socket
    import urllib.parse
    url = urllib.parse.urlsplit(endpoint or ENDPOINT)
    host = url.netloc.encode()
    requests = {
        "two-lengths": b"PUT /b/k HTTP/1.1\r\nHost: %s\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab" % host,
        "big-headers": b"GET / HTTP/1.1\r\nHost: %s\r\nX-Big: %s\r\n\r\n" % (host, b"a" * 100000),
        "garbled": b"NOT HTTP AT ALL\r\n\r\n",
    }
    for name, data in requests.items():
        sock = socket.create_connection((url.hostname, url.port), timeout=60)
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        answer = read_to_close(sock)
        sock.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        fields = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:] if b": " in line)
        fields = {k.decode().lower(): v.decode() for k, v in fields.items()}
        if body.startswith(b"{"):
            document = json.loads(body)
            code, body_id = document.get("error_code"), document.get("request_id")
        else:
            code = body.split(b"<Code>")[1].split(b"<")[0].decode() if b"<Code>" in body else None
            body_id = body.split(b"<RequestId>")[1].split(b"<")[0].decode() if b"<RequestId>" in body else None
        s.out[name] = {
            "status": head.split(b" ")[1].decode() if head.startswith(b"HTTP/1.1 ") else None, "code": code,
            "request_id": fields.get("x-amz-request-id") or fields.get("x-request-id"), "date": fields.get("date"),
            "body_request_id": body_id,
        }


def raw_pipelined_expect(s, bucket, key):
    """A request that waits for its 100 behind another on the same connection: the 100 must come once the server
    reads its body, as it does for a request alone."""
    import time
    get, sock = raw_signed_head("/%s/%s" % (bucket, key), None, unsigned=True, method="GET")
    sock.close()
    body = b"0123456789"
    put, sock = raw_signed_head("/%s/%s2" % (bucket, key), len(body), body=body)
    sock.sendall(get + put.replace(b"\r\n\r\n", b"\r\nExpect: 100-continue\r\n\r\n"))
    sock.settimeout(30)  # only breaks a hang: the 100 can be seconds late on a loaded machine
    answer = b""
    started = time.time()
    try:
        while b"HTTP/1.1 100" not in answer and time.time() - started < 30:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    except OSError:
        pass
    s.out["get_status"] = answer.split(b" ")[1].decode() if answer.startswith(b"HTTP/1.1 ") else None
    s.out["continued"] = b"HTTP/1.1 100" in answer
    sock.settimeout(30)
    sock.sendall(body)
    rest = answer.split(b"HTTP/1.1 100", 1)[1] if s.out["continued"] else b""
    while b"HTTP/1.1 200" not in rest and b"HTTP/1.1 4" not in rest:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    final = rest[rest.find(b"HTTP/1.1 "):] if b"HTTP/1.1 " in rest else b""
    s.out["put_status"] = final.split(b" ")[1].decode() if final else None


def raw_slow_get(s, bucket, key, rate):
    """A download read slowly to its end: every byte must arrive, whatever the server's other clocks."""
    import time
    rate = float(rate)
    head, sock = raw_signed_head("/%s/%s" % (bucket, key), None, unsigned=True, method="GET", receive_buffer=8192)
    sock.sendall(head)
    answer = b""
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
            time.sleep(len(chunk) / rate)
    except OSError as e:
        s.out["error"] = str(e)
    head_part, _, body = answer.partition(b"\r\n\r\n")
    length = [line.split(b":", 1)[1].strip() for line in head_part.split(b"\r\n")
              if line.lower().startswith(b"content-length:")]
    s.out["content_length"] = int(length[0]) if length else None
    s.out["received"] = len(body)


def boto3_multipart_checksums(s, bucket):
    """S3's flexible checksums on a multipart upload, as an SDK uses them."""
    import base64
    import hashlib
    c = boto3_client()
    c.create_bucket(Bucket=bucket)
    started = c.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")
    echoed = started.get("ChecksumAlgorithm")
    s.check("algorithm echoed", lambda: (echoed == "SHA256", echoed))
    upload = started["UploadId"]
    data = [b"a" * (5 << 20), b"tail"]
    sums = [base64.b64encode(hashlib.sha256(d).digest()).decode() for d in data]
    parts = []
    for n, (d, sha) in enumerate(zip(data, sums), 1):
        put = c.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=n, Body=d, ChecksumSHA256=sha)
        s.check("part %d checksum answered" % n, lambda: (put.get("ChecksumSHA256") == sha, put.get("ChecksumSHA256")))
        parts.append({"PartNumber": n, "ETag": put["ETag"], "ChecksumSHA256": sha})
    listed = c.list_parts(Bucket=bucket, Key="k", UploadId=upload)["Parts"]
    s.check("parts listed with checksums", lambda: ([p.get("ChecksumSHA256") for p in listed] == sums, listed))
    wrong = [dict(parts[0]), dict(parts[1], ChecksumSHA256=sums[0])]
    s.check("a wrong checksum refused", lambda: (boto3_code(lambda: c.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": wrong})) == "InvalidPart", None))
    c.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": parts})
    got = c.get_object(Bucket=bucket, Key="k")["Body"].read()
    s.check("object whole", lambda: (got == b"".join(data), len(got)))
    # s3transfer with a full-object CRC-32 (sent with Complete as x-amz-checksum-crc32, the object's, not the XML's).
    import io
    import zlib
    from boto3.s3.transfer import TransferConfig
    whole = b"".join(data)
    crc = base64.b64encode(zlib.crc32(whole).to_bytes(4, "big")).decode()
    config = TransferConfig(multipart_threshold=5 << 20, multipart_chunksize=5 << 20)
    s.check("full-object CRC-32 upload", lambda: c.upload_fileobj(
        io.BytesIO(whole), bucket, "full", ExtraArgs={"ChecksumCRC32": crc}, Config=config) is None)
    s.check("full-object upload whole", lambda: c.get_object(Bucket=bucket, Key="full")["Body"].read() == whole)


def boto3_refused_bytes(s, bucket):
    """Bodies given as bytes are sent with Expect: 100-continue: a refused request must not wait for them."""
    import time
    c = boto3_client(connect_timeout=10, read_timeout=60)
    body = b"y" * (20 << 20)
    started = time.time()
    s.out["missing_bucket_code"] = boto3_code(lambda: c.put_object(Bucket=bucket, Key="k", Body=body))
    s.out["missing_bucket_seconds"] = time.time() - started
    own = bucket + "-own"
    c.create_bucket(Bucket=own)
    started = time.time()
    s.out["unknown_key_code"] = boto3_code(
        lambda: c.put_object(Bucket=own, Key="k", Body=body, ServerSideEncryption="aws:kms", SSEKMSKeyId="nokey"))
    s.out["unknown_key_seconds"] = time.time() - started


def raw_status_line(s, sock):
    """What the server sent up to the end of its status line (an error in s.out["error"])."""
    answer = b""
    try:
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    except OSError as e:
        s.out["error"] = str(e)
    return answer


def raw_held_gets(s, bucket, key, count):
    """COUNT GETs of one object whose answers are never read (a small receive buffer), held open while a HEAD on a
    connection of its own is timed: the HEAD's status and seconds."""
    import time
    held = []
    for _ in range(int(count)):
        head, sock = raw_signed_head("/%s/%s" % (bucket, key), None, unsigned=True, method="GET",
                                     receive_buffer=4096)
        sock.sendall(head)
        held.append(sock)
    time.sleep(2)
    started = time.time()
    head, probe = raw_signed_head("/%s/%s" % (bucket, key), None, unsigned=True, method="HEAD")
    probe.settimeout(60)
    probe.sendall(head)
    answer = raw_status_line(s, probe)
    s.out["head_seconds"] = time.time() - started
    s.out["head_status"] = answer.split(b" ")[1].decode() if answer.startswith(b"HTTP/1.1 ") else None
    for sock in held:
        sock.close()


def raw_slow_create(s, bucket, seconds, stall):
    """A request in flight for a known time, on a socket of its own: what a graceful shutdown must wait for."""
    import time
    body = ('<CreateBucketConfiguration><LocationConstraint>%s</LocationConstraint></CreateBucketConfiguration>'
            % REGION).encode()
    head, sock = raw_signed_head("/%s" % bucket, len(body), body=body)
    sock.sendall(head + body[:1])
    print("in flight", flush=True)
    rest = body[1:-1] if stall == "1" else body[1:]
    pause = float(seconds) / max(len(rest), 1)
    for i in range(len(rest)):
        time.sleep(pause)
        sock.sendall(rest[i:i + 1])
    if stall == "1":
        time.sleep(120)
    answer = raw_status_line(s, sock)
    status = answer.split(b" ")[1].decode() if answer.startswith(b"HTTP/1.1 ") else None
    s.out["status"] = status
    s.check("answered 200", lambda: (status == "200", answer[:200].decode("latin-1")))


def raw_trickle_put(s, bucket, key):
    """A PUT of 50 MB into BUCKET (created first) whose body trickles, 256 KB every 0.1 s: a write in flight
    whose temporary file grows in the store while the test signals the server."""
    import time
    boto3_client().create_bucket(Bucket=bucket)
    size = 50 << 20
    head, sock = raw_signed_head("/%s/%s" % (bucket, key), size, unsigned=True)
    sock.sendall(head)
    print("in flight", flush=True)
    try:
        for _ in range(size // (256 << 10)):
            sock.sendall(b"t" * (256 << 10))
            time.sleep(0.1)
    except OSError:
        pass


# ---------------------------------------------------------------------------------------------------- kms

# Huawei's own KMS SDK (huaweicloudsdkkms 3.1.219) against `obsctl serve --kms-listen`: ARGS are the ready line's
# kms_endpoint and project_id; the pair and region come from SERVE_*. A failed check does not stop the scenario:
# a later call that cannot proceed ends it as "scenario ran to its end" failed.

def kms_client(endpoint, project_id, secret=SK, lookup=False):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.region.region import Region
    from huaweicloudsdkkms.v2 import KmsClient
    if lookup:
        credentials = BasicCredentials(AK, secret).with_iam_endpoint(endpoint)
        return KmsClient.new_builder().with_credentials(credentials).with_region(Region(REGION, endpoint)).build()
    credentials = BasicCredentials(AK, secret, project_id)
    return KmsClient.new_builder().with_credentials(credentials).with_endpoint(endpoint).build()


def kms_check(s, condition, what):
    s.check(what, lambda: (bool(condition), what))


def kms_expect_error(s, call, status, code, what):
    from huaweicloudsdkcore.exceptions import exceptions
    try:
        call()
    except exceptions.ClientRequestException as e:
        kms_check(s, e.status_code == status and e.error_code == code, f"{what}: {e.status_code} {e.error_code}")
        return e
    kms_check(s, False, f"{what}: no error")


def kms_lifecycle(s, endpoint, project_id):
    from huaweicloudsdkkms.v2 import model as m
    kms = kms_client(endpoint, project_id)
    created = kms.create_key(m.CreateKeyRequest(m.CreateKeyRequestBody(key_alias="sdk-one", key_description="d1")))
    key = created.key_info.key_id
    kms_check(s, len(key) == 36 and len(created.key_info.domain_id) == 32, "create_key returns key_id and domain_id")
    kms_expect_error(s,
        lambda: kms.create_key(m.CreateKeyRequest(m.CreateKeyRequestBody(key_alias="sdk-one"))),
        400, "KMS.1104", "alias taken")
    others = [kms.create_key(m.CreateKeyRequest(m.CreateKeyRequestBody(key_alias=f"sdk-{i}"))).key_info.key_id
              for i in range(2, 5)]

    seen, marker, pages = [], None, 0
    while True:
        page = kms.list_keys(m.ListKeysRequest(m.ListKeysRequestBody(limit="2", marker=marker, key_spec="ALL")))
        pages += 1
        kms_check(s, len(page.keys) <= 2 and page.total == 4,
                  f"list_keys page {pages}: {len(page.keys)} of {page.total}")
        seen += [d.key_id for d in page.key_details]
        if page.truncated != "true":
            break
        marker = page.next_marker
    kms_check(s, pages == 2 and sorted(seen) == sorted([key] + others), "list_keys pages through every key")

    detail = kms.list_key_detail(m.ListKeyDetailRequest(m.OperateKeyRequestBody(key_id=key))).key_info
    kms_check(s, detail.key_alias == "sdk-one" and detail.key_state == "2" and detail.key_description == "d1"
          and detail.key_spec == "AES_256" and detail.creation_date.isdigit(), "describe key")

    r = kms.disable_key(m.DisableKeyRequest(m.OperateKeyRequestBody(key_id=key)))
    kms_check(s, r.key_info.key_state == "3", "disable_key")
    kms_expect_error(s,
        lambda: kms.create_datakey(m.CreateDatakeyRequest(m.CreateDatakeyRequestBody(key_id=key))),
        400, "KMS.0209", "create_datakey under a disabled key")
    r = kms.enable_key(m.EnableKeyRequest(m.OperateKeyRequestBody(key_id=key)))
    kms_check(s, r.key_info.key_state == "2", "enable_key")

    victim = others[0]
    r = kms.delete_key(m.DeleteKeyRequest(m.ScheduleKeyDeletionRequestBody(key_id=victim, pending_days="7")))
    kms_check(s, r.key_state == "4" and r.key_id == victim, "schedule deletion (flat answer)")
    d = kms.list_key_detail(m.ListKeyDetailRequest(m.OperateKeyRequestBody(key_id=victim))).key_info
    kms_check(s, d.scheduled_deletion_date.isdigit(), "deletion date set")
    kms_expect_error(s,
        lambda: kms.create_datakey(m.CreateDatakeyRequest(m.CreateDatakeyRequestBody(key_id=victim))),
        400, "KMS.0210", "create_datakey under a key pending deletion")
    r = kms.cancel_key_deletion(m.CancelKeyDeletionRequest(m.OperateKeyRequestBody(key_id=victim)))
    kms_check(s, r.key_state == "3", "cancel deletion (key comes back disabled)")
    kms_expect_error(s,
        lambda: kms.delete_key(m.DeleteKeyRequest(m.ScheduleKeyDeletionRequestBody(key_id=key, pending_days="3"))),
        400, "KMS.1401", "pending_days below 7")

    dk = kms.create_datakey(m.CreateDatakeyRequest(m.CreateDatakeyRequestBody(
        key_id=key, datakey_length="256", additional_authenticated_data="ctx")))
    kms_check(s, dk.key_id == key and len(dk.plain_text) == 64, "create_datakey returns a 256-bit key")
    back = kms.decrypt_datakey(m.DecryptDatakeyRequest(m.DecryptDatakeyRequestBody(
        key_id=key, cipher_text=dk.cipher_text, datakey_cipher_length="32", additional_authenticated_data="ctx")))
    plain = bytes.fromhex(dk.plain_text)
    kms_check(s, back.data_key == dk.plain_text and back.datakey_dgst == hashlib.sha256(plain).hexdigest(),
          "decrypt_datakey round trip")
    kms_expect_error(s,
        lambda: kms.decrypt_datakey(m.DecryptDatakeyRequest(m.DecryptDatakeyRequestBody(
            key_id=key, cipher_text=dk.cipher_text, datakey_cipher_length="32", additional_authenticated_data="x"))),
        400, "KMS.2201", "decrypt_datakey with other additional data")
    kms_expect_error(s,
        lambda: kms.decrypt_datakey(m.DecryptDatakeyRequest(m.DecryptDatakeyRequestBody(
            key_id=others[1], cipher_text=dk.cipher_text, datakey_cipher_length="32",
            additional_authenticated_data="ctx"))),
        400, "KMS.2201", "decrypt_datakey under another key")

    nop = kms.create_datakey_without_plaintext(m.CreateDatakeyWithoutPlaintextRequest(
        m.CreateDatakeyRequestBody(key_id="sdk-one")))
    kms_check(s, nop.key_id == key and nop.cipher_text and getattr(nop, "plain_text", None) is None,
          "create_datakey_without_plaintext by alias")

    own = os.urandom(32)
    enc = kms.encrypt_datakey(m.EncryptDatakeyRequest(m.EncryptDatakeyRequestBody(
        key_id=key, plain_text=(own + hashlib.sha256(own).digest()).hex(), datakey_plain_length="32")))
    kms_check(s, enc.key_id == key and enc.datakey_length == "32", "encrypt_datakey")
    back = kms.decrypt_datakey(m.DecryptDatakeyRequest(m.DecryptDatakeyRequestBody(
        key_id=key, cipher_text=enc.cipher_text, datakey_cipher_length="32")))
    kms_check(s, back.data_key == own.hex(), "encrypt_datakey then decrypt_datakey gives the key back")
    kms_expect_error(s,
        lambda: kms.encrypt_datakey(m.EncryptDatakeyRequest(m.EncryptDatakeyRequestBody(
            key_id=key, plain_text=(own + bytes(32)).hex(), datakey_plain_length="32"))),
        400, "KMS.2103", "encrypt_datakey with a wrong digest")

    r = kms.update_key_alias(m.UpdateKeyAliasRequest(m.UpdateKeyAliasRequestBody(key_id=key, key_alias="sdk-new")))
    kms_check(s, r.key_info.key_alias == "sdk-new", "update_key_alias")
    r = kms.update_key_description(m.UpdateKeyDescriptionRequest(
        m.UpdateKeyDescriptionRequestBody(key_id=key, key_description="d2")))
    kms_check(s, r.key_info.key_description == "d2", "update_key_description")
    d = kms.list_key_detail(m.ListKeyDetailRequest(m.OperateKeyRequestBody(key_id="sdk-new"))).key_info
    kms_check(s, d.key_id == key and d.key_description == "d2", "describe by the new alias")
    kms_expect_error(s,
        lambda: kms.list_key_detail(m.ListKeyDetailRequest(m.OperateKeyRequestBody(
            key_id="00000000-0000-0000-0000-000000000000"))),
        404, "KMS.0207", "describe an unknown key")


def kms_iam_lookup(s, endpoint, project_id):
    """The SDK finds the project id itself through IAM (GET /v3/projects?name=REGION)."""
    from huaweicloudsdkkms.v2 import model as m
    kms = kms_client(endpoint, None, lookup=True)
    page = kms.list_keys(m.ListKeysRequest(m.ListKeysRequestBody(key_spec="ALL")))
    kms_check(s, page.total >= 1, "list_keys with the project id looked up through IAM")


def kms_wrong_secret(s, endpoint, project_id):
    from huaweicloudsdkkms.v2 import model as m
    kms = kms_client(endpoint, project_id, secret=SK[:-1] + ("A" if SK[-1] != "A" else "B"))
    kms_expect_error(s, lambda: kms.list_keys(m.ListKeysRequest(m.ListKeysRequestBody(key_spec="ALL"))),
                     401, "APIGW.0301", "wrong secret key")


def kms_denied(s, endpoint, project_id):
    """create_datakey under a policy that denies kms:dek:create."""
    from huaweicloudsdkkms.v2 import model as m
    kms = kms_client(endpoint, project_id)
    key = kms.list_keys(m.ListKeysRequest(m.ListKeysRequestBody(key_spec="ALL"))).keys[0]
    e = kms_expect_error(s, lambda: kms.create_datakey(m.CreateDatakeyRequest(m.CreateDatakeyRequestBody(key_id=key))),
                         403, "KMS.0306", "create_datakey denied by the policy")
    kms_check(s, e is not None and "kms:dek:create" in e.error_msg, "the error names kms:dek:create")


def kms_extra_headers(s, endpoint, project_id):
    """list-keys signed by the SDK's own Signer with headers KmsClient never sends: the SDK signs every header
    without '_', so the server must verify over the SignedHeaders the client names. An '_' header (unsigned) and
    one added after signing play no part; a signed extra header changed on the way is refused (401 APIGW.0301)."""
    import urllib.error
    import urllib.request
    from urllib.parse import urlparse
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer
    netloc = urlparse(endpoint).netloc

    def signed():
        headers = {"Content-Type": "application/json;charset=utf-8", "X-Project-Id": project_id,
                   "X-Trace-Id": "trace-1", "X-Client-Tag": "  two  spaces  ", "Accept": "application/json",
                   "x_under_score": "unsigned"}
        r = SdkRequest(method="POST", schema=urlparse(endpoint).scheme, host=netloc,
                       resource_path=f"/v1.0/{project_id}/kms/list-keys", query_params=[], header_params=headers,
                       body='{"key_spec": "ALL"}')
        return Signer(BasicCredentials(AK, SK, project_id)).sign(r)

    def send(r, extra):
        req = urllib.request.Request(endpoint + r.uri, data=r.body, method="POST",
                                     headers=dict(r.header_params, **extra))
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    r = signed()
    names = r.header_params["Authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    kms_check(s, {"x-trace-id", "x-client-tag", "accept"} <= set(names) and "x_under_score" not in names,
              f"the SDK signed the extra headers: {names}")
    status, body = send(r, {"X-Late": "added after signing"})
    kms_check(s, status == 200 and b"key_details" in body, f"extra signed headers verify: {status} {body[:200]}")
    status, body = send(signed(), {"X-Trace-Id": "trace-2"})
    kms_check(s, status == 401 and b"APIGW.0301" in body, f"a signed extra header changed: {status} {body[:200]}")


def kms_held_bodies(s, endpoint, project_id, count, forged=""):
    """COUNT connections announce a 1000-byte body to describe-key without signing it and send none: each is
    answered 401 at once (nothing to wait for), and an SDK call meanwhile is not held up behind them. Forged: the
    headers pass every check but the signature's, which needs the body; they wait holding no KMS slot."""
    import socket
    import time
    from urllib.parse import urlparse
    from huaweicloudsdkkms.v2 import model as m
    url = urlparse(endpoint)
    held = []
    started = time.time()
    for _ in range(int(count)):
        sock = socket.create_connection((url.hostname, url.port), timeout=30)
        auth = ""
        if forged:
            date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            auth = ("X-Sdk-Date: %s\r\nAuthorization: SDK-HMAC-SHA256 Access=%s, SignedHeaders=content-type;host;"
                    "x-sdk-date, Signature=%s\r\n" % (date, AK, "0" * 64))
        sock.sendall(("POST /v1.0/%s/kms/describe-key HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                      "%sContent-Length: 1000\r\n\r\n" % (project_id, url.netloc, auth)).encode())
        held.append(sock)
    if not forged:
        statuses = [raw_status_line(s, sock).split(b" ")[1:2] for sock in held]
        kms_check(s, all(st == [b"401"] for st in statuses), f"each unsigned body refused at once: {statuses}")
    s.out["held_seconds"] = time.time() - started
    kms = kms_client(endpoint, project_id)
    started = time.time()
    kms.list_keys(m.ListKeysRequest(m.ListKeysRequestBody(key_spec="ALL")))
    s.out["call_seconds"] = time.time() - started
    for sock in held:
        sock.close()


SCENARIOS = {
    ("boto3", "buckets"): boto3_buckets, ("boto3", "rejections"): boto3_rejections,
    ("boto3", "presign"): boto3_presign, ("boto3", "objects"): boto3_objects,
    ("boto3", "plain-http-refusals"): boto3_plain_http_refusals, ("boto3", "kms-alias"): boto3_kms_alias,
    ("raw", "slow-create"): raw_slow_create, ("raw", "stalled-put"): raw_stalled_put,
    ("raw", "aborted-put"): raw_aborted_put, ("raw", "held-gets"): raw_held_gets,
    ("raw", "expect-put"): raw_expect_put,
    ("raw", "send-all-put"): raw_send_all_put, ("raw", "slow-headers"): raw_slow_headers,
    ("raw", "pipelined-expect"): raw_pipelined_expect, ("raw", "slow-get"): raw_slow_get,
    ("raw", "unreadable"): raw_unreadable, ("raw", "trickle-put"): raw_trickle_put,
    ("boto3", "refused-bytes"): boto3_refused_bytes, ("boto3", "multipart-checksums"): boto3_multipart_checksums,
    ("esdk", "plain-http-refusals"): esdk_plain_http_refusals,
    ("esdk", "buckets"): esdk_buckets, ("esdk", "rejections"): esdk_rejections, ("esdk", "objects"): esdk_objects,
    ("kms", "lifecycle"): kms_lifecycle, ("kms", "iam-lookup"): kms_iam_lookup,
    ("kms", "wrong-secret"): kms_wrong_secret, ("kms", "denied"): kms_denied,
    ("kms", "extra-headers"): kms_extra_headers, ("kms", "held-bodies"): kms_held_bodies,
}


def main():
    client, scenario, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    s = Steps()
    s.check("scenario ran to its end", lambda: SCENARIOS[(client, scenario)](s, *args) or True)
    return s.finish()


if __name__ == "__main__":
    sys.exit(main())
