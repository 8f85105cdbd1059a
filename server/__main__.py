"""`python -m server`: serve the mall named by ANTRIAN_CONFIG (the demo mall by default).

python -m server                 serve
python -m server hash-password   ask for a password, print its hash for [[staff]] password_hash
python -m server new-token       print a new device token and the digest for token_sha256
"""

from __future__ import annotations

import getpass
import socket
import sys

import uvicorn

from config.access import DEMO_PASSWORD, Access, demo_token, hash_password, new_token, token_digest
from config.loader import ConfigError, Loaded, load_config
from server.app import create_app
from server.journal import JournalError
from server.settings import Settings

WS_MAX_BYTES = 16 * 1024  # clients send only pings: anything larger is junk
# Kernel send buffer per connection (accepted sockets inherit it from the listener). Left to autotune it
# grows to 4 MiB per socket: a few hundred stalled TV sticks would pin gigabytes, and a stalled display
# would never be noticed. Capped, a display that stops reading fills it, and the server drops it.
SEND_BUFFER_BYTES = 128 * 1024
# A peer that acknowledges nothing for this long (a TV stick that froze) is cut off by the kernel,
# even while the app still has bytes queued for it.
STALL_TIMEOUT_MS = 60_000


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
    if hasattr(socket, "TCP_USER_TIMEOUT"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, STALL_TIMEOUT_MS)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sys.exit(f"Cannot listen on {host}:{port} ({exc.strerror}). Fix: stop what uses it, or set PORT/HOST.")
    sock.listen(2048)
    return sock


def print_banner(settings: Settings, loaded: Loaded) -> None:
    mall, access = loaded.mall, loaded.access
    base = settings.public_base_url(mall.site.public_base_url)
    print(f"Antrian: {mall.site.name}")
    print(f"  config   {settings.config_path}")
    print(f"  journal  {settings.redis_url or settings.journal_for(mall.id)}")
    print(f"  start    {base}/")
    print(f"  API      {base}/schema")
    if access.demo:
        print_demo_credentials(base, loaded.access, loaded)
    sys.stdout.flush()


def print_demo_credentials(base: str, access: Access, loaded: Loaded) -> None:
    print("\nDEMO ONLY: these credentials are public. A real mall sets its own (see README).")
    for device in access.devices.values():
        print(f"  {device.kind:8} {base}/{device.kind}/{device.id}#token={demo_token(device.kind, device.id)}")
    roles: dict[str, list[str]] = {}
    for account in access.staff.values():
        roles.setdefault(account.role, []).append(account.username)
    for role, names in roles.items():
        shown = ", ".join(names[:3]) + (f" ... ({len(names)} accounts)" if len(names) > 3 else "")
        print(f"  {role:10} {shown}")
    print(f"  password   {DEMO_PASSWORD}")
    first = next(iter(loaded.mall.counters), None)
    if first:
        print(f"  counter    {base}/counter/{first}  (log in as the counter's account)")


def serve() -> None:
    settings = Settings.from_env()
    try:
        loaded = load_config(settings.config_path)
    except ConfigError as exc:
        sys.exit(f"Configuration error: {exc}")
    app = create_app(settings, loaded=loaded)
    sock = listen(settings.host, settings.port)
    print_banner(settings, loaded)
    config = uvicorn.Config(app, log_level="info", ws_max_size=WS_MAX_BYTES)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except JournalError as exc:
        sys.exit(f"Journal error: {exc}")


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        serve()
    elif args == ["hash-password"]:
        password = getpass.getpass("New password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
        if len(password) < 10:
            sys.exit("Use at least 10 characters.")
        print(hash_password(password))
    elif args == ["new-token"]:
        token = new_token()
        print(f"token (give it to the device):   {token}")
        print(f'token_sha256 (put in the config): "{token_digest(token)}"')
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
