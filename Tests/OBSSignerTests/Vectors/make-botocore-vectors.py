#!/usr/bin/env python3
"""Writes botocore-requests.json: requests signed by botocore (the signer behind boto3 and awscli), captured as
they would go on the wire, for RequestVerifier's tests (BotocoreVectorTests.swift).

    python3 Tests/OBSSignerTests/Vectors/make-botocore-vectors.py > Tests/OBSSignerTests/Vectors/botocore-requests.json

Each request is made by a real boto3 client whose transport is cut at botocore's `before-send` event, with the
clock frozen, so the output is reproducible. botocore has no signed-chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)
signer; the one signed-chunk vector here takes its seed signature from botocore and its chunk and trailer
signatures from the small independent implementation below (S3 docs, "sigv4-streaming" and
"sigv4-streaming-trailers").
"""

import base64
import datetime
import hashlib
import hmac
import io
import json
import sys
from unittest import mock
from urllib.parse import urlsplit

import boto3
import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

AK = "OBSCTLTESTAK00000001"
SK = "obsctl/Test+Secret0123456789abcdefEXAMPLE"
TOKEN = "FwoGZXIvYXdzEXAMPLETOKEN//0123456789+abc="
NOW = datetime.datetime(2024, 10, 15, 7, 20, 9)
NOW_EPOCH = int((NOW - datetime.datetime(1970, 1, 1)).total_seconds())
REGION = "cn-north-4"


class Captured(Exception):
    pass


def capture(make_call, **client_args):
    """Runs one client call and returns the request it would have sent."""
    seen = {}

    def before_send(request, **_):
        seen["request"] = request
        raise Captured()

    config = client_args.pop("config", Config())
    session = boto3.session.Session()
    client = session.client(
        "s3", region_name=REGION, aws_access_key_id=AK, aws_secret_access_key=SK,
        aws_session_token=client_args.pop("token", None), config=config, **client_args)
    client.meta.events.register("before-send.s3", before_send)
    try:
        make_call(client)
    except Captured:
        pass
    return wire(seen["request"])


def wire(request):
    url = urlsplit(request.url)
    host = url.netloc
    default = ":443" if url.scheme == "https" else ":80"
    if host.endswith(default):
        host = host[: -len(default)]
    headers = [["Host", host]]
    for name, value in request.headers.items():
        if name.lower() == "amz-sdk-invocation-id":
            value = "00000000-0000-4000-8000-000000000000"  # random per call and unsigned: fixed for stable output
        elif name.lower() == "user-agent":
            value = f"Boto3/{boto3.__version__} Botocore/{botocore.__version__}"  # unsigned; varies by host and run
        headers.append([name, value.decode() if isinstance(value, bytes) else value])
    body = request.body
    if body is None:
        raw = b""
    elif isinstance(body, (bytes, bytearray)):
        raw = bytes(body)
    elif isinstance(body, str):
        raw = body.encode()
    else:
        raw = body.read()
    return {"method": request.method, "path": url.path or "/", "query": url.query, "headers": headers,
            "body_base64": base64.b64encode(raw).decode()}


def presign(method, params, **client_args):
    session = boto3.session.Session()
    client = session.client(
        "s3", region_name=REGION, aws_access_key_id=AK, aws_secret_access_key=SK,
        aws_session_token=client_args.pop("token", None), **client_args)
    url = urlsplit(client.generate_presigned_url(method, Params=params, ExpiresIn=3600))
    return {"method": "GET" if method == "get_object" else "PUT", "path": url.path, "query": url.query,
            "headers": [["Host", url.netloc]], "body_base64": ""}


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return (crc ^ 0xFFFFFFFF).to_bytes(4, "big")


