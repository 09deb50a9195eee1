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
    "missing_columns": "请按《数据报送规范》补齐缺少的列，表头文字须与规范一致；也请核对是否把文件放错了数据类别。",
    "no_rows": "文件中没有数据行。请核对是否选错了文件；系统读取第一个含有表头的工作表。",
    "unknown_sender": "文件所在的报送单位代码不在名单中，请放入本单位代码的文件夹后重新报送。",
    "unknown_feed": "文件所在的数据类别无法识别，请放入正确的数据类别文件夹（如 hazards、accidents）后重新报送。",
    "bad_path": "请按 landing/<数据类别>/<报送单位代码>/<文件名> 的位置重新报送。",
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
