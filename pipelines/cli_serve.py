"""`safetywh serve`: the warehouse as a service (pipelines/lib/service.py)."""

from __future__ import annotations

import argparse
import os
import sys

from pipelines.cli_zh import HOME_HELP, int_arg
from warehouse.home import Home

PORT_ENV, DASHBOARD_PORT_ENV = "SAFETYWH_DAGSTER_PORT", "SAFETYWH_DASHBOARD_PORT"


def cmd_serve(args: argparse.Namespace) -> int:
    from pipelines.lib.dagster_home import ensure_instance
    from pipelines.lib.dbt_manifest import ensure_manifest
    from pipelines.lib.runner import _tools_on_path
    from pipelines.lib.service import (
        ServiceBusy,
        children,
        serve,
        service_lock,
        settle_abandoned_runs,
    )

    def say(message: str) -> None:
        print(f"[safetywh serve] {message}", file=sys.stderr, flush=True)

    home = Home.resolve(args.home)
    if not home.landing.is_dir():
        print(
            f"错误：{home.root} 不是数仓目录（其中没有报送文件夹 landing/）。请检查 --home，或先运行 safetywh init",
            file=sys.stderr,
        )
        return 2
    home.export_env()  # the sensor and the run worker read the home from these, as `safetywh run` does
    _tools_on_path()
    folder = ensure_instance(home)
    try:
        with service_lock(home):
            ensure_manifest()  # the definitions load dbt's manifest: parse once here, not in each child
            for run_id in settle_abandoned_runs(home):
                say(f"上次服务停止时未结束的运行 {run_id} 已标记为失败，传感器将重新运行")
            kids = children(home, args.address, args.port, None if args.no_dashboard else args.dashboard_port)
            say(f"数仓目录：{home.root}；Dagster 实例：{folder}")
            say(
                f"Dagster 界面：http://{args.address}:{args.port}"
                + ("" if args.no_dashboard else f"；数据驾驶舱：http://{args.address}:{args.dashboard_port}")
            )
            say("放入 landing/ 的文件会被自动处理；按 Ctrl-C 停止")
            return serve(home, kids, say)
    except ServiceBusy as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "serve",
        help="作为服务运行：Dagster 守护进程与界面、数据驾驶舱；放入的文件自动处理",
        description="在本机启动 Dagster 守护进程（传感器、定时任务）、Dagster 网页界面和数据驾驶舱，"
        "共用数仓目录下的 Dagster 实例（<数仓目录>/dagster）。放入 landing/ 的文件（文件夹、报送页面或报送邮箱）"
        "由传感器发现后自动读取、校验、计算、发布并发出提醒；通报按计划生成；未发出的提醒每 10 分钟重试。"
        "Ctrl-C 或 SIGTERM 在 10 秒内停止它启动的全部进程。",
    )
    p.add_argument("--home", metavar="DIR", help=HOME_HELP)
    p.add_argument("--address", default="127.0.0.1", metavar="ADDR", help="界面监听的地址（默认 127.0.0.1，仅本机）")
    p.add_argument(
        "--port",
        type=int_arg,
        default=int(os.environ.get(PORT_ENV) or 3000),
        metavar="PORT",
        help=f"Dagster 界面的端口（默认 ${PORT_ENV}，其次 3000）",
    )
    p.add_argument(
        "--dashboard-port",
        type=int_arg,
        default=int(os.environ.get(DASHBOARD_PORT_ENV) or 8501),
        metavar="PORT",
        help=f"数据驾驶舱的端口（默认 ${DASHBOARD_PORT_ENV}，其次 8501）",
    )
    p.add_argument("--no-dashboard", action="store_true", help="不启动数据驾驶舱")
    p.set_defaults(func=cmd_serve)