def signed_chunked_vector(payload, chunk_size):
    """A SigV4 streaming upload with a signed trailer: seed from botocore, chunks and trailer signed here."""
    stream = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"

    class KeepStreamingPayload(botocore.auth.S3SigV4Auth):
        def payload(self, request):
            return stream

    headers = {
        "Content-Encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(len(payload)),
        "x-amz-trailer": "x-amz-checksum-crc32c",
        "x-amz-meta-origin": "chunked vector",
        "Content-Type": "application/octet-stream",
    }
    request = AWSRequest(method="PUT", url="http://127.0.0.1:9000/vectors/chunked%20object.bin", headers=headers)
    KeepStreamingPayload(Credentials(AK, SK), "s3", REGION).add_auth(request)
    auth = request.headers["Authorization"]
    seed = auth.rsplit("Signature=", 1)[1]
    amz_date = request.headers["X-Amz-Date"]
    scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"

    def mac(key, msg):
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = mac(mac(mac(mac(("AWS4" + SK).encode(), amz_date[:8]), REGION), "s3"), "aws4_request")
    empty = hashlib.sha256(b"").hexdigest()
    body = b""
    previous = seed
    pieces = [payload[i: i + chunk_size] for i in range(0, len(payload), chunk_size)] + [b""]
    for piece in pieces:
        sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, empty,
                         hashlib.sha256(piece).hexdigest()])
        previous = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
        body += b"%x;chunk-signature=%s\r\n" % (len(piece), previous.encode())
        if piece:
            body += piece + b"\r\n"
    checksum = base64.b64encode(crc32c(payload)).decode()
    trailer = f"x-amz-checksum-crc32c:{checksum}\n"
    sts = "\n".join(["AWS4-HMAC-SHA256-TRAILER", amz_date, scope, previous,
                     hashlib.sha256(trailer.encode()).hexdigest()])
    trailer_signature = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    body += f"x-amz-checksum-crc32c:{checksum}\r\nx-amz-trailer-signature:{trailer_signature}\r\n\r\n".encode()
    out = wire(request)
    out["headers"].append(["Content-Length", str(len(body))])
    out["body_base64"] = base64.b64encode(body).decode()
    return out, checksum


