#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for the Matrix integration tests (Python 3 stdlib only).

    fault-proxy.py --upstream http://127.0.0.1:PORT

Listens on 127.0.0.1 only, on two free ports, and prints one line `PROXY_PORT CONTROL_PORT`
on stdout once both accept connections. Every request to the proxy port is forwarded to the
upstream (a Synapse on the loopback) unless a fault mode is active. The control port answers:

    GET /mode?name=NAME[&count=N][&method=M]
                                    switch the mode (N: how many requests it applies to,
                                    then back to pass; default: until the next switch;
                                    M: only requests with that method, others pass)
    GET /stats                      JSON: requests seen, faults served per mode, stalled
                                    requests the client gave up on, the current mode

Modes:
    pass      forward unchanged
    drop      forward, then send the headers and half the body of the answer and close
    garbage   answer 200 with a body that is not JSON (the request is not forwarded)
    badjson   answer 200 with a JSON object that is not a Matrix answer (not forwarded)
    stall     read the request and never answer, until the client gives up and closes
    5xx       answer 500, 502, 503 in turn (not forwarded)
    429       answer 429 M_LIMIT_EXCEEDED with retry_after_ms 500 (not forwarded)

The proxy never prints request bodies, headers or query strings (they hold the password
and the access token); stderr gets one line per request: the mode, method and path.
"""

import argparse
import http.client
import json
import select
import socket
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODES = {"pass", "drop", "garbage", "badjson", "stall", "5xx", "429"}
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
              "upgrade", "host", "content-length"}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.mode = "pass"
        self.remaining = None  # None: until switched
        self.method = None  # None: every method
        self.requests = 0
        self.served = {mode: 0 for mode in MODES}
        self.abandoned = 0
        self.stopping = threading.Event()

    def take(self, method):
        """The mode for a new request (and counts it)."""
        with self.lock:
            self.requests += 1
            mode = self.mode
            if self.method is not None and method != self.method:
                self.served["pass"] += 1
                return "pass"
            if self.remaining is not None:
                self.remaining -= 1
                if self.remaining <= 0:
                    self.mode, self.remaining, self.method = "pass", None, None
            self.served[mode] += 1
            return mode

    def switch(self, mode, count, method):
        with self.lock:
            self.mode, self.remaining, self.method = mode, count, method

    def snapshot(self):
        with self.lock:
            return {"mode": self.mode, "remaining": self.remaining, "method": self.method, "requests": self.requests,
                    "served": dict(self.served), "abandoned": self.abandoned}


STATE = State()
UPSTREAM = None  # (host, port)
STATUS_CYCLE = [500, 502, 503]


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # the default would print the query string
        pass

    def handle_one(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        mode = STATE.take(self.command)
        path_only = urllib.parse.urlsplit(self.path).path
        sys.stderr.write(f"fault-proxy: {mode} {self.command} {path_only}\n")
        sys.stderr.flush()
        if mode == "stall":
            self.stall()
            return
        if mode == "garbage":
            self.answer(200, b"<html>this is not JSON {\"next_batch\": ")
            return
        if mode == "badjson":
            self.answer(200, b'{"unexpected": ["a JSON answer", "that is not a Matrix one"]}')
            return
        if mode == "5xx":
            with STATE.lock:
                status = STATUS_CYCLE[STATE.served["5xx"] % len(STATUS_CYCLE)]
            self.answer(status, json.dumps({"errcode": "M_UNKNOWN", "error": "injected"}).encode())
            return
        if mode == "429":
            self.answer(429, json.dumps({"errcode": "M_LIMIT_EXCEEDED", "error": "injected",
                                         "retry_after_ms": 500}).encode())
            return
        status, reason, headers, payload = self.forward(body)
        if mode == "drop":
            half = payload[: len(payload) // 2]
            self.send_head(status, reason, headers, len(payload))
            self.wfile.write(half)
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.send_head(status, reason, headers, len(payload))
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = handle_one

    def forward(self, body):
        connection = http.client.HTTPConnection(UPSTREAM[0], UPSTREAM[1], timeout=300)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
            return response.status, response.reason, kept, payload
        finally:
            connection.close()

    def send_head(self, status, reason, headers, length):
        self.send_response_only(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(length))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def answer(self, status, payload):
        self.send_head(status, None, [("Content-Type", "application/json")], len(payload))
        self.wfile.write(payload)

    def stall(self):
        """Never answers; returns when the client closes the connection (or the proxy stops)."""
        self.close_connection = True
        while not STATE.stopping.is_set():
            readable, _, _ = select.select([self.connection], [], [], 0.2)
            if readable:
                try:
                    data = self.connection.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    with STATE.lock:
                        STATE.abandoned += 1
                    return


class ControlHandler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/mode":
            name = query.get("name", "")
            if name not in MODES:
                self.reply(400, {"error": f"unknown mode {name!r}; modes: {sorted(MODES)}"})
                return
            count = int(query["count"]) if "count" in query else None
            STATE.switch(name, count, query.get("method"))
            self.reply(200, STATE.snapshot())
        elif url.path == "/stats":
            self.reply(200, STATE.snapshot())
        else:
            self.reply(404, {"error": "use /mode or /stats"})

    def reply(self, status, obj):
        payload = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global UPSTREAM
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--upstream", required=True, help="http://127.0.0.1:PORT (loopback only)")
    args = parser.parse_args()
    upstream = urllib.parse.urlsplit(args.upstream)
    if upstream.scheme != "http" or upstream.hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--upstream must be http:// on the loopback")
    UPSTREAM = (upstream.hostname, upstream.port or 80)
    proxy = Server(("127.0.0.1", 0), ProxyHandler)
    control = Server(("127.0.0.1", 0), ControlHandler)
    for server in (proxy, control):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"{proxy.server_address[1]} {control.server_address[1]}", flush=True)
    try:
        # Runs until stdin closes (the test ends) or SIGTERM/SIGINT.
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    finally:
        STATE.stopping.set()
        proxy.shutdown()
        control.shutdown()


if __name__ == "__main__":
    main()
