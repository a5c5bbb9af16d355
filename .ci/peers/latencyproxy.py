#!/usr/bin/env python3
"""TCP proxy that adds network latency, for benchmarks (loopback only).

    latencyproxy.py --port P --upstream 127.0.0.1:U --delay-ms 10

Every byte is delivered --delay-ms after it arrived, in each direction, so a request and its answer take one
round trip (2 x delay) longer than on loopback, as on a real network. Bandwidth is not limited: data waits in a
queue for its time, it is not sent chunk after chunk with a sleep in between (which would cap throughput at one
chunk per delay). A new connection also costs the round trip of a TCP handshake: nothing the client sends is
delivered before 3 x delay after the accept (SYN, SYN-ACK, then the first data). Connections are kept alive and
half-closes are passed on, so clients behave as they would against the server itself; unlike faultproxy.py, this
proxy knows nothing of HTTP.

Memory stays bounded: a direction stops reading when MAX_QUEUED bytes wait in it (enough for 800 MB/s at 10 ms).
"""
import argparse
import asyncio
import collections
import sys

MAX_QUEUED = 8 << 20


class Direction:
    """The bytes one side has sent and the other has yet to get, each with the time it is due."""

    def __init__(self, conn, not_before):
        self.conn, self.loop, self.delay = conn, conn.loop, conn.delay
        self.not_before = not_before  # a new connection's first data waits for the simulated handshake
        self.queue = collections.deque()  # (due, bytes), or (due, None) for the end of the stream
        self.queued = 0
        self.timer = None
        self.src = self.dst = None  # transports: read from src, write to dst
        self.paused = False  # src paused because MAX_QUEUED bytes wait
        self.eof = self.done = False

    def push(self, data):
        if self.eof:
            return
        self.eof = data is None
        due = max(self.loop.time() + self.delay, self.not_before)
        self.not_before = due  # in order, whatever the clock's resolution
        self.queue.append((due, data))
        if data is not None:
            self.queued += len(data)
            if self.queued > MAX_QUEUED and self.src is not None and not self.paused:
                self.paused = True
                self.src.pause_reading()
        self.schedule()

    def schedule(self):
        if self.timer is None and self.queue and self.dst is not None and not self.done:
            self.timer = self.loop.call_at(self.queue[0][0], self.flush)

    def finish(self):
        self.done = True
        self.queue.clear()
        self.conn.maybe_close()

    def flush(self):
        self.timer = None
        now = self.loop.time()
        while self.queue and self.queue[0][0] <= now:
            if self.dst.is_closing():
                return self.finish()
            _, data = self.queue.popleft()
            if data is None:
                if self.dst.can_write_eof():
                    self.dst.write_eof()
                return self.finish()
            self.queued -= len(data)
            self.dst.write(data)
        if self.paused and self.queued <= MAX_QUEUED // 2:
            self.paused = False
            if not self.src.is_closing():
                self.src.resume_reading()
        self.schedule()


class Side(asyncio.Protocol):
    """One socket of a proxied connection: what it receives goes out through `out`, what `into` holds comes in."""

    def __init__(self, conn, out, into):
        self.conn, self.out, self.into = conn, out, into
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        self.conn.side_made(self)

    def data_received(self, data):
        self.out.push(data)

    def eof_received(self):
        self.out.push(None)
        return True  # keep the other half open: the answer may still come

    def pause_writing(self):  # this socket's send buffer is full: stop reading from the other one
        self.into.src.pause_reading()

    def resume_writing(self):
        if not self.into.src.is_closing():
            self.into.src.resume_reading()

    def connection_lost(self, exc):
        if exc is not None:  # a reset: pass it on at once
            return self.conn.abort()
        self.out.push(None)
        self.into.finish()  # nothing can be delivered to this socket any more


class Connection:
    def __init__(self, loop, delay, upstream):
        self.loop, self.delay, self.upstream = loop, delay, upstream
        now = loop.time()
        self.up = Direction(self, now + 3 * delay)
        self.down = Direction(self, now)
        self.client = Side(self, self.up, self.down)
        self.server = None

    def side_made(self, side):
        if side is self.client:
            side.transport.pause_reading()  # until the upstream connection exists
            self.loop.create_task(self.open_upstream())

    async def open_upstream(self):
        host, port = self.upstream
        try:
            await self.loop.create_connection(self.server_side, host, port)
        except OSError as e:
            print(f"latencyproxy: upstream {host}:{port}: {e}", file=sys.stderr, flush=True)
            return self.abort()
        self.up.src = self.down.dst = self.client.transport
        self.down.src = self.up.dst = self.server.transport
        if not self.client.transport.is_closing():
            self.client.transport.resume_reading()
        self.up.schedule()
        self.down.schedule()

    def server_side(self):
        self.server = Side(self, self.down, self.up)
        return self.server

    def maybe_close(self):
        if self.up.done and self.down.done:
            for side in (self.client, self.server):
                if side is not None and side.transport is not None and not side.transport.is_closing():
                    side.transport.close()

    def abort(self):
        for d in (self.up, self.down):
            d.done = True
            d.queue.clear()
        for side in (self.client, self.server):
            if side is not None and side.transport is not None:
                side.transport.abort()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--upstream", required=True, help="host:port of the server")
    ap.add_argument("--delay-ms", type=float, required=True, help="one-way delay in milliseconds")
    args = ap.parse_args()
    host, _, port = args.upstream.rpartition(":")
    upstream, delay = (host, int(port)), args.delay_ms / 1000

    async def serve():
        loop = asyncio.get_running_loop()

        def accept():
            return Connection(loop, delay, upstream).client

        server = await loop.create_server(accept, "127.0.0.1", args.port, backlog=1024)
        print(f"latencyproxy: 127.0.0.1:{args.port} -> {args.upstream}, {args.delay_ms} ms each way", flush=True)
        async with server:
            await server.serve_forever()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
