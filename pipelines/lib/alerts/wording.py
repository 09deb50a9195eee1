"""Chinese wording the alert templates look up: what to do about a rejected file, the
names of statuses. Row rules carry their own name and fix (pipelines/lib/rules.py)."""

from __future__ import annotations

from pipelines.lib.rules import FILE_REJECTIONS, ROW_RULES

REJECTION_FIXES: dict[str, str] = {
    "encoding": "请在 Excel 中“另存为” .xlsx 工作簿（或 UTF-8 / GBK 编码的 .csv）后重新报送整份文件。",
    "not_a_table": "请报送 .xlsx、.xls 或 .csv 格式的台账，不要报送 .pdf、图片、网页或压缩包；请在 Excel 或 WPS 中打开后另存为 .xlsx 再报送。",
    "password": "请取消工作簿密码后重新报送（Excel：文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码后保存）。",
    "macro": "请在 Excel 中“另存为” Excel 工作簿（.xlsx，不含宏）后重新报送。",
    "too_large": "请删除多余的工作表、图片和整行整列的格式，只保留台账，另存为 .xlsx 后重新报送。",
    "text_too_large": "文件过大：请按年度或乡镇拆分为几个较小的文件（每个不超过县级配置的上限）后分别报送。",
    "missing_columns": "请按《数据报送规范》补齐缺少的列，表头文字须与规范一致；也请核对是否把文件放错了数据类别。",
    "no_rows": "文件中没有数据行。请核对是否选错了文件；系统读取第一个含有表头的工作表。",
    "unknown_sender": "文件所在的报送单位代码不在名单中，请放入本单位代码的文件夹后重新报送。",
    "unknown_feed": "文件所在的数据类别无法识别，请放入正确的数据类别文件夹（如 hazards、accidents）后重新报送。",
    "bad_path": "请按 landing/<数据类别>/<报送单位代码>/<文件名> 的位置重新报送。",
    "symlink": "接收目录中只能放文件本身：请删除该链接，把文件复制进对应文件夹。",
    "not_regular": "请从接收目录中删除该条目，它不是台账文件。",
    "hidden_name": "隐藏文件不会被读取：如是台账，请去掉名称开头的“.”后重新报送；否则请删除。",
    "bad_name": "请把文件（或文件夹）改为中文或英文的正常名称后重新报送（常见于 Windows 压缩包解压后的乱码文件名）。",
    "vanished": "文件在接收过程中被移走或改名：如是上传中的临时文件可忽略，请确认正式文件已到达。",
    "unreadable": "请检查文件权限并确认文件完好，重新导出后报送。",
}
assert set(REJECTION_FIXES) == set(FILE_REJECTIONS)

DEADLINE_RULES: dict[str, str] = {
    "weekly": "每周一12:00前报送上一周（周一至周日）的台账",
    "register": "每月5日前报送",
    "relief": "次月10日前报送上月的台账",
    "event": "事件发生后24小时内报送",
}

ALERT_STATUSES: dict[str, str] = {
    "queued": "待发送",
    "sent": "已发送",
    "failed": "发送失败，下次运行重试",
    "resolved": "问题已全部解决",
}


def rule_name(rule: str | None) -> str:
    return ROW_RULES[rule][0] if rule in ROW_RULES else (rule or "")


def rule_fix(rule: str | None) -> str:
    return ROW_RULES[rule][1] if rule in ROW_RULES else ""


def rejection_fix(code: str | None) -> str:
    return REJECTION_FIXES.get(code or "", "请核对文件后重新报送。")
