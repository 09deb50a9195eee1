"""Under the daemon (`safetywh serve`), notice what is new since the last successful run —
a file by the folder, the portal's `land_submission` or the mailbox, a code, profile or
setting change, a new county-local hour — and request the run job.

It asks the question `safetywh run` asks (pipelines/lib/run_inputs.py `what_is_new`), and
the run it requests carries the inputs it was asked for: the ``run_key`` is their digest,
so Dagster launches one run per set of inputs however many ticks see them, and the run
that succeeds is the next tick's record.
"""

from __future__ import annotations

import dagster as dg

from pipelines.lib.run_inputs import JOB_NAME, MAX_ATTEMPTS, SOURCE_TAG

# The daemon's sensor loop runs every 5 s (dagster/_daemon/sensor.py MIN_INTERVAL_LOOP_TIME).
# An interval of 5 s itself made the sensor miss every other loop (measured: ticks 10 s apart),
# so it asks for 1 s and is evaluated on each loop; a tick hashes no file, it lists the landing
# tree and the code.
INTERVAL_SECONDS = 1


@dg.sensor(
    name="landing_folder",
    job_name=JOB_NAME,
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Runs the pipeline when <home>/landing (or the code, the profile, a SAFETYWH_* setting, the "
    "county-local hour) changed since the last successful run. run_key: the inputs' digest; cursor: the last one requested.",
)
def landing_folder(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    from pipelines.lib import run_inputs
    from pipelines.lib.profile import load_profile
    from pipelines.lib.runner import writer_busy
    from warehouse.home import Home

    home = Home.resolve(None)
    if writer_busy(home):
        return dg.SkipReason(f"另一个运行正在写入 {home.root}：下次检查再看")
    profile = load_profile()
    inputs, found = run_inputs.current_verdict(home, profile.folder, profile.timezone)
    if found.skip:
        return dg.SkipReason(found.reason)
    if not found.changed:
        # inputs as they were: alerts waiting for a retry, or the warehouse written by a command
        return dg.SkipReason(f"{found.reason}：由定时任务 alerts_retry 处理")
    if found.unfinished:
        # one run at a time: what lands meanwhile is compared with that run's record once it is done
        return dg.SkipReason(f"{found.reason}：等待正在排队或运行的 {found.unfinished} 个运行结束")
    if found.failures >= MAX_ATTEMPTS:
        return dg.SkipReason(
            f"这些输入已运行失败 {found.failures} 次（已提醒数据组）：等新的文件、代码或设置，或下一个整点"
        )
    # a run of these inputs that failed (or was killed) is tried once more under a key of its own
    run_key = found.key if not found.failures else f"{found.key}-{found.failures + 1}"
    if run_key == context.cursor:
        return dg.SkipReason("已为这些输入请求过运行")
    context.log.info(f"请求运行：{found.reason}")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=run_key, tags=inputs.tags() | {SOURCE_TAG: "landing"})],
        cursor=run_key,
    )
