#!/usr/bin/env python3
"""Huawei's own Python SDK (esdk-obs-python) as an independent client for obsctl's interoperability tests.

    esdk.py put|get|head ENDPOINT BUCKET KEY [FILE] [--signature v2|v4] [--sse-c-key-file F]

put uploads FILE, get downloads into FILE, head prints the object's SSE headers. Credentials come from
OBSCTL_TEST_ACCESS_KEY / OBSCTL_TEST_SECRET_KEY. Prints one JSON line: {"status", "code", "sse": {...}}; exit 0
on a 2xx answer, else 1.
"""
import argparse
import json
import os
import sys

from obs import GetObjectHeader, ObsClient, PutObjectHeader, SseCHeader


def main():
    p = argparse.ArgumentParser()
    p.add_argument("op", choices=["put", "get", "head"])
    p.add_argument("endpoint")
    p.add_argument("bucket")
    p.add_argument("key")
    p.add_argument("file", nargs="?")
    p.add_argument("--signature", default="v4", choices=["v2", "v4"])
    p.add_argument("--sse-c-key-file")
    a = p.parse_args()
    client = ObsClient(access_key_id=os.environ["OBSCTL_TEST_ACCESS_KEY"],
                       secret_access_key=os.environ["OBSCTL_TEST_SECRET_KEY"],
                       server=a.endpoint, signature=a.signature, path_style=True, is_signature_negotiation=False)
    sse = None
    if a.sse_c_key_file:
        with open(a.sse_c_key_file, "rb") as f:
            sse = SseCHeader(encryption="AES256", key=f.read())
    if a.op == "put":
        r = client.putFile(a.bucket, a.key, a.file, headers=PutObjectHeader(sseHeader=sse) if sse else None)
    elif a.op == "get":
        r = client.getObject(a.bucket, a.key, downloadPath=a.file,
                             headers=GetObjectHeader(sseHeader=sse) if sse else None)
    else:
        r = client.getObjectMetadata(a.bucket, a.key, sseHeader=sse)
    body = r.body if r.status < 300 else None
    fields = {}
    for name in ("sseC", "sseCKeyMd5", "sseKms", "sseKmsKey", "etag", "contentLength"):
        value = getattr(body, name, None) if body is not None else None
        if value is not None:
            fields[name] = value
    print(json.dumps({"status": r.status, "code": r.errorCode, "sse": fields}))
    return 0 if r.status < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
