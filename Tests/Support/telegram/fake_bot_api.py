#!/usr/bin/env python3
"""A stateful fake of Telegram's Bot API for RingBot's tests (stdlib only, plus `cryptography` for the certificate).

    fake_bot_api.py --dir DIR --token 123456:SECRET [--username ringbot_test_bot] [--api-port P] [--control-port Q]

Serves the Bot API over HTTPS on 127.0.0.1 (`https://127.0.0.1:P/bot<token>/<method>`) with a certificate signed
by a throw-away CA written to DIR/ca.pem (so clients exercise real TLS verification), and a plain-HTTP control API
for the tests on 127.0.0.1:Q. When ready it prints one JSON line: {"api", "control", "ca_file", "pid"}.
State lives in DIR/world.json, so stopping and starting the process again on the same DIR and ports is a server
restart that keeps updates, chats and messages.

Control API (JSON bodies, all POST unless noted):
  /inject  {"chat": {...}, "from": {...}, "text", "thread_id"?, "reply_to"?, "kind"?} -> {"message_id", "update_id"...}
  /topic   {"chat": {...}, "from": {...}, "name"} -> {"thread_id"}     a forum topic
  /migrate {"chat_id"} -> {"new_chat_id"}                                a group becomes a supergroup
  /fault   {"method" ("*" for any), "status" (429/500/502), "retry_after"?, "count"}
  /outage  {"on": bool}     closes (or reopens) the HTTPS port and drops the connections in flight
  /revoke  {}               the token is revoked: every call answers 401 Unauthorized
  /webhook {"url"}          a set webhook makes getUpdates answer 409
  /privacy {"on": bool}     the bot's privacy mode in groups (default on)
  /clock   {"advance": seconds}
  /rival   {}               another getUpdates poller appears (the waiting poll answers 409)
  /wait_sent {"after": n, "timeout": s} -> the bot's messages after the first n, once there is one
  GET /sent, /requests, /violations, /state
"""
import argparse
import datetime
import email.parser
import email.policy
import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import ssl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bot_api_schema  # noqa: E402
from bot_api_world import ApiError, World  # noqa: E402


