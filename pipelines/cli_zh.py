"""The command line speaks Chinese: argparse's own words (usage, option groups, -h, every
error) translated, errors exit 2 with a hint, and the argument types that turn what a user
types (a feed or sender in Chinese, a date, a period) into canonical values or a Chinese error."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import re
import sys
import unicodedata

# argparse's messages (Python 3.11, argparse.py `_(...)`) -> Chinese
MESSAGES = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的命令 %(parser_name)r（可用：%(choices)s）",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "该选项不带值：%r",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "必须提供以下参数之一：%s",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项不明确：%(option)s 可指 %(matches)s",
    "unexpected option string: %s": "意外的选项：%s",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}
PLURALS = {"expected %s argument": "需要 %s 个值"}


def _translate(text: str) -> str:
    return MESSAGES.get(text, text)


def _ntranslate(singular: str, plural: str, n: int) -> str:
    if singular in PLURALS:
        return PLURALS[singular]
    return singular if n == 1 else plural


@contextlib.contextmanager
def chinese_argparse():
    """argparse looks its words up through module globals at the moment it writes them (parser
    construction, help, errors): swap them for the Chinese ones while the CLI parses."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = _translate, _ntranslate
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


_TOKENS = re.compile(r"[\x21-\x7e]+|\s+|.")  # an ASCII word, a run of white space, or one character


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap_chinese(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns (a Chinese character is two), broken between Chinese
    characters or at spaces, never inside an ASCII word such as an option or a path."""
    lines, line = [], ""
    for token in _TOKENS.findall(" ".join(text.split())):
        if _width(line) + _width(token) > width and line.strip():
            lines.append(line.rstrip())
            line = "" if token.isspace() else token
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


class ChineseHelpFormatter(argparse.HelpFormatter):
    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap_chinese(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap_chinese(text, width - len(indent)))


class ChineseParser(argparse.ArgumentParser):
    """Errors in Chinese, exit status 2, and where to read the usage; help wrapped for Chinese."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{message}\n（运行 {self.prog} --help 查看用法）\n")


# ------------------------------------------------------------------ argument types


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"不是日期（应为 YYYY-MM-DD，如 2023-04-03）：{text}") from exc


def int_arg(text: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"应为整数：{text}") from exc


def float_arg(text: str) -> float:
    try:
        return float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"应为数字：{text}") from exc


def feed_arg(text: str) -> str:
    from pipelines.lib.labels import LabelError, feed_from_text

    try:
        return feed_from_text(text)
    except LabelError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def sender_arg(text: str) -> str:
    from pipelines.lib.labels import LabelError, sender_from_text
    from pipelines.lib.profile import load_profile

    try:
        return sender_from_text(load_profile(), text)
    except LabelError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def period_arg(text: str) -> str:
    from pipelines.lib.numbers import NumbersError, parse_period

    try:
        return parse_period(text).label
    except NumbersError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def status_arg(allowed: tuple[str, ...]):
    """A status by its canonical name or its Chinese word (已入库 = loaded)."""
    from pipelines.lib.labels import word

    def parse(text: str) -> str:
        typed = text.strip()
        for key in allowed:
            if typed in (key, word("status", key)):
                return key
        raise argparse.ArgumentTypeError(f"未知的状态“{typed}”。可用：{status_choices_text(allowed)}")

    return parse


def status_choices_text(allowed: tuple[str, ...]) -> str:
    from pipelines.lib.labels import word

    return "、".join(f"{word('status', key)}（{key}）" for key in allowed)


HOME_HELP = "数仓目录（默认：环境变量 SAFETYWH_HOME，其次 ./warehouse）"
FEED_HELP = "数据类别：英文名或中文名，如 hazards、隐患、隐患排查治理台账"
SENDER_HELP = "报送单位：部门代码（如 YJJ）或乡镇（街道）代码、全称、简称（如 430182001、玉潭街道）"
PERIOD_HELP = "周期：ISO 周 2023-W14（周通报）、月 2023-04（月排名）或季度 2023-Q2（季考核）"


def format_help(default: str, choices: tuple[str, ...]) -> str:
    names = {"table": "中文表格", "json": "英文规范字段名与取值，供程序读取", "csv": "英文规范字段名，可用 Excel 打开"}
    return "输出格式：" + "、".join(f"{c} {names[c]}" for c in choices) + f"（默认 {default}）"
