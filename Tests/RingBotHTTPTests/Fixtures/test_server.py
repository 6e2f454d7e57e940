#!/usr/bin/env python3
"""Local HTTP server for RingBotHTTPTests.

Prints "PORT <http> TLSPORT <https> CLOSEDPORT <port nobody listens on>" and serves
until stdin closes (the test process ended) or it is killed.

Routes (all GET unless noted):
  /ok                     200, body "hello", header X-Test: yes
  /status/<code>          that status, body "status <code>"
  /retry                  429 with Retry-After: 3
  /slow?ms=N&arrived=ID   waits N ms, then 200 "slow"; marks ID as arrived first
  /wait-arrived?id=ID&s=S blocks until a request with arrived=ID has arrived (at most S s, default 30), then 200
  /slow-state?id=ID       200 "running" while the /slow request with arrived=ID is still
                          waiting, "done" once it has answered
  /large?bytes=N          200 with N bytes and a Content-Length
  /large-unsized?bytes=N  200 with N bytes, no Content-Length, connection closed at end
  /truncated              Content-Length: 100 but only 10 bytes, then close
  /redirect               302 to /ok
  /headers                200, body: the request headers as "name: value" lines
  /tag?tag=T&ms=N         waits N ms, then 200 with body T
  /echo (any method)      200, body = request body, X-Method = method
  /barrier?group=G&n=N&tag=T  waits until N requests of group G are in the server at
                          once, then 200 with body T; 504 "alone" if that does not
                          happen within 60 s (the client did not send them in parallel)
"""
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
arrivals = {}
arrivals_lock = threading.Lock()


barriers = {}
finished = set()


def barrier(group, parties):
    with arrivals_lock:
        return barriers.setdefault(group, threading.Barrier(parties, timeout=60))


def arrival(ident):
    with arrivals_lock:
        return arrivals.setdefault(ident, threading.Event())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = url.path
        if path == "/ok":
            self.send(200, b"hello", [("X-Test", "yes"), ("Content-Type", "text/plain")])
        elif path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            self.send(code, b"status %d" % code)
        elif path == "/retry":
            self.send(429, b"slow down", [("Retry-After", "3")])
        elif path == "/slow":
            if "arrived" in query:
                arrival(query["arrived"]).set()
            time.sleep(int(query.get("ms", "1000")) / 1000)
            if "arrived" in query:
                with arrivals_lock:
                    finished.add(query["arrived"])
            self.send(200, b"slow")
        elif path == "/slow-state":
            with arrivals_lock:
                state = b"done" if query["id"] in finished else b"running"
            self.send(200, state)
        elif path == "/barrier":
            try:
                barrier(query["group"], int(query["n"])).wait()
                self.send(200, query.get("tag", "").encode())
            except threading.BrokenBarrierError:
                self.send(504, b"alone")
        elif path == "/wait-arrived":
            arrival(query["id"]).wait(float(query.get("s", "30")))
            self.send(200, b"arrived")
        elif path == "/large":
            self.send(200, b"x" * int(query["bytes"]))
        elif path == "/large-unsized":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"x" * int(query["bytes"]))
            self.close_connection = True
        elif path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            self.close_connection = True
        elif path == "/redirect":
            self.send(302, b"moved", [("Location", "/ok")])
        elif path == "/headers":
            lines = "".join("%s: %s\n" % (k.lower(), v) for k, v in self.headers.items())
            self.send(200, lines.encode())
        elif path == "/tag":
            time.sleep(int(query.get("ms", "0")) / 1000)
            self.send(200, query["tag"].encode())
        elif path == "/echo":
            self.echo()
        else:
            self.send(404, b"no such route")

    def echo(self):
        body = self.read_body()
        self.send(200, body, [("X-Method", self.command)])

    do_POST = echo
    do_PUT = echo
    do_DELETE = echo


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # clients that time out or cancel make writes fail; that is expected


def main():
    http = Server(("127.0.0.1", 0), Handler)
    https = Server(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(HERE, "test_cert.pem"), os.path.join(HERE, "test_key.pem"))
    https.socket = context.wrap_socket(https.socket, server_side=True)

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()

    for server in (http, https):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print("PORT %d TLSPORT %d CLOSEDPORT %d" % (http.server_address[1], https.server_address[1], closed_port), flush=True)
    sys.stdin.read()  # returns at EOF: the test process is gone
    os._exit(0)


if __name__ == "__main__":
    main()