def make_certificates(directory):
    """A CA and a server certificate for 127.0.0.1/localhost, made once per state folder."""
    ca_file = os.path.join(directory, "ca.pem")
    cert_file = os.path.join(directory, "server.pem")
    key_file = os.path.join(directory, "server.key")
    if all(os.path.exists(p) for p in (ca_file, cert_file, key_file)):
        return ca_file, cert_file, key_file
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
    except ImportError:
        return make_certificates_with_openssl(directory, ca_file, cert_file, key_file)
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "RingBot test CA (fake Bot API)")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    with open(key_file, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    with open(cert_file, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(ca_file, "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    return ca_file, cert_file, key_file


def make_certificates_with_openssl(directory, ca_file, cert_file, key_file):
    """The same CA and server certificate through the openssl command, when `cryptography` is not installed."""
    ca_key = os.path.join(directory, "ca.key")
    request = os.path.join(directory, "server.csr")
    extensions = os.path.join(directory, "server.ext")
    with open(extensions, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for command in (
        ["openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", ca_file, "-days", "30",
         "-subj", "/CN=RingBot test CA (fake Bot API)", "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ["openssl", "req", *ec, "-keyout", key_file, "-out", request, "-subj", "/CN=127.0.0.1"],
        ["openssl", "x509", "-req", "-in", request, "-CA", ca_file, "-CAkey", ca_key, "-CAcreateserial",
         "-out", cert_file, "-days", "30", "-extfile", extensions],
    ):
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            sys.exit(f"fake-bot-api: cannot make a test certificate: install python3's `cryptography` or openssl "
                     f"({result.stderr.strip()})")
    return ca_file, cert_file, key_file


def request_parameters(handler, body):
    """The call's parameters from the query string and a JSON, urlencoded or multipart body."""
    params = {}
    query = urllib.parse.urlsplit(handler.path).query
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        params[key] = value
    content_type = handler.headers.get("Content-Type", "")
    if not body:
        return params
    if content_type.startswith("application/json"):
        decoded = json.loads(body)
        if not isinstance(decoded, dict):
            raise ApiError(400, "Bad Request: the JSON body must be an object")
        params.update(decoded)
    elif content_type.startswith("application/x-www-form-urlencoded"):
        for key, value in urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True):
            params[key] = value
    elif content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            params[name] = part.get_payload(decode=True).decode("utf-8")
    else:
        raise ApiError(400, f"Bad Request: unsupported Content-Type {content_type!r}")
    return params


class ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx/1.18.0"
    sys_version = ""

    def log_message(self, format, *args):  # the token is in the path: never log it
        pass

    def do_GET(self):
        self.handle_call()

    def do_POST(self):
        self.handle_call()

    def handle_call(self):
        world = self.server.world
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urllib.parse.urlsplit(self.path).path
        parts = path.split("/")
        if len(parts) != 3 or not parts[1].startswith("bot"):
            return self.reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, name = parts[1][3:], parts[2]
        method = bot_api_schema.canonical_method(name)
        try:
            world.check_token(token)
            if method is None:
                world.record_violation(f"unknown method `{name}` (the fake knows {bot_api_schema.method_names()})")
                raise ApiError(404, "Not Found")
            raw = request_parameters(self, body)
            try:
                params = bot_api_schema.coerce(method, raw)
            except bot_api_schema.SchemaViolation as violation:
                world.record_violation(str(violation))
                raise ApiError(400, f"Bad Request: {violation}")
            world.record_request(method, params)
            fault = world.take_fault(method)
            if fault:
                return self.fault(fault)
            result = self.call(world, method, params)
            log(f"{method} -> 200")
            return self.reply(200, {"ok": True, "result": result})
        except ApiError as error:
            log(f"{method or name} -> {error.code} {error.description}")
            return self.reply(error.code, error.body())
        except ConnectionAbortedError:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def call(self, world, method, params):
        if method == "getMe":
            return world.data["bot"]
        if method == "getUpdates":
            return world.get_updates(params)
        if method == "sendMessage":
            return world.send_message(params)
        if method == "sendChatAction":
            world.chat_entry(params["chat_id"])
            return True
        if method == "deleteWebhook":
            with world.lock:
                world.data["webhook"] = ""
                if params.get("drop_pending_updates"):
                    world.data["updates"] = []
                world.save()
            return True
        if method == "getWebhookInfo":
            return {"url": world.data["webhook"], "has_custom_certificate": False,
                    "pending_update_count": len(world.data["updates"])}
        raise ApiError(404, "Not Found")

    def fault(self, fault):
        status = fault["status"]
        log(f"{fault['method']} -> forced {status}")
        if status == 429:
            seconds = int(fault.get("retry_after", 1))
            return self.reply(429, {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {seconds}",
                                    "parameters": {"retry_after": seconds}})
        if status == 502:
            page = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"
            return self.reply(502, page, "text/html")
        return self.reply(status, {"ok": False, "error_code": status, "description": "Internal Server Error"})

    def reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True


class TLSServer(ThreadingHTTPServer):
    """Wraps each accepted connection in TLS on its own thread (a slow handshake never blocks accept)."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, world, context):
        self.world = world
        self.context = context
        super().__init__(address, ApiHandler)

    def finish_request(self, request, client_address):
        try:
            request.settimeout(30)
            tls = self.context.wrap_socket(request, server_side=True)
            tls.settimeout(None)
        except (OSError, ssl.SSLError):
            return
        self.RequestHandlerClass(tls, client_address, self)


class ControlHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        world = self.server.world
        with world.lock:
            views = {"/sent": world.data["sent"], "/requests": world.data["requests"],
                     "/violations": world.data["violations"],
                     "/state": {key: world.data[key] for key in ("last_poll", "webhook", "privacy", "allowed_updates")}
                     | {"pending_updates": len(world.data["updates"]), "outage": world.outage,
                        "chats": {k: {"migrated_to": v.get("migrated_to")} for k, v in world.data["chats"].items()}}}
            view = views.get(self.path)
        self.send(200 if view is not None else 404, view if view is not None else {"error": "no such view"})

    def do_POST(self):
        world = self.server.world
        length = int(self.headers.get("Content-Length") or 0)
        spec = json.loads(self.rfile.read(length) or b"{}")
        try:
            result = self.control(world, spec)
            self.send(200, result)
        except ApiError as error:
            self.send(400, {"error": error.description})
        except (KeyError, TypeError, ValueError) as error:
            self.send(400, {"error": f"bad control request: {error!r}"})

    def control(self, world, spec):
        path = self.path
        if path == "/inject":
            return world.inject(spec)
        if path == "/topic":
            return {"thread_id": world.create_topic(spec["chat"], spec["name"], spec["from"])}
        if path == "/wait_sent":
            return world.wait_sent(int(spec.get("after", 0)), float(spec.get("timeout", 10)))
        if path == "/migrate":
            return {"new_chat_id": world.migrate(int(spec["chat_id"]))}
        with world.lock:
            if path == "/fault":
                world.data["faults"].append({"method": spec["method"], "status": int(spec["status"]),
                                             "retry_after": int(spec.get("retry_after", 1)),
                                             "count": int(spec.get("count", 1))})
            elif path == "/revoke":
                for token in world.data["tokens"]:
                    world.data["tokens"][token] = "revoked"
            elif path == "/webhook":
                world.data["webhook"] = spec["url"]
            elif path == "/privacy":
                world.data["privacy"] = bool(spec["on"])
            elif path == "/clock":
                world.data["clock_offset"] += float(spec["advance"])
            elif path == "/rival":
                world.poll_generation += 1
            elif path == "/outage":
                self.server.set_outage(bool(spec["on"]))
            else:
                raise KeyError(path)
            world.save()
            world.lock.notify_all()
        return {"ok": True}

    def send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class ControlServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, world, start_api, stop_api):
        self.world = world
        self.start_api = start_api
        self.stop_api = stop_api
        super().__init__(address, ControlHandler)

    def set_outage(self, on):
        """Called with the world's lock held."""
        if on == self.world.outage:
            return
        self.world.outage = on
        if on:
            self.stop_api()
        else:
            self.start_api()


def log(text):
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M:%S.%f")[:-3]
    print(f"{stamp} fake-bot-api: {text}", file=sys.stderr, flush=True)


def main():
    # A parent may start us with signals blocked (Foundation's Process does): SIGTERM must stop us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--username", default="ringbot_test_bot")
    parser.add_argument("--api-port", type=int, default=0)
    parser.add_argument("--control-port", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    world = World(args.dir, args.token, args.username)
    ca_file, cert_file, key_file = make_certificates(args.dir)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)

    api = {"server": None, "port": args.api_port}

    def start_api():
        server = TLSServer(("127.0.0.1", api["port"]), world, context)
        api["port"] = server.server_address[1]
        api["server"] = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop_api():
        server = api["server"]
        if server is not None:
            server.shutdown()
            server.server_close()

    start_api()
    control = ControlServer(("127.0.0.1", args.control_port), world, start_api, stop_api)
    log(f"serving on port {api['port']} (control {control.server_address[1]})")
    print(json.dumps({"api": f"https://127.0.0.1:{api['port']}", "control": f"http://127.0.0.1:{control.server_address[1]}",
                      "ca_file": ca_file, "pid": os.getpid()}), flush=True)
    try:
        control.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
