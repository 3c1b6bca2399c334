#!/usr/bin/env python3
"""rawhttp.py: a raw HTTP/1.1 client for evproxy's integration scenarios.

Sends exact bytes to one TCP connection and reports what came back, one
event per line on stdout (flushed, so a scenario may watch a client that
runs in the background):

    START <epoch>                       wall clock when the client began
    CONNECTED <t>                       t: seconds since START
    CONNFAIL <t> <error>
    SENT <t> <bytes>
    SENDERR <t> <error>                 the peer reset or closed
    STATUS <t> <status line>            one per response (1xx too)
    HDR <name>: <value>                 the headers of the last STATUS
    BODY <t> <bytes> complete|eof|reset|timeout
    NORESP <t> eof|reset|timeout <bytes>   no complete head arrived
    DATA <t> ok|mismatch <bytes>        an expect:/expectpat: step
    READ <t> <bytes> ok|bad eof|reset|timeout   a slowread: step
    QUIET <t> <bytes>                   bytes that arrived in a quiet: step
    CLOSED|RESET|OPEN <t> extra=<bytes>  an eof: step: how the connection
                                        ended (OPEN: still open at the
                                        deadline); extra: unread bytes
    WAITED <t> yes|timeout              a waitfile: step
    END <t>                             the client closed its socket

Usage: rawhttp.py [options] PORT STEP...
options:
  --host ADDR      connect to ADDR (default 127.0.0.1)
  --source ADDR    bind the client socket to ADDR first (e.g. 127.0.0.2)
  --timeout SECS   deadline of each waiting step (default 5)
  --rcvbuf BYTES   set SO_RCVBUF before connecting (a slow reader that
                   the kernel cannot hide behind a large buffer)
  --save PREFIX    write the body of response N to PREFIX.N
steps, run in order:
  send:DATA        one write of DATA (escapes \\r \\n \\t \\0 \\xHH \\\\)
  sendfile:PATH    one write of the file's bytes
  pat:N            write N bytes of the test pattern (see expectpat:)
  sleep:SECS       pause
  waitfile:PATH    wait until PATH exists (at most --timeout)
  drip:SECS:DATA   write DATA one byte every SECS seconds, starting over
                   when it runs out, until the peer sends anything or
                   closes, or --timeout passes
  shut             shutdown(SHUT_WR): half-close
  resp             read one response (framed by Content-Length, chunked
                   encoding or EOF); resp:head for a HEAD request,
                   resp:connect for CONNECT (a 2xx has no body)
  expect:DATA      read exactly len(DATA) bytes and compare
  expectpat:N      read N bytes and compare with the pattern
  slowread:RATE    read until EOF at about RATE bytes/s, checking the
                   pattern (the deadline is --timeout)
  quiet:SECS       wait SECS and report how many bytes arrived
  eof              wait up to --timeout for the peer to close
Exit status 0 unless the arguments are wrong (2).  Everything is bounded
by --timeout per step.
"""
import codecs
import errno
import os
import select
import socket
import sys
import time

