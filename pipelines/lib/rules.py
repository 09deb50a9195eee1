"""Rule codes and the Chinese wording a sender reads for each.

A quarantined cell carries a rule code (stable, for machines and tests) and a reason in
Chinese (for the clerk fixing the ledger). File rejections likewise.
"""

from __future__ import annotations

# Row rules: code -> (short Chinese name, how to fix it)
ROW_RULES: dict[str, tuple[str, str]] = {
    "required": ("必填项为空", "请填写该必填项。"),
    "format": ("格式无法识别", "请按《数据报送规范》填写正确格式。"),
    "enum": ("不在允许值范围内", "请从规定的选项中选择。"),
    "township": ("所属乡镇无法识别", "请填写乡镇（街道）全称、简称或统计区划代码。"),
    "range": ("数值超出允许范围", "请填写正确的数值。"),
    "future": ("日期晚于当前时间", "请核对日期，不能填写未来的日期。"),
    "order": ("日期或数值先后关系错误", "请核对两列数据的先后或大小关系。"),
    "conditional": ("条件必填项缺失", "请按规定补充该项。"),
    "check_digit": ("校验位错误", "请核对号码，最后一位校验码与前17位不符。"),
    "duplicate_id": ("同一文件内编号重复", "同一编号在文件中只能出现一次，请删除或合并重复行。"),
    "reference": ("引用的编号不存在", "请核对编号是否已在对应名录中登记。"),
}

# Whole-file rejections: code -> Chinese reason prefix
FILE_REJECTIONS: dict[str, str] = {
    "encoding": "文件编码无法识别（应为 UTF-8 或 GBK/GB18030）",
    "not_a_table": "文件不是可读取的表格（应为 .xlsx、.xls 或 .csv）",
    "password": "工作簿设有打开密码，无法读取：请取消工作簿密码后重新报送",
    "macro": "文件是启用宏的工作簿（.xlsm），出于安全考虑不予读取：请在 Excel 中另存为 .xlsx（不含宏）后重新报送",
    "too_large": "工作簿解压后过大，未予读取（限值见县级配置 workbook_limits）：请删除多余的工作表和格式后另存为 .xlsx 重新报送",
    "text_too_large": "文本文件过大，未予读取（限值见县级配置 ingest.max_text_file_mb）：请按年度或乡镇拆分为几个文件后分别报送",
    "missing_columns": "缺少必需的列",
    "no_rows": "文件中没有数据行",
    "unknown_sender": "报送单位代码无法识别",
    "unknown_feed": "数据类别无法识别",
    "bad_path": "文件存放位置不符合规范（应为 landing/<数据类别>/<报送单位代码>/<文件名>）",
    # Entries of the landing folder that are not a readable file: settled once, never read.
    "symlink": "不是文件本身而是符号链接（快捷方式），不予读取",
    "not_regular": "不是普通文件（管道、套接字或设备文件），不予读取",
    "hidden_name": "文件或文件夹名以“.”开头（隐藏文件），不予读取",
    "bad_name": "文件或文件夹名不是 UTF-8 编码，无法识别",
    "vanished": "文件在读取前已被移走或删除",
    "unreadable": "文件无法读取",
}

FILE_STATUSES = ("loaded", "rejected", "duplicate")


class Rejection(Exception):
    """A file that cannot be read as a whole; nothing from it loads."""

    def __init__(self, code: str, detail: str = ""):
        if code not in FILE_REJECTIONS:
            raise ValueError(f"unknown rejection code {code!r}")
        self.code = code
        self.detail = detail
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        base = FILE_REJECTIONS[self.code]
        return f"{base}：{self.detail}" if self.detail else base
