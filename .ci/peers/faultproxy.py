#!/usr/bin/env python3
"""Fault-injecting HTTP/1.1 proxy for obsctl's remote-client tests (loopback only).

    faultproxy.py --port P --upstream 127.0.0.1:U --control-port C

Data port P forwards to the upstream S3 server (SeaweedFS's HTTP port). Connection handling: ONE REQUEST
PER CONNECTION. The proxy reads the request head, replaces any Connection / Keep-Alive / Proxy-Connection
header with `Connection: close`, and then relays raw bytes both ways in 64 KiB chunks (nothing is buffered
beyond one chunk, so bodies of any size stream in both directions; Expect: 100-continue works) until the
upstream closes after its response. Clients therefore see `Connection: close` on every response and must
open a new connection per request; keep-alive reuse cannot be tested through this proxy. The Host header
is forwarded unchanged, so SigV4/V2 signatures made for the proxy's address verify upstream.

Control port C (HTTP, JSON):
    GET  /mode            current rule, e.g. {"mode": "pass", "count": 0, ...}
    POST /mode            set the rule; body is JSON:
        {"mode": "pass"}
        {"mode": "503", "count": 2}               answer with an S3 XML error instead of forwarding
              optional "status": 500|503|429|...  (default 503), "code": "SlowDown" (default ServiceUnavailable),
              "message"; a HEAD gets the status with an empty body. "body" (and "content_type", default
              application/json) replaces the XML error: the error shape of another service (KMS's or IAM's JSON)
        {"mode": "reset-mid-body", "count": 1}    forward, send the response head and part of the body, then
              reset the connection (RST). optional "after": body bytes sent first (default: half of
              Content-Length; 16 if the body is chunked; a response without a body is reset before its head)
        {"mode": "stall-mid-body", "seconds": 30, "count": 1}  as reset-mid-body, but then send nothing for
              "seconds" and close (FIN): a short body for low-speed timeouts
        {"mode": "corrupt-body", "count": 1}      forward the whole response, but with the body byte at offset
              "after" (default: the middle) inverted: damage in transit that only a checksum can catch
        {"mode": "corrupt-request", "count": 1}   forward the request with the body byte at offset "after" (default
              0) inverted, then the response as it is: damage on the way in, which only a checksum header catches
        {"mode": "reset-mid-request", "count": 1} read the request head and "after" bytes of its body
              (default 65536, or all of it if shorter), forward nothing, reset the connection
        {"mode": "stall", "seconds": 30, "count": 1}  accept, read and discard what the client sends, answer
              nothing for "seconds", then close
        {"mode": "delay-response", "seconds": 3, "count": 1}  forward the request, read the whole response (the
              server has acted on the request), log and count it, hold it "seconds", then pass it on: a request in
              flight whose effect already exists
      common keys: "count": how many matching requests get the fault (default 1; -1 = every request until
      the mode is changed); after the last one the mode returns to "pass", or becomes the rule under "then"
      (a rule of its own: faults in sequence, e.g. a lost answer and then the error its retry gets).
      "match": substring the request line must contain for the fault to apply, e.g. "GET ", "partNumber=2",
      "uploads" (default: every request). Requests that do not match pass through and do not use up count.
    GET  /stats           {"requests": n, "faults": n, "by_action": {...}, "max_in_flight": n} (the most requests
                          in flight at once: from its head read until its answer starts on its way; for the
                          reset, stall and corrupt modes, until the connection is done)
    GET  /log             the last 2000 request log lines as JSON list
    POST /reset           mode pass, counters and log cleared
Every request is logged to stdout as: time  #n  client  "request line"  action  final-status/details
Faults are counted per request, which is per connection here.
"""
import argparse
import json
import socket
import struct
import sys
import threading
import time
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

CHUNK = 65536
MAX_HEAD = 65536
MODES = ("pass", "503", "reset-mid-body", "stall-mid-body", "corrupt-body", "corrupt-request", "reset-mid-request",
         "stall", "delay-response")
