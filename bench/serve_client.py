#!/usr/bin/env python3
"""The measuring side of bench/serve.sh, standard library only.

  serve_client.py latency-sse  HOST PORT FILE EDITS    # portolan serve: Server-Sent Events
  serve_client.py latency-ws   HOST PORT FILE EDITS    # hugo server: LiveReload over WebSocket
  serve_client.py load         HOST PORT CONCURRENCY ROUNDS PATH...

latency-*: saves FILE (a changed line each time), takes the time right
after the write is closed, and waits for the server's reload message on an
already-open connection: the time a browser would learn of the edit.
Prints one JSON object: the milliseconds of every edit.

load: ROUNDS times, CONCURRENCY threads each open a connection at the same
moment (a barrier) and GET one of PATH; every response must be a complete
200. Prints requests, errors and requests/s.
"""
import base64
import json
import os
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


def ws_frame(payload):
    data = payload.encode()
    mask = os.urandom(4)
    head = bytes([0x81])
    if len(data) < 126:
        head += bytes([0x80 | len(data)])
    else:
        head += bytes([0x80 | 126]) + len(data).to_bytes(2, "big")
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def latency_ws(host, port, path, edits):
    sock = socket.create_connection((host, port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /livereload HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    buf = read_until(sock, b"", b"\r\n\r\n", time.time() + 30)
    if b" 101 " not in buf.split(b"\r\n")[0]:
        raise SystemExit("no WebSocket upgrade: " + buf.decode(errors="replace"))
    sock.sendall(ws_frame(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]})))
    read_until(sock, b"", b"hello", time.time() + 30)
    times = []
    for i in range(edits):
        t0 = edit(path, i)
        read_until(sock, b"", b'"reload"', time.time() + 120)
        times.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.3)
    print(json.dumps({"ms": times}))


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
