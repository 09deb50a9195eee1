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
CJK_FONTS = (
    "sans-serif, 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', 'WenQuanYi Micro Hei'"
)


def streamlit_argv(port: int, address: str) -> list[str]:
    """The server command line: headless, local, no telemetry, no code reloading (the
    app serves users; it is not being developed), no tracebacks shown to users (they
    go to the server log), and a minimal toolbar (no English hosting menu or Deploy)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
        "--client.showErrorDetails",
        "none",
        "--theme.base",
        "light",
        "--theme.primaryColor",
        "#1f5fa8",
        # Chinese text: Streamlit's Source Sans has no CJK glyphs and the browser's own
        # fallback may pick a calligraphic font (AR PL UKai); name sans CJK fonts instead
        "--theme.font",
        CJK_FONTS,
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
        print(
            f"提示：{home.published_path} 还不存在，运行 `safetywh run --home {home.root}` 后刷新页面即可看到数据",
            file=sys.stderr,
        )
    print(
        f"数仓目录：{home.root}\n账号：{len(accounts)} 个（{accounts_path()}）\n打开 http://{args.address}:{args.port}",
        file=sys.stderr,
    )
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
    p = subparsers.add_parser("dashboard", help="启动数据驾驶舱（Streamlit 网页），默认只在本机访问")
    p.add_argument("--home", metavar="目录", help="数仓目录（默认：$SAFETYWH_HOME，其次 ./warehouse）")
    p.add_argument("--port", type=int, default=8501, metavar="端口", help="端口（默认 8501）")
    p.add_argument("--address", default="127.0.0.1", metavar="地址", help="监听地址（默认 127.0.0.1，仅本机）")
    p.add_argument(
        "--accounts",
        metavar="文件",
        help="账号文件（默认：$SAFETYWH_DASHBOARD_ACCOUNTS，其次 dashboards/accounts.yaml）",
    )
    p.set_defaults(func=cmd_dashboard)

    p = subparsers.add_parser("dashboard-password", help="生成新密码的 scrypt 哈希，粘贴到账号文件中")
    p.add_argument("--stdin", action="store_true", help="从标准输入读取密码")
    p.set_defaults(func=cmd_dashboard_password)
