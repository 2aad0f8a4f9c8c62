#!/usr/bin/env python3
"""The measuring side of bench/serve.sh, standard library only.

  serve_client.py latency-sse  HOST PORT FILE EDITS    # portolan serve: Server-Sent Events
  serve_client.py latency-ws   HOST PORT FILE EDITS    # hugo server: LiveReload over WebSocket
  serve_client.py load         HOST PORT CONCURRENCY ROUNDS PATH...

latency-*: saves FILE (a changed line each time), takes the time right
after the write is closed, and waits for the server's reload message on an
already-open connection: the time a browser would learn of the edit. With
SAVE=rename in the environment, each save writes a temporary file next to
FILE and renames it over FILE, as `sed -i` does (the default, SAVE=write,
rewrites FILE in place, as most editors do).
Prints one JSON object: the milliseconds of every edit (latency-ws also
counts reloads that came with no edit pending, and paces its edits
differently: see latency_ws).

load: ROUNDS times, CONCURRENCY threads each open a connection at the same
moment (a barrier) and GET one of PATH; every response must be a complete
200. Prints requests, errors and requests/s.
"""
import base64
import hashlib
import json
import os
import random
import socket
import sys
import threading
import time


def edit(path, i):
    """Rewrites the file's marker line (or appends one) with edit number i."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    marker = "bench-edit"
    for n, line in enumerate(lines):
        if marker in line:
            indent = line[: len(line) - len(line.lstrip())]
            lines[n] = f"{indent}description: {marker} {i}"
            break
    else:
        raise SystemExit(f"{path} has no line with {marker}")
    if os.environ.get("SAVE", "write") == "rename":
        temp = os.path.join(os.path.dirname(path), f"sed{os.getpid()}x{i}")
        with open(temp, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        os.replace(temp, path)
    else:
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
    return time.perf_counter()


def read_until(sock, buf, needle, deadline):
    while needle not in buf:
        sock.settimeout(max(0.01, deadline - time.time()))
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("the server closed the connection")
        buf += chunk
        if b"event: failed" in buf:
            raise SystemExit("the rebuild failed: " + buf.decode(errors="replace"))
    return buf


def latency_sse(host, port, path, edits):
    sock = socket.create_connection((host, port))
    sock.sendall(f"GET /__portolan/events HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    read_until(sock, b"", b"retry:", time.time() + 30)
    times = []
    for i in range(edits):
        t0 = edit(path, i)
        buf = read_until(sock, b"", b"event: reload", time.time() + 120)
        times.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.3)
    print(json.dumps({"ms": times}))


WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3


class WebSocket:
    """The client side of RFC 6455, as much as a LiveReload client needs:
    the upgrade handshake (its Sec-WebSocket-Accept checked), masked text
    frames out, and whole messages in (7-, 16- and 64-bit lengths,
    fragments joined, a ping answered with a pong, a close is an error)."""

    def __init__(self, host, port, path, timeout=30):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        self.buf = b""
        deadline = time.time() + timeout
        while b"\r\n\r\n" not in self.buf:
            self._fill(deadline)
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode(errors="replace").split("\r\n")
        if lines[0].split(" ")[1:2] != ["101"]:
            raise SystemExit(f"no WebSocket upgrade from {host}:{port}{path}: {head.decode(errors='replace')}")
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        got = [l.split(":", 1)[1].strip() for l in lines[1:] if l.lower().startswith("sec-websocket-accept:")]
        if got != [accept]:
            raise SystemExit(f"wrong Sec-WebSocket-Accept {got} (expected {accept})")

    def _fill(self, deadline):
        left = deadline - time.time()
        if left <= 0:
            raise TimeoutError("timed out")
        self.sock.settimeout(left)
        chunk = self.sock.recv(65536)
        if not chunk:
            raise SystemExit("the server closed the connection")
        self.buf += chunk

    def _frame(self):
        """(fin, opcode, payload) of the first whole frame in the buffer, which
        it leaves; None while the frame is incomplete (nothing is consumed, so
        a timeout in the middle of a frame loses no bytes)."""
        buf = self.buf
        if len(buf) < 2:
            return None
        n, at = buf[1] & 0x7F, 2
        if n >= 126:
            at += 2 if n == 126 else 8  # a 16- or 64-bit length follows
            if len(buf) < at:
                return None
            n = int.from_bytes(buf[2:at], "big")
        mask = None
        if buf[1] & 0x80:  # servers must not mask (RFC 6455, 5.1); unmasked all the same
            mask, at = buf[at:at + 4], at + 4
        if len(buf) < at + n:
            return None
        data = buf[at:at + n]
        if mask:
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.buf = buf[at + n:]
        return buf[0] & 0x80, buf[0] & 0x0F, data

    def _send(self, opcode, data):
        """One final frame; a client's frames are always masked (RFC 6455, 5.3)."""
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            head = bytes([0x80 | opcode, 0x80 | n])
        elif n < 1 << 16:
            head = bytes([0x80 | opcode, 0x80 | 126]) + n.to_bytes(2, "big")
        else:
            head = bytes([0x80 | opcode, 0x80 | 127]) + n.to_bytes(8, "big")
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def send_text(self, text):
        self._send(0x1, text.encode())

    def recv(self, deadline):
        """The next whole text or binary message, as str; TimeoutError past deadline."""
        parts = []
        while True:
            frame = self._frame()
            if frame is None:
                self._fill(deadline)
                continue
            fin, opcode, data = frame
            if opcode == 0x8:
                raise SystemExit(f"the server closed the WebSocket: {data[:2].hex()} {data[2:].decode(errors='replace')}")
            if opcode == 0x9:
                self._send(0xA, data)
                continue
            if opcode == 0xA:
                continue
            parts.append(data)
            if fin:
                return b"".join(parts).decode(errors="replace")


