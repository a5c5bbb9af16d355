# boto3 checks: an aws-chunked upload with a trailer checksum; x-amz-checksum-crc32c as a header, right and wrong
# (the wrong one refused with nothing stored).
import base64, boto3, io, os, struct, sys
e = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=e)
seen = []
s3.meta.events.register("before-send.s3.*", lambda request, **kw: seen.append(
    (request.headers.get("x-amz-content-sha256"), request.headers.get("Content-Encoding"))))
s3.create_bucket(Bucket="botobkt")
data = os.urandom(256 << 10)
s3.upload_fileobj(io.BytesIO(data), "botobkt", "chunked", ExtraArgs={"ChecksumAlgorithm": "CRC32"})
assert s3.get_object(Bucket="botobkt", Key="chunked")["Body"].read() == data
print("payload modes seen:", sorted(set(str(s) for s in seen)))
T = []
for i in range(256):
    c = i
    for _ in range(8): c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    T.append(c)
def crc32c(b):
    c = 0xFFFFFFFF
    for x in b: c = T[(c ^ x) & 0xFF] ^ (c >> 8)
    return base64.b64encode(struct.pack(">I", c ^ 0xFFFFFFFF)).decode()
def put(key, crc):
    return s3.put_object(Bucket="botobkt", Key=key, Body=data, ChecksumCRC32C=crc)
put("good", crc32c(data))
assert s3.get_object(Bucket="botobkt", Key="good")["Body"].read() == data
try:
    put("bad", crc32c(data + b"x")); print("FAIL bad crc accepted"); sys.exit(1)
except s3.exceptions.ClientError as x:
    print("bad crc:", x.response["Error"]["Code"])
try:
    s3.head_object(Bucket="botobkt", Key="bad"); print("FAIL stored"); sys.exit(1)
except s3.exceptions.ClientError as x:
    print("bad not stored:", x.response["Error"]["Code"])
print("boto ok")