PATTERN = bytes((i * 7 + 3) % 256 for i in range(251))
BIG = PATTERN * ((1 << 20) // len(PATTERN) + 2)


def pattern_at(offset, length):
    """The pattern's bytes [offset, offset + length); length <= 1 MiB."""
    o = offset % len(PATTERN)
    return BIG[o:o + length]


def unescape(text):
    return codecs.escape_decode(text.encode("utf-8"))[0]


class Client:
    def __init__(self, opts):
        self.opts = opts
        self.t0 = time.monotonic()
        self.buf = bytearray()
        self.eof = False
        self.reset = False
        self.end_t = None
        self.sock = None
        self.nresp = 0
        self.pat_out = 0
        self.pat_in = 0

    def now(self):
        return time.monotonic() - self.t0

    def say(self, *words):
        print(" ".join(str(w) for w in words), flush=True)

    def stamp(self):
        return "%.3f" % self.now()

    def connect(self):
        o = self.opts
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if o["rcvbuf"]:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF,
                                 o["rcvbuf"])
        if o["source"]:
            self.sock.bind((o["source"], 0))
        self.sock.settimeout(o["timeout"])
        try:
            self.sock.connect((o["host"], o["port"]))
        except OSError as e:
            self.say("CONNFAIL", self.stamp(), e.strerror or e)
            return False
        self.sock.setblocking(False)
        self.say("CONNECTED", self.stamp())
        return True

    def fill(self, deadline, limit=65536):
        """Reads once; False on EOF, reset or deadline."""
        if self.eof or self.reset:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.sock], [], [], left)
        if not r:
            return False
        try:
            data = self.sock.recv(limit)
        except BlockingIOError:
            return True
        except OSError as e:
            if e.errno in (errno.ECONNRESET, errno.EPIPE):
                self.reset = True
                self.end_t = self.now()
                return False
            raise
        if not data:
            self.eof = True
            self.end_t = self.now()
            return False
        self.buf += data
        return True

    def why(self):
        return "reset" if self.reset else "eof" if self.eof else "timeout"

    def write(self, data, deadline):
        """Writes all of data; False if the peer is gone."""
        view = memoryview(data)
        while view:
            if time.monotonic() > deadline:
                self.say("SENDERR", self.stamp(), "timeout")
                return False
            _, w, _ = select.select([], [self.sock], [],
                                    max(0, deadline - time.monotonic()))
            if not w:
                continue
            try:
                n = self.sock.send(view)
            except BlockingIOError:
                continue
            except OSError as e:
                self.say("SENDERR", self.stamp(), e.strerror or e)
                return False
            view = view[n:]
        return True

    def deadline(self):
        return time.monotonic() + self.opts["timeout"]

    def step_send(self, data):
        if self.write(data, self.deadline()):
            self.say("SENT", self.stamp(), len(data))

    def step_pat(self, n):
        dl = self.deadline()
        sent = 0
        while sent < n:
            k = min(n - sent, 1 << 20)
            if not self.write(pattern_at(self.pat_out, k), dl):
                return
            self.pat_out += k
            sent += k
        self.say("SENT", self.stamp(), n)

    def step_drip(self, interval, data):
        dl = self.deadline()
        i = 0
        sent = 0
        while time.monotonic() < dl and not self.buf:
            try:
                self.sock.send(data[i:i + 1])
            except BlockingIOError:
                pass
            except OSError as e:
                self.say("SENDERR", self.stamp(), e.strerror or e)
                break
            sent += 1
            i = (i + 1) % len(data)
            # read while waiting: a reply or a close ends the drip
            nxt = min(dl, time.monotonic() + interval)
            while time.monotonic() < nxt and not self.buf:
                if not self.fill(nxt) and (self.eof or self.reset):
                    break
            if self.eof or self.reset:
                break
        self.say("SENT", self.stamp(), sent)

    def read_head(self, dl):
        while True:
            i = self.buf.find(b"\r\n\r\n")
            if i >= 0:
                head = bytes(self.buf[:i])
                del self.buf[:i + 4]
                return head
            if not self.fill(dl):
                return None

    def read_exact(self, n, dl):
        while len(self.buf) < n:
            if not self.fill(dl):
                break
        k = min(n, len(self.buf))
        out = bytes(self.buf[:k])
        del self.buf[:k]
        return out

    def read_line(self, dl):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[:i + 2]
                return line
            if not self.fill(dl):
                return None

    def step_resp(self, mode):
        dl = self.deadline()
        while True:
            head = self.read_head(dl)
            if head is None:
                self.say("NORESP", self.stamp(), self.why(), len(self.buf))
                return
            lines = head.decode("latin-1").split("\r\n")
            self.say("STATUS", self.stamp(), lines[0])
            hdrs = {}
            for ln in lines[1:]:
                self.say("HDR", ln)
                name, _, value = ln.partition(":")
                hdrs.setdefault(name.strip().lower(), value.strip())
            try:
                code = int(lines[0].split()[1])
            except (IndexError, ValueError):
                code = 0
            if 100 <= code < 200:
                continue
            break
        self.nresp += 1
        body = bytearray()
        state = "complete"
        te = hdrs.get("transfer-encoding", "").lower()
        if (mode == "head" or code in (204, 304) or
                (mode == "connect" and 200 <= code < 300)):
            pass
        elif "chunked" in te:
            while True:
                line = self.read_line(dl)
                if line is None:
                    state = self.why()
                    break
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    state = "badchunk"
                    break
                if size == 0:
                    # trailers, up to the empty line
                    while True:
                        t = self.read_line(dl)
                        if t is None:
                            state = self.why()
                            break
                        if t == b"":
                            break
                    break
                part = self.read_exact(size + 2, dl)
                body += part[:size]
                if len(part) < size + 2:
                    state = self.why()
                    break
        elif "content-length" in hdrs:
            try:
                n = int(hdrs["content-length"])
            except ValueError:
                n = 0
            body += self.read_exact(n, dl)
            if len(body) < n:
                state = self.why()
        else:
            while self.fill(dl):
                pass
            body += self.buf
            self.buf.clear()
            state = self.why() if self.why() != "eof" else "complete"
        self.say("BODY", self.stamp(), len(body), state)
        if self.opts["save"]:
            with open("%s.%d" % (self.opts["save"], self.nresp), "wb") as f:
                f.write(body)

    def step_expect(self, want):
        got = self.read_exact(len(want), self.deadline())
        self.say("DATA", self.stamp(), "ok" if got == want else "mismatch",
                 len(got))
        if got != want:
            print("# want %r got %r" % (want[:80], got[:80]), flush=True)

    def step_expectpat(self, n):
        dl = self.deadline()
        got = 0
        ok = True
        while got < n:
            part = self.read_exact(min(n - got, 1 << 20), dl)
            if not part:
                break
            if part != pattern_at(self.pat_in, len(part)):
                ok = False
            self.pat_in += len(part)
            got += len(part)
        self.say("DATA", self.stamp(),
                 "ok" if ok and got == n else "mismatch", got)

    def step_slowread(self, rate):
        dl = self.deadline()
        got = 0
        ok = True
        start = time.monotonic()
        piece = max(1, min(65536, rate // 20))
        while True:
            if self.buf:
                part = bytes(self.buf)
                self.buf.clear()
            elif self.fill(dl, piece):
                continue
            else:
                break
            if part != pattern_at(self.pat_in, len(part)):
                ok = False
            self.pat_in += len(part)
            got += len(part)
            # pace: never ahead of rate
            ahead = got / rate - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(min(ahead, max(0, dl - time.monotonic())))
        self.say("READ", self.stamp(), got, "ok" if ok else "bad",
                 self.why())

    def step_quiet(self, secs):
        dl = time.monotonic() + secs
        n = len(self.buf)
        while time.monotonic() < dl:
            if not self.fill(dl) and (self.eof or self.reset):
                time.sleep(max(0, dl - time.monotonic()))
                break
        self.say("QUIET", self.stamp(), len(self.buf) - n)

    def step_eof(self):
        dl = self.deadline()
        while self.fill(dl):
            pass
        extra = len(self.buf)
        self.buf.clear()
        if self.eof:
            self.say("CLOSED", "%.3f" % self.end_t, "extra=%d" % extra)
        elif self.reset:
            self.say("RESET", "%.3f" % self.end_t, "extra=%d" % extra)
        else:
            self.say("OPEN", self.stamp(), "extra=%d" % extra)


def usage(msg):
    sys.stderr.write("rawhttp.py: %s (see the top of the file)\n" % msg)
    sys.exit(2)


def main(argv):
    opts = {"host": "127.0.0.1", "source": None, "timeout": 5.0,
            "rcvbuf": 0, "save": None, "port": None}
    i = 0
    while i < len(argv) and argv[i].startswith("--"):
        if i + 1 >= len(argv):
            usage("%s needs a value" % argv[i])
        key, val = argv[i][2:], argv[i + 1]
        if key == "timeout":
            opts[key] = float(val)
        elif key == "rcvbuf":
            opts[key] = int(val)
        elif key in ("host", "source", "save"):
            opts[key] = val
        else:
            usage("unknown option %s" % argv[i])
        i += 2
    if i >= len(argv):
        usage("no port")
    opts["port"] = int(argv[i])
    steps = argv[i + 1:]
    c = Client(opts)
    print("START %.6f" % time.time(), flush=True)
    if not c.connect():
        return 0
    for s in steps:
        op, _, arg = s.partition(":")
        if op == "send":
            c.step_send(unescape(arg))
        elif op == "sendfile":
            with open(arg, "rb") as f:
                c.step_send(f.read())
        elif op == "pat":
            c.step_pat(int(arg))
        elif op == "sleep":
            time.sleep(float(arg))
        elif op == "waitfile":
            dl = c.deadline()
            while not os.path.exists(arg) and time.monotonic() < dl:
                time.sleep(0.05)
            c.say("WAITED", c.stamp(),
                  "yes" if os.path.exists(arg) else "timeout")
        elif op == "drip":
            secs, _, data = arg.partition(":")
            if not data:
                usage("drip:SECS:DATA needs data")
            c.step_drip(float(secs), unescape(data))
        elif op == "shut":
            try:
                c.sock.shutdown(socket.SHUT_WR)
            except OSError as e:
                c.say("SENDERR", c.stamp(), e.strerror or e)
        elif op == "resp":
            c.step_resp(arg)
        elif op == "expect":
            c.step_expect(unescape(arg))
        elif op == "expectpat":
            c.step_expectpat(int(arg))
        elif op == "slowread":
            c.step_slowread(int(arg))
        elif op == "quiet":
            c.step_quiet(float(arg))
        elif op == "eof":
            c.step_eof()
        else:
            usage("unknown step %r" % s)
    c.sock.close()
    c.say("END", c.stamp())
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(0)