HOP_BY_HOP = (b"connection", b"keep-alive", b"proxy-connection")


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.rule = {"mode": "pass", "count": 0}
        self.requests = 0
        self.faults = 0
        self.by_action = {}
        self.log = deque(maxlen=2000)
        self.conn_ids = 0
        self.in_flight = 0  # requests whose head was read and whose answer is not finished
        self.max_in_flight = 0

    def set_rule(self, rule):
        clean = self.clean_rule(rule)
        with self.lock:
            self.rule = clean
        return clean

    def clean_rule(self, rule):
        mode = rule.get("mode")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        count = int(rule.get("count", 0 if mode == "pass" else 1))
        if mode != "pass" and (count == 0 or count < -1):
            raise ValueError("count must be a positive number or -1")
        clean = {"mode": mode, "count": count}
        for key, conv in (("seconds", float), ("after", int), ("status", int), ("code", str), ("match", str),
                          ("message", str), ("body", str), ("content_type", str)):
            if key in rule:
                clean[key] = conv(rule[key])
        if "then" in rule:
            clean["then"] = self.clean_rule(rule["then"])
        return clean

    def take(self, request_line):
        """Returns the fault to apply to this request (a dict) or None for pass-through."""
        with self.lock:
            self.requests += 1
            self.conn_ids += 1
            cid = self.conn_ids
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            rule = self.rule
            if rule["mode"] == "pass" or rule["count"] == 0:
                return cid, None
            if "match" in rule and rule["match"] not in request_line:
                return cid, None
            fault = dict(rule)
            if rule["count"] > 0:
                rule["count"] -= 1
                if rule["count"] == 0:
                    self.rule = rule.get("then", {"mode": "pass", "count": 0})
            self.faults += 1
            return cid, fault

    def ended(self):
        with self.lock:
            self.in_flight -= 1

    def record(self, line, action):
        with self.lock:
            self.log.append(line)
            self.by_action[action] = self.by_action.get(action, 0) + 1
        print(line, flush=True)


STATE = State()


class InFlight:
    """A request counted in STATE.in_flight from its head read until its answer starts on its way (before the client
    can have it and send another: what the client has in flight, not how long this proxy takes to close)."""

    def __init__(self):
        self.counted = True

    def answered(self):
        if self.counted:
            self.counted = False
            STATE.ended()


def read_head(sock, initial=b""):
    """Reads until CRLFCRLF. Returns (head, rest) or (None, data) on EOF/oversize."""
    buf = initial
    while b"\r\n\r\n" not in buf:
        if len(buf) > MAX_HEAD:
            return None, buf
        data = sock.recv(CHUNK)
        if not data:
            return None, buf
        buf += data
    i = buf.index(b"\r\n\r\n") + 4
    return buf[:i], buf[i:]


def parse_headers(head):
    lines = head[:-4].split(b"\r\n")
    headers = []
    for line in lines[1:]:
        if b":" in line:
            k, v = line.split(b":", 1)
            headers.append((k.strip(), v.strip()))
    return lines[0], headers


def header(headers, name):
    for k, v in headers:
        if k.lower() == name:
            return v
    return None


def rst_close(sock, reader=None):
    """Closes with a TCP reset (SO_LINGER 0). A thread blocked in recv() on the socket keeps it open on Linux
    even after close(), so it is woken first with shutdown(SHUT_RD), which sends nothing to the peer."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    if reader is not None:
        try:
            sock.shutdown(socket.SHUT_RD)
        except OSError:
            pass
        reader.join(5)
    try:
        sock.close()
    except OSError:
        pass


def fin_close(sock):
    """Closes with FIN even while another thread is blocked on the socket."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def quiet_close(sock):
    try:
        sock.close()
    except OSError:
        pass