def main():
    path_style = Config(s3={"addressing_style": "path"})
    virtual = Config(s3={"addressing_style": "virtual"})
    v2 = Config(signature_version="s3", s3={"addressing_style": "path"})
    v2_virtual = Config(signature_version="s3", s3={"addressing_style": "virtual"})
    http = {"endpoint_url": "http://127.0.0.1:9000"}
    https = {"endpoint_url": "https://localhost:9443"}
    named = {"endpoint_url": "http://localhost:9000"}
    body = b"hello, obsctl serve\n"
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    vectors = []

    def add(name, note, request, scheme, presigned=False, bucket=None, payload=None, decoded=None, trailers=None):
        vectors.append({"name": name, "note": note, "scheme": scheme, "presigned": presigned,
                        "virtual_host_bucket": bucket, "payload": payload, "decoded_base64": decoded,
                        "trailers": trailers or {}, **request})

    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW), \
            mock.patch("time.time", return_value=float(NOW_EPOCH)):
        add("v4_put_object_sha256_md5_meta_sse",
            "http: payload signed with its SHA-256; Content-MD5, x-amz-meta-*, SSE-KMS headers signed",
            capture(lambda c: c.put_object(
                Bucket="vectors", Key="dir/hello wörld+1.txt", Body=body, ContentMD5=md5,
                ContentType="text/plain", Metadata={"author": "alice", "note": "two  spaces"},
                ServerSideEncryption="aws:kms", SSEKMSKeyId="obs/default"),
                config=path_style, **http), "v4", payload="sha256")
        add("v4_get_object_virtual_range_overrides",
            "virtual-hosted, Range, response-* overrides and versionId in the query",
            capture(lambda c: c.get_object(
                Bucket="vectors", Key="a b/c~d.txt", Range="bytes=0-9", VersionId="v1/2+3",
                ResponseContentType="text/plain; charset=utf-8", ResponseContentDisposition="attachment"),
                config=virtual, **named), "v4", payload="sha256")
        add("v4_list_objects_v2_encoded_query",
            "prefix and delimiter that need percent-encoding, encoding-type=url",
            capture(lambda c: c.list_objects_v2(
                Bucket="vectors", Prefix="a b/ü&=", Delimiter="/", MaxKeys=10, EncodingType="url"),
                config=path_style, **http), "v4", payload="sha256")
        add("v4_delete_objects_bare_subresource",
            "POST ?delete (a value-less parameter), body checksum headers",
            capture(lambda c: c.delete_objects(
                Bucket="vectors", Delete={"Objects": [{"Key": "a"}, {"Key": "b c"}], "Quiet": True}),
                config=path_style, **http), "v4", payload="sha256")
        add("v4_upload_part_session_token",
            "temporary credentials: x-amz-security-token signed; partNumber and uploadId in the query",
            capture(lambda c: c.upload_part(
                Bucket="vectors", Key="big.bin", PartNumber=3, UploadId="2~upload/id=", Body=body),
                config=path_style, token=TOKEN, **http), "v4", payload="sha256")
        add("v4_create_bucket_location",
            "CreateBucket with a location body",
            capture(lambda c: c.create_bucket(
                Bucket="vectors-new", CreateBucketConfiguration={"LocationConstraint": REGION}),
                config=path_style, **http), "v4", payload="sha256")
        add("v4_put_object_https_unsigned_trailer",
            "https: aws-chunked body, STREAMING-UNSIGNED-PAYLOAD-TRAILER, x-amz-checksum-crc32 trailer",
            capture(lambda c: c.put_object(
                Bucket="vectors", Key="streamed.bin", Body=io.BytesIO(body * 3000), ContentType="text/plain"),
                config=path_style, **https), "v4", payload="streamingUnsignedTrailer",
            decoded=base64.b64encode(body * 3000).decode())
        add("v4_presigned_get",
            "presigned GET with a response override and a key needing encoding",
            presign("get_object", {"Bucket": "vectors", "Key": "dir/hello wörld+1.txt",
                                   "ResponseContentDisposition": "attachment; filename=\"x y.txt\""},
                    config=path_style, **http), "v4", presigned=True, payload="unsigned")
        add("v4_presigned_put_virtual_token",
            "presigned PUT, virtual-hosted, temporary credentials (X-Amz-Security-Token)",
            presign("put_object", {"Bucket": "vectors", "Key": "up.txt"}, config=virtual, token=TOKEN,
                    **named), "v4", presigned=True, payload="unsigned")
        add("v2_put_object_path_style",
            "AWS V2 (HmacV1): Content-MD5, Content-Type, x-amz-meta-*, path style",
            capture(lambda c: c.put_object(
                Bucket="vectors", Key="dir/hello wörld+1.txt", Body=body, ContentMD5=md5,
                ContentType="text/plain", Metadata={"author": "alice"}, ACL="private"),
                config=v2, **http), "v2", payload="none")
        add("v2_get_object_virtual_token",
            "AWS V2, virtual-hosted (resource /bucket/key), temporary credentials, versionId sub-resource",
            capture(lambda c: c.get_object(Bucket="vectors", Key="a b.txt", VersionId="v1"),
                    config=v2_virtual, token=TOKEN, **named), "v2", bucket="vectors", payload="none")
        add("v2_upload_part",
            "AWS V2 with partNumber and uploadId sub-resources",
            capture(lambda c: c.upload_part(
                Bucket="vectors", Key="big.bin", PartNumber=2, UploadId="abc", Body=body),
                config=v2, **http), "v2", payload="none")
        add("v2_presigned_get",
            "AWS V2 query form: AWSAccessKeyId, Expires, Signature",
            presign("get_object", {"Bucket": "vectors", "Key": "a b.txt"}, config=v2, **http), "v2",
            presigned=True, payload="none")
        add("v2_get_bucket_encryption_s3_subresources",
            "AWS V2 ?encryption: botocore signs S3's sub-resource list, which lacks encryption (OBS's has it)",
            capture(lambda c: c.get_bucket_encryption(Bucket="vectors"), config=v2, **http), "v2", payload="none")
        add("v2_presigned_get_token",
            "AWS V2 query form with temporary credentials: botocore moves the signed x-amz-security-token header "
            "into the query, signed as a header (OBS signs it as a sub-resource)",
            presign("get_object", {"Bucket": "vectors", "Key": "a b.txt"}, config=v2, token=TOKEN, **http), "v2",
            presigned=True, payload="none")
        chunked_payload = bytes((i * 7) % 251 for i in range(70000))
        request, checksum = signed_chunked_vector(chunked_payload, 65536)
        add("v4_signed_chunks_signed_trailer",
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: seed signed by botocore, 64 KiB chunks and a crc32c "
            "trailer signed by this script", request, "v4", payload="streamingSigned",
            decoded=base64.b64encode(chunked_payload).decode(), trailers={"x-amz-checksum-crc32c": checksum})

    json.dump({"generator": f"botocore {botocore.__version__}, boto3 {boto3.__version__}",
               "script": "make-botocore-vectors.py", "access_key_id": AK, "secret_access_key": SK,
               "security_token": TOKEN, "now_epoch": NOW_EPOCH, "vectors": vectors},
              sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
