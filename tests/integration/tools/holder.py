#!/usr/bin/env python3
"""holder.py: holds many client connections open to evproxy (loopback).

Usage: holder.py [options] PORT
  --host ADDR        connect to ADDR (default 127.0.0.1)
  --idle N           N connections that send nothing
  --keepalive N      N connections that make one request (GET TARGET),
                     read the whole response, then stay idle
  --slowloris N      N connections that send a partial request head, then
                     one more byte every --interval seconds
  --interval SECS    slowloris pace (default 0.5)
  --target URL       request-target (default /); --hostport H sets Host
  --hostport H       Host header value (default ADDR:PORT)
  --reconnect        open a new slowloris connection when one is closed
  --duration SECS    hold this long at most (default 30)
  --release FILE     stop as soon as FILE exists
  --connect-rate N   most new connections per second (default 2000)

Prints "READY idle=.. keepalive=.. slowloris=.. failed=.." once every
first connection is established (keep-alive ones: once their response
has arrived) or 20 s have passed, then holds until --duration, --release
or SIGTERM, closes everything and prints one line:

  STATS key=value ...
    connected, failed       connections established / refused or timed out
    ka_ok, ka_bad           keep-alive responses 200 / anything else
    idle_closed, ka_closed  closed by the proxy while held
    sl_408, sl_other        slowloris connections answered 408 / otherwise
    sl_closed               slowloris connections closed by the proxy
    sl_408_max              longest time (s) from connect to a 408
    sl_reconnects
Every wait is bounded; the loop ends at --duration at the latest.
"""
import errno
import os
import selectors
import signal
import socket
import sys
import time

READY_WAIT = 20.0


class Conn:
    def __init__(self, kind):
        self.kind = kind
        self.sock = None
        self.state = "connecting"   # connected, done, closed
        self.t_connect = 0.0
        self.next_drip = 0.0
        self.rx = bytearray()
        self.answered = False


