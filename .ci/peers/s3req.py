#!/usr/bin/env python3
"""One signed S3 request, for looking at raw status codes and headers (used by .ci/peers/check).
Standard library only, so that it starts in a few tens of milliseconds (run it with python3 -S).

    s3req.py [--sig v4|v4-unsigned|v2|none] [--ca FILE] [--region R] [--data-file F | --data STR]
             [-H 'Name: value']... [--show all|status|sse] [--fields A,B] [-o FILE] [--date-offset S]
             METHOD URL

Credentials come from OBSCTL_TEST_ACCESS_KEY / OBSCTL_TEST_SECRET_KEY (override with --ak / --sk).
--sig v4: SigV4, x-amz-content-sha256 = SHA-256 of the body; v4-unsigned: SigV4 with
x-amz-content-sha256: UNSIGNED-PAYLOAD (what OBS requires); v2: `Authorization: AWS ak:signature` (the V2 /
OBS header algorithm, x-amz- prefix). Every header sent is signed (SigV4). The URL's path is sent and signed
as given (percent-encode it yourself); query parameters are canonicalised (decoded, then re-encoded).
--date-offset S signs as if the clock were S seconds off. --v2-extra-subresources encryption,...: sub-resources
signed by V2 besides the classic AWS list.
Prints `HTTP <status>`, then the response headers (--show sse: only x-amz-server-side-encryption*; --show
status: none), then `Code: X` from an XML error body, then `Name: values` for each XML element named by
--fields ("(absent)" when missing). -o FILE writes the body to FILE; --content-md5 adds Content-MD5. Exit status 0
whatever the HTTP status; 2 on a transport error.
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import os
import re
import ssl
import sys
import time
from email.utils import formatdate
from urllib.parse import quote, unquote, urlsplit

# The classic AWS V2 list (SeaweedFS uses exactly this one; it has no "encryption", "cors" or "tagging", which
# OBS signs: add them with --v2-extra-subresources).
V2_SUBRESOURCES = {
    "acl", "delete", "lifecycle", "location", "logging", "notification", "partNumber", "policy",
    "requestPayment", "torrent", "uploadId", "uploads", "versionId", "versioning", "versions", "website",
    "response-cache-control", "response-content-disposition", "response-content-encoding",
    "response-content-language", "response-content-type", "response-expires",
}


def split_query(query):
    pairs = []
    for part in filter(None, query.split("&")):
        k, _, v = part.partition("=")
        pairs.append((unquote(k), unquote(v), "=" in part))
    return pairs


def sign_v4(method, u, headers, body, ak, sk, region, unsigned, now):
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    day = amz_date[:8]
    payload = "UNSIGNED-PAYLOAD" if unsigned else hashlib.sha256(body).hexdigest()
    headers["x-amz-date"] = amz_date
    headers["x-amz-content-sha256"] = payload
    headers["host"] = u.netloc
    canon_headers = sorted((k.lower(), " ".join(str(v).split())) for k, v in headers.items())
    signed = ";".join(k for k, _ in canon_headers)
    query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                     for k, v, _ in sorted(split_query(u.query), key=lambda p: (p[0], p[1])))
    creq = "\n".join([method, u.path or "/", query, "".join(f"{k}:{v}\n" for k, v in canon_headers), signed, payload])
    scope = f"{day}/{region}/s3/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
    key = ("AWS4" + sk).encode()
    for part in (day, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = f"AWS4-HMAC-SHA256 Credential={ak}/{scope}, SignedHeaders={signed}, Signature={sig}"


def sign_v2(method, u, headers, ak, sk, now, extra_subresources=()):
    headers["Date"] = formatdate(now, usegmt=True)
    lower = {k.lower(): str(v).strip() for k, v in headers.items()}
    amz = "".join(f"{k}:{lower[k]}\n" for k in sorted(lower) if k.startswith("x-amz-"))
    sub = sorted((k, v, has) for k, v, has in split_query(u.query) if k in V2_SUBRESOURCES or k in extra_subresources)
    resource = (u.path or "/") + ("?" + "&".join(k + ("=" + v if has else "") for k, v, has in sub) if sub else "")
    sts = (f"{method}\n{lower.get('content-md5', '')}\n{lower.get('content-type', '')}\n"
           f"{headers['Date']}\n{amz}{resource}")
    sig = base64.b64encode(hmac.new(sk.encode(), sts.encode(), hashlib.sha1).digest()).decode()
    headers["Authorization"] = f"AWS {ak}:{sig}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sig", default="v4", choices=["v4", "v4-unsigned", "v2", "none"])
    ap.add_argument("--ak", default=os.environ.get("OBSCTL_TEST_ACCESS_KEY", ""))
    ap.add_argument("--sk", default=os.environ.get("OBSCTL_TEST_SECRET_KEY", ""))
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--ca")
    ap.add_argument("--data")
    ap.add_argument("--data-file")
    ap.add_argument("-H", action="append", default=[])
    ap.add_argument("--show", default="all", choices=["all", "status", "sse"])
    ap.add_argument("--fields", default="", help="comma-separated XML element names to print from the body")
    ap.add_argument("--date-offset", type=int, default=0)
    ap.add_argument("--v2-extra-subresources", default="", help="e.g. encryption,cors,tagging (OBS's V2 list)")
    ap.add_argument("-o", dest="output")
    ap.add_argument("--content-md5", action="store_true", help="send Content-MD5 of the body")
    ap.add_argument("method")
    ap.add_argument("url")
    a = ap.parse_args()

    body = b""
    if a.data is not None:
        body = a.data.encode()
    if a.data_file:
        with open(a.data_file, "rb") as f:
            body = f.read()
    headers = {}
    for h in a.H:
        k, _, v = h.partition(":")
        headers[k.strip()] = v.strip()
    if a.content_md5:
        headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
    u = urlsplit(a.url)
    now = time.time() + a.date_offset
    if a.sig in ("v4", "v4-unsigned"):
        sign_v4(a.method, u, headers, body, a.ak, a.sk, a.region, a.sig == "v4-unsigned", now)
    elif a.sig == "v2":
        sign_v2(a.method, u, headers, a.ak, a.sk, now, set(filter(None, a.v2_extra_subresources.split(","))))

    if u.scheme == "https":
        ctx = ssl.create_default_context(cafile=a.ca)
        conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=30)
    else:
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    path = (u.path or "/") + ("?" + u.query if u.query else "")
    try:
        conn.putrequest(a.method, path, skip_host=True, skip_accept_encoding=True)
        if not any(k.lower() == "host" for k in headers):
            conn.putheader("Host", u.netloc)
        for k, v in headers.items():
            conn.putheader(k, v)
        if body or a.method in ("PUT", "POST"):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        resp = conn.getresponse()
        data = resp.read()
    except (OSError, http.client.HTTPException) as e:
        print(f"transport error: {e}")
        return 2
    if a.output:
        with open(a.output, "wb") as f:
            f.write(data)
    print(f"HTTP {resp.status}")
    if a.show != "status":
        for k, v in resp.getheaders():
            if a.show == "all" or k.lower().startswith("x-amz-server-side-encryption"):
                print(f"{k}: {v}")
    m = re.search(rb"<Code>([^<]*)</Code>", data)
    if m:
        print(f"Code: {m.group(1).decode()}")
    for name in filter(None, a.fields.split(",")):
        found = re.findall(rb"<" + name.encode() + rb">([^<]*)</" + name.encode() + rb">", data)
        present = re.search(rb"<" + name.encode() + rb"[ />]", data) is not None
        print(f"{name}: " + (" ".join(v.decode() for v in found) if present else "(absent)"))
    if a.show == "all" and not a.fields and not a.output and data and len(data) < 600:
        print(data.decode("utf-8", "replace"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