def drain(sock, seconds):
    """Reads and discards from sock for up to `seconds` or until EOF."""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        sock.settimeout(min(left, 1.0))
        try:
            if not sock.recv(CHUNK):
                return
        except socket.timeout:
            continue
        except OSError:
            return


def pump(src, dst, on_data=None, flip_at=None):
    """Copies src to dst chunk by chunk until EOF or error; half-closes dst on EOF. on_data(chunk) is called
    for each chunk until it returns True. flip_at: offset in the copied stream of one byte to invert."""
    seen = 0
    try:
        while True:
            data = src.recv(CHUNK)
            if not data:
                break
            if on_data and on_data(data):
                on_data = None
            if flip_at is not None and seen <= flip_at < seen + len(data):
                i = flip_at - seen
                data = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
            seen += len(data)
            dst.sendall(data)
    except OSError:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


class Proxy:
    def __init__(self, port, upstream):
        self.port = port
        host, p = upstream.rsplit(":", 1)
        self.upstream = (host, int(p))

    def serve(self):
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", self.port))
        srv.listen(128)
        while True:
            conn, addr = srv.accept()
            threading.Thread(target=self.handle, args=(conn, addr), daemon=True).start()

    def handle(self, client, addr):
        flight = []
        try:
            self._handle(client, addr, flight)
        except Exception as e:  # never let one connection kill the proxy
            print(f"{stamp()} error {addr[1]}: {e!r}", flush=True)
            quiet_close(client)
        finally:
            for f in flight:
                f.answered()

    def _handle(self, client, addr, flight):
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.settimeout(120)
        try:
            head, rest = read_head(client)
        except OSError:
            quiet_close(client)
            return
        if head is None:
            quiet_close(client)
            return
        request_line, headers = parse_headers(head)
        rl = request_line.decode("latin-1")
        cid, fault = STATE.take(rl)
        answer = InFlight()
        flight.append(answer)
        who = f"{addr[0]}:{addr[1]}"
        mode = fault["mode"] if fault else "pass"

        def log(action, status="-"):
            STATE.record(f'{stamp()} #{cid} {who} "{rl}" {action} {status}', action.split(" ")[0])

        if mode == "503":
            answer.answered()
            self.answer_error(client, rl, fault, headers)
            log(mode, str(fault.get("status", 503)))
            return
        if mode == "stall":
            log("stall", f"{fault.get('seconds', 30)}s")
            drain(client, float(fault.get("seconds", 30)))
            quiet_close(client)
            return
        if mode == "reset-mid-request":
            want = int(fault.get("after", 65536))
            length = header(headers, b"content-length")
            if length is not None and length.isdigit():
                want = min(want, int(length))
            got = len(rest)
            client.settimeout(10)
            try:
                while got < want:
                    data = client.recv(min(CHUNK, want - got))
                    if not data:
                        break
                    got += len(data)
            except OSError:
                pass
            rst_close(client)
            log("reset-mid-request", f"after {got} body bytes")
            return

        # Forwarding modes: pass, reset-mid-body, stall-mid-body, corrupt-body, corrupt-request, delay-response.
        new_head = [request_line]
        for k, v in headers:
            if k.lower() not in HOP_BY_HOP:
                new_head.append(k + b": " + v)
        new_head.append(b"Connection: close")
        new_head = b"\r\n".join(new_head) + b"\r\n\r\n"
        try:
            upstream = socket.create_connection(self.upstream, timeout=10)
        except OSError as e:
            self.answer_error(client, rl, {"status": 502, "code": "BadGateway", "message": str(e)}, headers)
            log("upstream-unreachable", "502")
            return
        upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        upstream.settimeout(None)
        client.settimeout(None)
        flip_at = None
        if mode == "corrupt-request":
            at = int(fault.get("after", 0))
            if at < len(rest):
                rest = rest[:at] + bytes([rest[at] ^ 0xFF]) + rest[at + 1:]
            else:
                flip_at = at - len(rest)
        upstream.sendall(new_head + rest)
        up_thread = threading.Thread(target=pump, args=(client, upstream, None, flip_at), daemon=True)
        up_thread.start()

        if mode == "delay-response":
            try:
                response = bytearray()
                while True:
                    data = upstream.recv(CHUNK)
                    if not data:
                        break
                    response.extend(data)
                secs = float(fault.get("seconds", 3))
                log(mode, f"{len(response)} bytes held for {secs}s")
                time.sleep(secs)
                answer.answered()
                client.sendall(bytes(response))
                fin_close(upstream)
                fin_close(client)
            except OSError as e:
                fin_close(upstream)
                rst_close(client, up_thread)
                log(mode, f"error {e}")
            return

        if mode in ("pass", "corrupt-request"):
            status = ["-"]
            seen = bytearray()

            def sniff(data):
                """Finds the final (non-1xx) status line at the start of the response stream."""
                answer.answered()
                seen.extend(data[:MAX_HEAD])
                while True:
                    line_end = seen.find(b"\r\n")
                    if line_end < 0:
                        return len(seen) >= MAX_HEAD
                    status[0] = bytes(seen[:line_end]).decode("latin-1").partition(" ")[2][:40]
                    if not status[0].startswith("1"):
                        return True
                    head_end = seen.find(b"\r\n\r\n")
                    if head_end < 0:
                        return len(seen) >= MAX_HEAD
                    del seen[:head_end + 4]

            pump(upstream, client, sniff)
            fin_close(upstream)
            fin_close(client)
            log(mode, status[0])
            return

        # reset-mid-body / stall-mid-body / corrupt-body: read the response head(s) ourselves.
        try:
            buf = b""
            while True:
                head, buf = read_head(upstream, buf)
                if head is None:
                    raise OSError("upstream closed before the response head")
                status_line, rheaders = parse_headers(head)
                code = status_line.split(b" ")[1] if b" " in status_line else b"?"
                if code.startswith(b"1") and code != b"101":
                    client.sendall(head)  # 100 Continue: pass it on
                    continue
                break
            is_head = request_line.startswith(b"HEAD ")
            clen = header(rheaders, b"content-length")
            chunked = (header(rheaders, b"transfer-encoding") or b"").lower() == b"chunked"
            if is_head or code in (b"204", b"304") or (clen is not None and int(clen) == 0):
                body_total = 0
            elif clen is not None:
                body_total = int(clen)
            else:
                body_total = None  # chunked or until close
            if body_total == 0:
                fin_close(upstream)
                rst_close(client, up_thread)
                log(mode, f"{code.decode()} cut before head (no body)")
                return
            default_after = body_total // 2 if body_total else 16
            after = int(fault.get("after", default_after))
            if body_total is not None:
                after = max(0, min(after, body_total - 1))
            client.sendall(head)
            sent = 0
            pending = buf
            while sent < after:
                if not pending:
                    pending = upstream.recv(CHUNK)
                    if not pending:
                        break
                n = min(len(pending), after - sent)
                client.sendall(pending[:n])
                pending = pending[n:]
                sent += n
            if mode == "corrupt-body":
                if not pending:
                    pending = upstream.recv(CHUNK)
                if pending:
                    client.sendall(bytes([pending[0] ^ 0xFF]) + pending[1:])
                    sent += len(pending)
                while True:
                    data = upstream.recv(CHUNK)
                    if not data:
                        break
                    client.sendall(data)
                    sent += len(data)
                fin_close(upstream)
                fin_close(client)
                log(mode, f"{code.decode()} byte {after} inverted, {sent} body bytes sent")
                return
            fin_close(upstream)
            if mode == "reset-mid-body":
                rst_close(client, up_thread)
                log(mode, f"{code.decode()} reset after {sent} of {body_total if body_total is not None else '?'}"
                          f"{' (chunked)' if chunked else ''} body bytes")
            else:
                secs = float(fault.get("seconds", 30))
                log(mode, f"{code.decode()} stalled after {sent} body bytes for {secs}s")
                drain(client, secs)
                fin_close(client)
        except OSError as e:
            fin_close(upstream)
            rst_close(client, up_thread)
            log(mode, f"error {e}")

    @staticmethod
    def answer_error(client, rl, fault, headers):
        status = int(fault.get("status", 503))
        code = fault.get("code", "ServiceUnavailable" if status == 503 else
                         {500: "InternalError", 429: "SlowDown", 502: "BadGateway"}.get(status, "InjectedFault"))
        reason = {503: "Service Unavailable", 500: "Internal Server Error", 429: "Too Many Requests",
                  502: "Bad Gateway"}.get(status, "Injected Fault")
        rid = uuid.uuid4().hex[:16].upper()
        msg = fault.get("message", "Injected by faultproxy")
        path = rl.split(" ")[1] if " " in rl else "/"
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{escape(code)}</Code><Message>{escape(msg)}'
                f'</Message><Resource>{escape(path)}</Resource><RequestId>{rid}</RequestId></Error>').encode()
        content_type = "application/xml"
        if "body" in fault:
            body, content_type = fault["body"].encode(), fault.get("content_type", "application/json")
        if rl.startswith("HEAD "):
            body = b""
        resp = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                f"x-amz-request-id: {rid}\r\nServer: faultproxy\r\nConnection: close\r\n\r\n").encode() + body
        try:
            client.sendall(resp)
            client.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        # Lingering close: read what the client still sends (a body it is uploading), so that closing does not
        # turn into a TCP reset that would hide the answer from the client.
        drain(client, 5)
        quiet_close(client)


