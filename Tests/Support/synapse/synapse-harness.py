#!/usr/bin/env python3
"""A throw-away Synapse homeserver for RingBot's Matrix integration tests.

Subcommands (DATA_DIR holds everything: config, sqlite db, keys, pid and log files):

  free-port                          print a free TCP port on 127.0.0.1
  init DATA_DIR PORT [--low-rate-limit]
                                     write DATA_DIR/homeserver.yaml (127.0.0.1 only, sqlite,
                                     registration closed, shared secret, no federation listener,
                                     media off) and the signing key
  start DATA_DIR [--timeout S]       start Synapse in the background (pid in DATA_DIR/synapse.pid,
                                     log in DATA_DIR/synapse.log), wait until
                                     /_matrix/client/versions answers, print the base URL
  stop DATA_DIR [--timeout S]        SIGTERM, wait (SIGKILL after the timeout)
  register DATA_DIR NAME PASSWORD [--admin]
                                     register a user through register_new_matrix_user
                                     (not an admin unless --admin)

The virtualenv comes from $RINGBOT_SYNAPSE_VENV (default ~/.cache/ringbot/synapse-venv;
Tests/Support/install-synapse.sh creates it). Every failure prints one line starting
with "error:" and exits non-zero.
"""
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

SERVER_NAME = "localhost"


def die(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def venv():
    path = os.environ.get("RINGBOT_SYNAPSE_VENV") or os.path.expanduser("~/.cache/ringbot/synapse-venv")
    python = os.path.join(path, "bin", "python")
    if not os.access(python, os.X_OK):
        die(f"no Synapse virtualenv at {path}; run `make synapse` "
            f"(Tests/Support/install-synapse.sh {path}) or set RINGBOT_SYNAPSE_VENV")
    return path


def config_path(data_dir):
    return os.path.join(data_dir, "homeserver.yaml")


def read_port(data_dir):
    try:
        with open(os.path.join(data_dir, "port")) as f:
            return int(f.read().strip())
    except OSError:
        die(f"{data_dir} has no homeserver; run `init {data_dir} PORT` first")


def base_url(data_dir):
    return f"http://127.0.0.1:{read_port(data_dir)}"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rate_limits(low):
    generous = {"per_second": 1000, "burst_count": 1000}
    message = {"per_second": 0.5, "burst_count": 2} if low else generous
    return {
        "rc_message": message,
        "rc_registration": generous,
        "rc_login": {"address": generous, "account": generous, "failed_attempts": generous},
        "rc_joins": {"local": generous, "remote": generous},
        "rc_joins_per_room": generous,
        "rc_invites": {"per_room": generous, "per_user": generous, "per_issuer": generous},
        "rc_room_creation": generous,
        "rc_3pid_validation": generous,
    }


def yaml_value(value, indent):
    """A tiny YAML writer for the dicts/lists/scalars of the config (no PyYAML needed here)."""
    pad = "  " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:")
                lines.append(yaml_value(item, indent + 1))
            else:
                lines.append(f"{pad}{key}: {yaml_scalar(item)}")
        return "\n".join(lines)
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, dict):
                body = yaml_value(item, indent + 1).lstrip()
                lines.append(f"{pad}- {body}")
            else:
                lines.append(f"{pad}- {yaml_scalar(item)}")
        return "\n".join(lines)
    return pad + yaml_scalar(value)


