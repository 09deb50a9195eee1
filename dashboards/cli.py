"""`safetywh dashboard` (serve the Streamlit app) and `safetywh dashboard-password`.

pipelines/cli.py imports this module and calls register(subparsers).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from warehouse.home import Home

APP = Path(__file__).resolve().parent / "app.py"
# Latin in Streamlit's sans font, Chinese in the first CJK sans font the viewer's machine has
CJK_FONTS = ("sans-serif, 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', "
             "'WenQuanYi Micro Hei'")


def streamlit_argv(port: int, address: str) -> list[str]:
    """The server command line: headless, local, no telemetry, no code reloading (the
    app serves users; it is not being developed), no tracebacks shown to users (they
    go to the server log)."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", address,
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",
        "--client.showErrorDetails", "none",
        "--theme.base", "light",
        "--theme.primaryColor", "#1f5fa8",
        # Chinese text: Streamlit's Source Sans has no CJK glyphs and the browser's own
        # fallback may pick a calligraphic font (AR PL UKai); name sans CJK fonts instead
        "--theme.font", CJK_FONTS,
    ]


def cmd_dashboard(args: argparse.Namespace) -> int:
    from dashboards.auth import ACCOUNTS_ENV, accounts_path, load_accounts

    home = Home.resolve(args.home)
    env = dict(os.environ, SAFETYWH_HOME=str(home.root))
    if args.accounts:
        env[ACCOUNTS_ENV] = str(Path(args.accounts).resolve())
    os.environ.update(env)
    try:
        accounts = load_accounts(accounts_path())
    except (OSError, ValueError, KeyError) as exc:
        print(f"错误：账号配置无法读取：{exc}", file=sys.stderr)
        return 2
    if not home.published_path.exists():
        print(f"提示：{home.published_path} 还不存在，运行 `safetywh run --home {home.root}` 后刷新页面即可看到数据",
              file=sys.stderr)
    print(f"数仓目录：{home.root}\n账号：{len(accounts)} 个（{accounts_path()}）\n"
          f"打开 http://{args.address}:{args.port}", file=sys.stderr)
    sys.stderr.flush()
    # exec: the server takes this process's id, so whoever started it can stop it by that id
    os.execve(sys.executable, streamlit_argv(args.port, args.address), env)
    return 0  # not reached


def cmd_dashboard_password(args: argparse.Namespace) -> int:
    from dashboards.auth import hash_password

    if args.stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("新密码：")
        if getpass.getpass("再输入一次：") != password:
            print("错误：两次输入的密码不一致", file=sys.stderr)
            return 2
    if len(password) < 8:
        print("错误：密码至少 8 位", file=sys.stderr)
        return 2
    print(hash_password(password))
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("dashboard", help="serve the dashboards (Streamlit) on localhost")
    p.add_argument("--home", metavar="DIR", help="warehouse home (default: $SAFETYWH_HOME, then ./warehouse)")
    p.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    p.add_argument("--address", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--accounts", metavar="FILE",
                   help="accounts YAML (default: $SAFETYWH_DASHBOARD_ACCOUNTS, then dashboards/accounts.yaml)")
    p.set_defaults(func=cmd_dashboard)

    p = subparsers.add_parser("dashboard-password", help="print the scrypt hash of a password for the accounts file")
    p.add_argument("--stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=cmd_dashboard_password)