def livereload_command(message):
    try:
        return json.loads(message).get("command")
    except (ValueError, AttributeError):
        return None


def latency_ws(host, port, path, edits, quiet=1.5):
    """LiveReload (http://livereload.com/protocols/official-7) over Hugo's
    /livereload WebSocket. The hello goes out as compact JSON: Hugo 0.111
    answers only a message whose bytes contain `"command":"hello"` (no
    space), so json.dumps' default `": "` got no answer. Before each edit
    and after each reload the connection must stay quiet for `quiet`
    seconds, so a late second reload of one edit is counted as extra, never
    as the next edit's. Hugo hands file events to its rebuild on a fixed
    500 ms ticker; a fixed pause after a reload would save at the same
    phase of that ticker every time (just after a tick: always ~500 ms), so
    each save waits a further 0-1 s drawn from a seeded generator, which
    puts the saves at a uniform phase, as a person's saves would be."""
    ws = WebSocket(host, port, "/livereload")
    ws.send_text(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]},
                            separators=(",", ":")))
    deadline = time.time() + 30
    while livereload_command(ws.recv(deadline)) != "hello":
        pass

    extra = [0]

    def settle():
        while True:
            try:
                msg = ws.recv(time.time() + quiet)
            except TimeoutError:
                return
            if livereload_command(msg) == "reload":
                extra[0] += 1

    jitter = random.Random(20261203)
    times = []
    for i in range(edits):
        settle()
        time.sleep(jitter.uniform(0, 1))
        t0 = edit(path, i)
        deadline = time.time() + 120
        while livereload_command(ws.recv(deadline)) != "reload":
            pass
        times.append((time.perf_counter() - t0) * 1000)
    settle()
    print(json.dumps({"ms": times, "extra_reloads": extra[0]}))


def load(host, port, concurrency, rounds, paths):
    errors = []
    done = [0]
    lock = threading.Lock()

    def one(barrier, target):
        try:
            barrier.wait()
            s = socket.create_connection((host, port), timeout=60)
            s.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            s.close()
            head, _, body = data.partition(b"\r\n\r\n")
            status = head.split(b" ", 2)[1] if head else b"?"
            length = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
            if status != b"200" or (length and int(length[0].split(b":")[1]) != len(body)):
                raise RuntimeError(f"{target}: status {status.decode()} or a short body")
            with lock:
                done[0] += 1
        except Exception as e:  # noqa: BLE001 (every failure counts as an error)
            with lock:
                errors.append(str(e))

    started = time.perf_counter()
    for r in range(rounds):
        barrier = threading.Barrier(concurrency)
        threads = [
            threading.Thread(target=one, args=(barrier, paths[(r * concurrency + i) % len(paths)]))
            for i in range(concurrency)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    took = time.perf_counter() - started
    print(json.dumps({"requests": done[0] + len(errors), "ok": done[0], "errors": len(errors),
                      "first_errors": errors[:3], "seconds": took, "rps": (done[0] + len(errors)) / took}))


if __name__ == "__main__":
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "latency-sse":
        latency_sse(host, port, sys.argv[4], int(sys.argv[5]))
    elif mode == "latency-ws":
        latency_ws(host, port, sys.argv[4], int(sys.argv[5]))
    elif mode == "load":
        load(host, port, int(sys.argv[4]), int(sys.argv[5]), sys.argv[6:])
    else:
        raise SystemExit(__doc__)