def stamp():
    t = time.time()
    return time.strftime("%H:%M:%S", time.localtime(t)) + f".{int(t * 1000) % 1000:03d}"


class Control(BaseHTTPRequestHandler):
    server_version = "faultproxy-control"

    def _send(self, code, obj):
        body = (json.dumps(obj) + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/mode":
            with STATE.lock:
                self._send(200, dict(STATE.rule))
        elif self.path == "/stats":
            with STATE.lock:
                self._send(200, {"requests": STATE.requests, "faults": STATE.faults,
                                 "by_action": dict(STATE.by_action), "mode": dict(STATE.rule),
                                 "max_in_flight": STATE.max_in_flight})
        elif self.path == "/log":
            with STATE.lock:
                self._send(200, list(STATE.log))
        else:
            self._send(404, {"error": "unknown path; use /mode, /stats, /log, /reset"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path == "/mode":
            try:
                rule = STATE.set_rule(json.loads(raw or b"{}"))
            except (ValueError, TypeError) as e:
                self._send(400, {"error": str(e)})
                return
            print(f"{stamp()} control: mode {json.dumps(rule)}", flush=True)
            self._send(200, rule)
        elif self.path == "/reset":
            with STATE.lock:
                STATE.rule = {"mode": "pass", "count": 0}
                STATE.requests = STATE.faults = 0
                STATE.max_in_flight = STATE.in_flight
                STATE.by_action = {}
                STATE.log.clear()
            print(f"{stamp()} control: reset", flush=True)
            self._send(200, {"mode": "pass", "count": 0})
        else:
            self._send(404, {"error": "unknown path"})

    def log_message(self, fmt, *args):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--upstream", required=True, help="host:port of the S3 server")
    ap.add_argument("--control-port", type=int, required=True)
    args = ap.parse_args()
    ctl = ThreadingHTTPServer(("127.0.0.1", args.control_port), Control)
    ctl.daemon_threads = True
    threading.Thread(target=ctl.serve_forever, daemon=True).start()
    print(f"{stamp()} faultproxy: 127.0.0.1:{args.port} -> {args.upstream}, control 127.0.0.1:{args.control_port}",
          flush=True)
    try:
        Proxy(args.port, args.upstream).serve()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
