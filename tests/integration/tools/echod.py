#!/usr/bin/env python3
"""echod.py: a TCP echo server for evproxy's tunnel scenarios (loopback).

Usage: echod.py [--addr ADDR] [--port PORT] [--gen BYTES] [--eof-reply TEXT]
                [--lifetime SECS]

Binds ADDR:PORT (default 127.0.0.1, port 0 = ephemeral), prints
"PORT <n>" on stdout and serves each connection in its own thread:

  - echo mode (default): writes back everything it reads; when the client
    half-closes, it finishes writing what it had, then (with --eof-reply,
    0.2 s later) writes TEXT -- data that can only reach the client if the
    proxy passed the half-close on instead of closing the tunnel -- and
    closes;
  - --gen BYTES: writes BYTES bytes of rawhttp.py's test pattern with
    blocking writes (so a slow reader throttles it: backpressure), then
    half-closes and waits for the client's EOF before closing.

Events, one per line on stdout (flushed):
    ACCEPT <id> <peer>
    EOF <id> <bytes read>          the client half-closed or closed
    WROTE <id> <bytes written>
    CLOSE <id>
Every blocking call has a timeout (60 s); the server exits after
--lifetime seconds (default 300) or 1000 connections, or on SIGTERM.
"""
import socket
import sys
import threading
import time

PATTERN = bytes((i * 7 + 3) % 256 for i in range(251))
BIG = PATTERN * ((1 << 20) // len(PATTERN) + 2)
LOCK = threading.Lock()


def say(*words):
    with LOCK:
        print(" ".join(str(w) for w in words), flush=True)


def serve_echo(conn, cid, eof_reply):
    nin = nout = 0
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                say("EOF", cid, nin)
                if eof_reply:
                    time.sleep(0.2)
                    conn.sendall(eof_reply)
                    nout += len(eof_reply)
                break
            nin += len(data)
            conn.sendall(data)
            nout += len(data)
    except OSError as e:
        say("ERROR", cid, e)
    say("WROTE", cid, nout)


def serve_gen(conn, cid, total):
    sent = 0
    try:
        while sent < total:
            k = min(total - sent, 1 << 20)
            o = sent % len(PATTERN)
            conn.sendall(BIG[o:o + k])
            sent += k
        say("WROTE", cid, sent)
        conn.shutdown(socket.SHUT_WR)
        nin = 0
        while True:
            data = conn.recv(65536)
            if not data:
                break
            nin += len(data)
        say("EOF", cid, nin)
    except OSError as e:
        say("ERROR", cid, e, "after", sent)


def serve(conn, cid, gen, eof_reply):
    conn.settimeout(60)
    try:
        if gen is None:
            serve_echo(conn, cid, eof_reply)
        else:
            serve_gen(conn, cid, gen)
    finally:
        conn.close()
        say("CLOSE", cid)


def main(argv):
    addr, port, gen, lifetime = "127.0.0.1", 0, None, 300.0
    eof_reply = b""
    i = 0
    while i < len(argv):
        if i + 1 >= len(argv):
            sys.stderr.write("echod.py: %s needs a value\n" % argv[i])
            return 2
        if argv[i] == "--addr":
            addr = argv[i + 1]
        elif argv[i] == "--port":
            port = int(argv[i + 1])
        elif argv[i] == "--gen":
            gen = int(argv[i + 1])
        elif argv[i] == "--eof-reply":
            eof_reply = argv[i + 1].encode()
        elif argv[i] == "--lifetime":
            lifetime = float(argv[i + 1])
        else:
            sys.stderr.write("echod.py: unknown option %s\n" % argv[i])
            return 2
        i += 2
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(64)
    say("PORT", srv.getsockname()[1])
    cid = 0
    end = time.monotonic() + lifetime
    while cid < 1000 and time.monotonic() < end:
        srv.settimeout(max(0.1, end - time.monotonic()))
        try:
            conn, peer = srv.accept()
        except socket.timeout:
            break
        cid += 1
        say("ACCEPT", cid, "%s:%d" % peer)
        threading.Thread(target=serve, args=(conn, cid, gen, eof_reply),
                         daemon=True).start()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(0)