def yaml_scalar(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[]"
    if isinstance(value, dict):
        return "{}"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def init(data_dir, port, low):
    data_dir = os.path.abspath(data_dir)
    os.makedirs(data_dir, exist_ok=True)
    log_config = os.path.join(data_dir, "log.config")
    with open(log_config, "w") as f:
        f.write(
            "version: 1\n"
            "formatters:\n  precise:\n    format: '%(asctime)s - %(name)s - %(levelname)s - %(message)s'\n"
            "handlers:\n  console:\n    class: logging.StreamHandler\n    formatter: precise\n"
            "loggers:\n  synapse.storage.SQL:\n    level: WARNING\n"
            "root:\n  level: WARNING\n  handlers: [console]\n"
            "disable_existing_loggers: false\n"
        )
    config = {
        "server_name": SERVER_NAME,
        "pid_file": os.path.join(data_dir, "homeserver.pid"),
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "listeners": [{
            "port": port,
            "bind_addresses": ["127.0.0.1"],
            "type": "http",
            "tls": False,
            "x_forwarded": False,
            "resources": [{"names": ["client"], "compress": False}],
        }],
        "database": {"name": "sqlite3", "args": {"database": os.path.join(data_dir, "homeserver.db")}},
        "log_config": log_config,
        "media_store_path": os.path.join(data_dir, "media_store"),
        "enable_media_repo": False,
        "url_preview_enabled": False,
        "enable_registration": False,
        "registration_shared_secret": secrets.token_hex(16),
        "report_stats": False,
        "macaroon_secret_key": secrets.token_hex(16),
        "form_secret": secrets.token_hex(16),
        "signing_key_path": os.path.join(data_dir, "signing.key"),
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "presence": {"enabled": False},
        "enable_metrics": False,
    }
    config.update(rate_limits(low))
    with open(config_path(data_dir), "w") as f:
        f.write(yaml_value(config, 0) + "\n")
    with open(os.path.join(data_dir, "port"), "w") as f:
        f.write(f"{port}\n")
    bin_dir = os.path.join(venv(), "bin")
    result = subprocess.run(
        [os.path.join(bin_dir, "python"), "-m", "synapse.app.homeserver",
         "-c", config_path(data_dir), "--generate-keys"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        die(f"synapse --generate-keys failed: {result.stdout.strip()[-2000:]}")
    print(config_path(data_dir))


def pid_file(data_dir):
    return os.path.join(data_dir, "synapse.pid")


def running_pid(data_dir):
    try:
        with open(pid_file(data_dir)) as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    # A zombie still answers kill(0); treat it as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            if f.read().split(") ")[-1].startswith("Z"):
                return None
    except OSError:
        pass
    return pid


def versions_answer(url):
    try:
        with urllib.request.urlopen(url + "/_matrix/client/versions", timeout=2) as response:
            return response.status == 200
    except Exception:
        return False


def start(data_dir, timeout):
    data_dir = os.path.abspath(data_dir)
    url = base_url(data_dir)
    if running_pid(data_dir):
        die(f"Synapse already runs for {data_dir} (pid {running_pid(data_dir)})")
    log = open(os.path.join(data_dir, "synapse.log"), "a")
    process = subprocess.Popen(
        [os.path.join(venv(), "bin", "python"), "-m", "synapse.app.homeserver", "-c", config_path(data_dir)],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        cwd=data_dir, start_new_session=True)
    with open(pid_file(data_dir), "w") as f:
        f.write(f"{process.pid}\n")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            die(f"Synapse exited with status {process.returncode} while starting; "
                f"see {os.path.join(data_dir, 'synapse.log')}")
        if versions_answer(url):
            print(url)
            return
        time.sleep(0.1)
    process.terminate()
    die(f"Synapse did not answer {url}/_matrix/client/versions within {timeout}s; "
        f"see {os.path.join(data_dir, 'synapse.log')}")


def stop(data_dir, timeout):
    data_dir = os.path.abspath(data_dir)
    pid = running_pid(data_dir)
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if running_pid(data_dir) is None:
            break
        time.sleep(0.05)
    else:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.remove(pid_file(data_dir))
    except OSError:
        pass


def register(data_dir, name, password, admin):
    data_dir = os.path.abspath(data_dir)
    result = subprocess.run(
        [os.path.join(venv(), "bin", "register_new_matrix_user"), "-c", config_path(data_dir),
         "-u", name, "-p", password, "--admin" if admin else "--no-admin", base_url(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        die(f"register_new_matrix_user failed for {name}: {result.stdout.strip()[-1000:]}")
    print(f"@{name}:{SERVER_NAME}")


def option(args, name, default):
    if name in args:
        index = args.index(name)
        value = args[index + 1]
        del args[index:index + 2]
        return value
    return default


def reset_signals():
    """Undo what a parent may have passed down (test runners often block or ignore
    SIGTERM in their threads): Synapse must die on SIGTERM."""
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)


def main(argv):
    reset_signals()
    args = list(argv[1:])
    if not args:
        die(__doc__.strip().splitlines()[0] + " -- see the script's header for usage")
    command = args.pop(0)
    timeout = float(option(args, "--timeout", "60"))
    low = "--low-rate-limit" in args
    admin = "--admin" in args
    args = [a for a in args if a not in ("--low-rate-limit", "--admin")]
    if command == "free-port" and not args:
        print(free_port())
    elif command == "init" and len(args) == 2:
        init(args[0], int(args[1]), low)
    elif command == "start" and len(args) == 1:
        start(args[0], timeout)
    elif command == "stop" and len(args) == 1:
        stop(args[0], timeout)
    elif command == "register" and len(args) == 3:
        register(args[0], args[1], args[2], admin)
    else:
        die(f"bad usage: {' '.join(argv[1:])}; see the header of {argv[0]}")


if __name__ == "__main__":
    main(sys.argv)
