"""`kiosk admin …`: accounts, retention purge, and the panel served as its own process (`kiosk admin serve`)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from core.errors import AdminError
from kiosk.commands import config_from_args


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        if not sys.stdin.isatty():
            raise AdminError("no-password", "no terminal to prompt on: pipe the password with --password-stdin")
        password = getpass.getpass("密码 / password: ")
        if getpass.getpass("再输入一次 / again: ") != password:
            raise AdminError("password-mismatch", "the two passwords differ; nothing was changed")
    return password


def _create_user(args: argparse.Namespace) -> int:
    from panel.store import Store

    store = Store.open(config_from_args(args))
    user = store.accounts.create_user(args.name, _read_password(args), args.role)
    store.audit("cli", "user-create", user.username, user.role)
    print(f"created {user.role} account '{user.username}'")
    return 0


def _set_password(args: argparse.Namespace) -> int:
    from panel.store import Store

    store = Store.open(config_from_args(args))
    store.accounts.set_password(args.name, _read_password(args))
    store.audit("cli", "user-password", args.name)
    print(f"password of '{args.name}' changed; its sessions were ended")
    return 0


def _list_users(args: argparse.Namespace) -> int:
    from panel.store import Store

    for user in Store.open(config_from_args(args)).accounts.list_users():
        print(f"{user['username']}\t{user['role']}\t{'disabled' if user['disabled'] else 'active'}")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from panel.store import Store

    store = Store.open(config_from_args(args))
    days = args.days or store.retention_days()
    removed = store.purge_old(days)
    store.audit("cli", "records-purged", f"older than {days} days", f"{removed} turns")
    print(f"purged {removed} conversation turns older than {days} days")
    return 0


def _serve(args: argparse.Namespace) -> int:
    """The panel beside N kiosk processes (which set admin.mount_in_kiosk: false) on config.admin.host:port."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import uvicorn

    from kiosk.commands.startup import kb_size, panel_report
    from kiosk.services import Services
    from panel.app import build_panel_app

    config = config_from_args(args)
    host, port = args.host or config.admin.host, args.port or config.admin.port
    services = Services(config)
    store = services.store
    if store is None:
        raise AdminError("no-store", f"the panel cannot open its database {config.paths.database}; see the warning above")
    try:
        size = kb_size(services.kb)
    except Exception:  # the report says the knowledge base is unreadable; staff can still log in and see why
        size = None
    app = build_panel_app(services)
    for line in panel_report(config, services.health(), size, store.accounts.list_users()):
        print(line, flush=True)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(f"admin panel ready: http://{shown}:{port}{config.admin.path.rstrip('/')}/ (health: /health)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    admin = subparsers.add_parser("admin", help="staff/admin panel: accounts, retention, dev server")
    sub = admin.add_subparsers(dest="admin_command", required=True, metavar="ACTION")

    create = sub.add_parser("create-user", help="create a staff or admin account (password prompted)")
    create.add_argument("name")
    create.add_argument("--role", choices=["staff", "admin"], default="staff")
    create.add_argument("--password-stdin", action="store_true", help="read the password from the first stdin line")
    create.set_defaults(func=_create_user)

    password = sub.add_parser("set-password", help="change an account's password (ends its sessions)")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true")
    password.set_defaults(func=_set_password)

    users = sub.add_parser("list-users", help="list accounts")
    users.set_defaults(func=_list_users)

    purge = sub.add_parser("purge", help="delete conversation records older than the retention period")
    purge.add_argument("--days", type=int, help="override the retention period (days)")
    purge.set_defaults(func=_purge)

    serve = sub.add_parser("serve", help="serve the panel as its own process on config admin.host:port")
    serve.add_argument("--host", help="listen address (default: config admin.host)")
    serve.add_argument("--port", type=int, help="port (default: config admin.port)")
    serve.set_defaults(func=_serve)