class Holder:
    def __init__(self, o):
        self.o = o
        self.sel = selectors.DefaultSelector()
        self.conns = []
        self.pending = []           # kinds still to open
        self.stats = dict.fromkeys(
            ("connected", "failed", "ka_ok", "ka_bad", "idle_closed",
             "ka_closed", "sl_408", "sl_other", "sl_closed",
             "sl_reconnects"), 0)
        self.sl_408_max = 0.0
        self.stop = False
        hp = o["hostport"] or "%s:%d" % (o["host"], o["port"])
        self.request = ("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" %
                        (o["target"], hp)).encode()
        self.sl_head = ("GET %s HTTP/1.1\r\nHost: %s\r\nX-Slow: " %
                        (o["target"], hp)).encode()

    def open(self, kind):
        c = Conn(kind)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        c.sock = s
        c.t_connect = time.monotonic()
        err = s.connect_ex((self.o["host"], self.o["port"]))
        if err not in (0, errno.EINPROGRESS):
            self.stats["failed"] += 1
            s.close()
            return
        self.sel.register(s, selectors.EVENT_WRITE, c)
        self.conns.append(c)

    def established(self, c):
        err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err != 0:
            self.stats["failed"] += 1
            self.drop(c)
            return
        self.stats["connected"] += 1
        c.state = "connected"
        c.t_connect = time.monotonic()
        self.sel.modify(c.sock, selectors.EVENT_READ, c)
        try:
            if c.kind == "keepalive":
                c.sock.send(self.request)
            elif c.kind == "slowloris":
                c.sock.send(self.sl_head)
                c.next_drip = time.monotonic() + self.o["interval"]
        except OSError:
            pass

    def drop(self, c):
        try:
            self.sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        c.sock.close()
        c.state = "closed"

    def readable(self, c):
        try:
            data = c.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            c.rx += data
            if c.kind == "keepalive" and not c.answered:
                self.check_ka(c)
            elif c.kind == "slowloris" and not c.answered:
                c.answered = True
                if c.rx.startswith(b"HTTP/1.1 408"):
                    self.stats["sl_408"] += 1
                    d = time.monotonic() - c.t_connect
                    self.sl_408_max = max(self.sl_408_max, d)
                else:
                    self.stats["sl_other"] += 1
            return
        # closed by the proxy
        key = {"idle": "idle_closed", "keepalive": "ka_closed",
               "slowloris": "sl_closed"}[c.kind]
        if c.kind == "keepalive" and not c.answered:
            self.stats["ka_bad"] += 1
            c.answered = True
        self.stats[key] += 1
        self.drop(c)
        if c.kind == "slowloris" and self.o["reconnect"] and not self.stop:
            self.stats["sl_reconnects"] += 1
            self.pending.append("slowloris")

    def check_ka(self, c):
        i = c.rx.find(b"\r\n\r\n")
        if i < 0:
            return
        head = bytes(c.rx[:i]).decode("latin-1").lower()
        n = 0
        for ln in head.split("\r\n")[1:]:
            if ln.startswith("content-length:"):
                n = int(ln.split(":", 1)[1])
        if len(c.rx) - (i + 4) < n:
            return
        c.answered = True
        if head.startswith("http/1.1 200"):
            self.stats["ka_ok"] += 1
        else:
            self.stats["ka_bad"] += 1
        c.rx.clear()

    def drip(self, now):
        for c in self.conns:
            if (c.kind == "slowloris" and c.state == "connected" and
                    not c.answered and now >= c.next_drip):
                try:
                    c.sock.send(b"a")
                except OSError:
                    pass
                c.next_drip = now + self.o["interval"]

    def ready(self):
        live = [c for c in self.conns if c.state != "closed"]
        if self.pending:
            return False
        for c in live:
            if c.state == "connecting":
                return False
            if c.kind == "keepalive" and not c.answered:
                return False
        return True

    def counts(self):
        n = {"idle": 0, "keepalive": 0, "slowloris": 0}
        for c in self.conns:
            if c.state == "connected":
                n[c.kind] += 1
        return n

    def run(self):
        o = self.o
        self.pending = (["idle"] * o["idle"] + ["keepalive"] * o["keepalive"]
                        + ["slowloris"] * o["slowloris"])
        start = time.monotonic()
        end = start + o["duration"]
        said_ready = False
        budget = 0.0
        last = start
        while not self.stop:
            now = time.monotonic()
            if now >= end:
                break
            if o["release"] and os.path.exists(o["release"]):
                break
            budget = min(budget + (now - last) * o["rate"], o["rate"])
            last = now
            while self.pending and budget >= 1:
                self.open(self.pending.pop(0))
                budget -= 1
            if not said_ready and (self.ready() or
                                   now - start > READY_WAIT):
                n = self.counts()
                print("READY idle=%d keepalive=%d slowloris=%d failed=%d"
                      % (n["idle"], n["keepalive"], n["slowloris"],
                         self.stats["failed"]), flush=True)
                said_ready = True
            for key, ev in self.sel.select(timeout=0.05):
                c = key.data
                if c.state == "connecting":
                    self.established(c)
                elif ev & selectors.EVENT_READ:
                    self.readable(c)
            self.drip(time.monotonic())
            self.conns = [c for c in self.conns if c.state != "closed"]
        for c in self.conns:
            self.drop(c)
        words = ["%s=%d" % kv for kv in self.stats.items()]
        words.append("sl_408_max=%.2f" % self.sl_408_max)
        print("STATS " + " ".join(words), flush=True)


def main(argv):
    o = {"host": "127.0.0.1", "idle": 0, "keepalive": 0, "slowloris": 0,
         "interval": 0.5, "target": "/", "hostport": None,
         "reconnect": False, "duration": 30.0, "release": None,
         "rate": 2000.0, "port": None}
    ints = ("idle", "keepalive", "slowloris")
    floats = ("interval", "duration", "connect-rate")
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--reconnect":
            o["reconnect"] = True
            i += 1
            continue
        if a.startswith("--"):
            if i + 1 >= len(argv):
                sys.stderr.write("holder.py: %s needs a value\n" % a)
                return 2
            key, val = a[2:], argv[i + 1]
            if key in ints:
                o[key] = int(val)
            elif key in floats:
                o["rate" if key == "connect-rate" else key] = float(val)
            elif key in ("host", "target", "hostport", "release"):
                o[key] = val
            else:
                sys.stderr.write("holder.py: unknown option %s\n" % a)
                return 2
            i += 2
            continue
        o["port"] = int(a)
        i += 1
    if o["port"] is None:
        sys.stderr.write("holder.py: no port\n")
        return 2
    h = Holder(o)

    def on_term(signum, frame):
        h.stop = True
    signal.signal(signal.SIGTERM, on_term)
    h.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
