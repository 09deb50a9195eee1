"""The landing folder: turns each file a sender means to send (a Drop) into real files.

Here a Drop gets its sender's format and spelling, its row defects, and possibly a file defect
(then the sender sends it again), a legitimate correction sent later, or an identical duplicate;
every file gets its received time as mtime and every defect a line in the manifest.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pipelines.lib.contracts import Column, Contract

from .cells import Renderer, Style, choose_style
from .defects import REJECTED, UNKNOWN_SENDERS, FileDefects, Manifest, Marked, RowDefects, order_rules
from .world import County, seeded
from .writers import Layout, csv_bytes, write_csv, write_xlsx

# Share of files the sender corrects and sends again (a legitimate resubmission).
CORRECTION_RATE = 0.006
NOTES = [
    "填报说明：",
    "1. 本表每周一12:00前报送上一周（周一至周日）台账。",
    "2. 日期格式：2023-04-03。",
    "3. 统一社会信用代码为18位。",
]


def pdf_bytes(title: str) -> bytes:
    """A minimal PDF carrying the ledger's title: each one differs, as real exports do, so two of
    them are never byte-identical (which would make the second a duplicate, not a bad table)."""
    info = title.encode("utf-16-be").hex().upper()
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"3 0 obj\n<< /Title <FEFF" + info.encode() + b"> >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R /Info 3 0 R >>\n%%EOF\n"
    )


@dataclass
class Drop:
    """One file as the sender means to send it: typed rows, not yet spelled or broken."""

    feed: str
    sender: str
    received: datetime  # aware, county time zone
    stem: str  # file name without extension
    title: str | None
    rows: list[dict[str, Any]]
    key: str  # names the file's random stream: unique per drop


def file_stem(county: County, feed: str, label: str, sender: str, period: str, period_code: str, pattern: int) -> str:
    """The file name a sender gives its ledger, by habit."""
    if pattern == 0:
        return f"{county.sender_short(sender)}{period}{label}"
    if pattern == 1:
        return f"{feed}-{sender}-{period_code}"
    if pattern == 2:
        return f"{county.sender_name(sender)}{label}（{period}）"
    return f"{label}_{sender}_{period_code}"


def title_for(county: County, label: str, sender: str, period: str) -> str:
    """宁乡市花明楼镇2023年第20周隐患排查治理台账, 宁乡市应急管理局2023年5月生产安全事故统计表."""
    name = county.sender_name(sender).removeprefix(county.county_name)
    suffix = "" if label[-1] in "账表录册" else ("统计表" if label.endswith(("事故", "火灾")) else "台账")
    return f"{county.county_name}{name}{period}{label}{suffix}"


class Landing:
    def __init__(self, out: Path, county: County, contracts: dict[str, Contract], seed: int, defect_rate: float):
        self.out, self.county, self.contracts, self.seed = out, county, contracts, seed
        self.defect_rate = defect_rate
        self.manifest = Manifest(out / "_generator" / "defects.csv")
        self.file_defects = FileDefects(defect_rate, seeded(seed, "file-defects"))
        self.row_defects = {f: RowDefects(c, county, defect_rate) for f, c in contracts.items()}
        order_rules(self.row_defects)
        self._enums = {f: [col for col in c.columns if col.type == "enum"] for f, c in contracts.items()}
        self.files: Counter[str] = Counter()
        self.rows: Counter[str] = Counter()
        self.row_kinds: Counter[str] = Counter()  # clean / defective / rejected_file / duplicate_file
        self.resubmissions: list[dict[str, Any]] = []
        self.resent: list[dict[str, Any]] = []
        self.latest = 0.0
        self._paths: set[Path] = set()
        self._now = time.time()

    def close(self) -> None:
        self.manifest.close()

    # ------------------------------------------------------------------ public

    def emit(self, drop: Drop) -> None:
        self._check_columns(drop)
        rng = seeded(self.seed, "file", drop.key)
        reason = self.file_defects.pick()
        if reason in REJECTED:
            rejected = self._write_rejected(drop, reason, rng)
            again = replace(
                drop,
                received=self._later(drop.received, rng, 1, 3),
                key=drop.key + "/resend",
                stem=drop.stem + rng.choice(["（重报）", "_重新上报", "-修正"]),
            )
            self.resent.append(
                {"feed": drop.feed, "rejected": rejected, "reason": reason, "path": self._write(again, rng)}
            )
            return
        if reason is None and rng.random() < CORRECTION_RATE:
            wrong = self._perturb(drop, rng)
            if wrong is not None:
                first_rows, ids, column = wrong
                first = self._write(replace(drop, rows=first_rows, key=drop.key + "/first"), rng)
                later = drop.received + timedelta(hours=rng.randint(2, 40), minutes=rng.randint(0, 59))
                fixed = replace(
                    drop, received=later, stem=drop.stem + rng.choice(["（更正）", "_更正版", "-v2", "（修改）"])
                )
                self.resubmissions.append(
                    {
                        "feed": drop.feed,
                        "sender": drop.sender,
                        "path": self._write(fixed, rng),
                        "supersedes": first,
                        "record_ids": ids,
                        "column": column,
                        "received": later.isoformat(),
                    }
                )
                return
        path = self._write(drop, rng)
        if reason == "duplicate":
            self._duplicate(drop, path, rng)

    # ------------------------------------------------------------------ writing

    def _check_columns(self, drop: Drop) -> None:
        """Simulators build rows by canonical name and pick values by meaning (罚款 carries a fine);
        the contract decides what is written and what is valid. A contract change the simulators do
        not know about fails here rather than writing files whose 'clean' rows are not clean."""
        contract = self.contracts[drop.feed]
        names = set(contract.names)
        for row in drop.rows[:1]:
            unknown = set(row) - names
            missing = {c.name for c in contract.required} - set(row)
            if unknown or missing:
                raise ValueError(
                    f"{drop.feed} generator out of step with its contract: unknown {sorted(unknown)}, "
                    f"missing required {sorted(missing)}"
                )
        for col in self._enums[drop.feed]:
            allowed = set(col.values)
            bad = {row.get(col.name) for row in drop.rows} - allowed - {None}
            if bad:
                raise ValueError(
                    f"{drop.feed}.{col.name}: the generator produced {sorted(bad)}, not in the contract's {col.values}"
                )

    def _path(self, feed: str, sender: str, stem: str, ext: str) -> Path:
        folder = self.out / feed / sender
        folder.mkdir(parents=True, exist_ok=True)
        path, n = folder / f"{stem}{ext}", 1
        while path in self._paths:
            n += 1
            path = folder / f"{stem}({n}){ext}"
        self._paths.add(path)
        return path

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.out).as_posix()

    def _stamp(self, path: Path, received: datetime) -> None:
        epoch = min(received.timestamp(), self._now - 60)  # never a receive time in the future
        os.utime(path, (epoch, epoch))
        self.latest = max(self.latest, epoch)

    def _save(self, path: Path, layout: Layout, style: Style, received: datetime) -> None:
        if style.fmt == "xlsx":
            write_xlsx(path, layout)
        else:
            write_csv(path, layout, style.encoding, style.newline)
        self._stamp(path, received)

    def _layout(
        self,
        drop: Drop,
        style: Style,
        renderer: Renderer,
        marked: list[Marked],
        rng: random.Random,
        columns: list[Column] | None = None,
    ) -> Layout:
        n = len(marked)
        return Layout(
            header=renderer.header(columns),
            rows=[renderer.row(m.row, columns) for m in marked],
            title=drop.title if style.title else None,
            merge_title=style.merge_title,
            blank_after_title=style.blank_after_title and style.title,
            blank_inside=rng.randrange(1, n) if style.blank_inside and n >= 3 else None,
            total=renderer.total([m.row for m in marked], columns) if style.total and n else None,
            blank_before_total=style.blank_before_total,
            sheet_name=rng.choice(["Sheet1", "Sheet1", "台账", "汇总表"]),
            notes=NOTES if style.notes_sheet else [],
        )

    def _write(self, drop: Drop, rng: random.Random) -> str:
        """A normal file (row defects at the configured rate); returns its relative path."""
        contract = self.contracts[drop.feed]
        style = choose_style(self.county.habit(drop.sender), rng)
        marked = self.row_defects[drop.feed].apply(drop.rows, rng)
        renderer = Renderer(self.county, contract, style, rng)
        layout = self._layout(drop, style, renderer, marked, rng)
        path = self._path(drop.feed, drop.sender, drop.stem, "." + style.fmt)
        self._save(path, layout, style, drop.received)
        rel = self._rel(path)
        for m, number in zip(marked, layout.data_row_numbers()):
            if m.rule:
                self.manifest.row(drop.feed, rel, number, m.column, m.rule, m.note)
                self.row_kinds["defective"] += 1
            else:
                self.row_kinds["clean"] += 1
        self.files[drop.feed] += 1
        self.rows[drop.feed] += len(marked)
        return rel

    def _write_rejected(self, drop: Drop, reason: str, rng: random.Random) -> str:
        """A file the pipeline must reject whole; its rows are not row defects."""
        contract = self.contracts[drop.feed]
        style = choose_style(self.county.habit(drop.sender), rng)
        marked = [Marked(r) for r in drop.rows]
        sender, columns = drop.sender, None
        if reason == "unknown_sender":
            sender = rng.choice([s for s in UNKNOWN_SENDERS if s not in self.county.sender_codes])
            note = f"sent under {sender}/ instead of {drop.sender}/"
        elif reason == "missing_columns":
            dropped = rng.choice([c for c in contract.required if c.name != contract.record_id])
            columns = [c for c in contract.columns if c is not dropped]
            note = f"required column {dropped.name} ({dropped.header}) left out"
        elif reason == "no_rows":
            # The title names sender and period: two empty ledgers are never byte-identical.
            marked, note = [], "title and header only"
            style = replace(style, title=True)
        elif reason == "encoding":
            style = replace(style, fmt="csv", encoding="utf-8")
            note = "0xFF bytes in the first data row: neither UTF-8 nor GB18030"
        if reason == "not_a_table":
            marked = []
            kind = rng.choice(["pdf", "random", "docx"])
            path = self._path(drop.feed, sender, drop.stem, ".docx" if kind == "docx" else ".xlsx")
            if kind == "docx":
                _write_docx(path, drop.title or drop.stem)
                note = "a Word document instead of a table"
            else:
                path.write_bytes(
                    pdf_bytes(drop.title or drop.stem) if kind == "pdf" else rng.randbytes(rng.randint(300, 3000))
                )
                note = "a PDF saved as .xlsx" if kind == "pdf" else "random bytes saved as .xlsx"
            self._stamp(path, drop.received)
        else:
            layout = self._layout(drop, style, Renderer(self.county, contract, style, rng), marked, rng, columns)
            path = self._path(drop.feed, sender, drop.stem, "." + style.fmt)
            if reason == "encoding":
                lines = csv_bytes(layout, "utf-8", "\r\n").split(b"\r\n")
                i = layout.data_row_numbers()[0] - 1
                cut = len(lines[i]) // 2
                lines[i] = lines[i][:cut] + b"\xff\xfe\xff" + lines[i][cut:]
                path.write_bytes(b"\r\n".join(lines))
                self._stamp(path, drop.received)
            else:
                self._save(path, layout, style, drop.received)
        rel = self._rel(path)
        self.manifest.file(drop.feed, rel, reason, note)
        self.files[drop.feed] += 1
        self.rows[drop.feed] += len(marked)
        self.row_kinds["rejected_file"] += len(marked)
        return rel

    def _duplicate(self, drop: Drop, rel: str, rng: random.Random) -> None:
        """The same file sent again under another name, a little later."""
        original = self.out / rel
        stem, ext = original.stem, original.suffix
        copy = self._path(drop.feed, drop.sender, stem + rng.choice([" - 副本", "(1)", "_bak", "（再次报送）"]), ext)
        shutil.copyfile(original, copy)
        self._stamp(copy, self._later(drop.received, rng, 0, 3))
        self.manifest.file(drop.feed, self._rel(copy), "duplicate", f"identical copy of {rel}")
        self.files[drop.feed] += 1
        self.rows[drop.feed] += len(drop.rows)
        self.row_kinds["duplicate_file"] += len(drop.rows)

    def _later(self, t: datetime, rng: random.Random, lo: int, hi: int) -> datetime:
        days = rng.randint(lo, hi)
        later = t.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59)) + timedelta(days=days)
        return later if later > t else t + timedelta(hours=rng.randint(1, 5))

    # ------------------------------------------------------------------ corrections

    def _perturb(self, drop: Drop, rng: random.Random) -> tuple[list[dict[str, Any]], list[str], str] | None:
        """The first, slightly wrong version of a file the sender corrects later (still a valid file)."""
        contract = self.contracts[drop.feed]
        related = {contract.record_id}
        for c in contract.columns:
            if c.gte or c.lte or c.positive_when or c.required_when or c.references or c.check or c.type == "township":
                related |= {c.name, c.gte, c.lte, *c.positive_when, *c.required_when}
        # Amounts first: a corrected amount is the commonest correction and cannot change a grade.
        order = {"num": 0, "text": 1, "enum": 2, "int": 3}
        candidates = sorted(
            (
                c
                for c in contract.columns
                if c.name not in related and c.type in order and (c.type != "enum" or len(c.values) > 1)
            ),
            key=lambda c: order[c.type],
        )
        for col in candidates:
            idx = [i for i, r in enumerate(drop.rows) if r.get(col.name) is not None]
            if not idx:
                continue
            rows = [dict(r) for r in drop.rows]
            chosen = rng.sample(idx, min(len(idx), rng.randint(1, 3)))
            for i in chosen:
                rows[i][col.name] = _mistyped(rows[i][col.name], col, rng)
            return rows, [str(rows[i][contract.record_id]) for i in chosen], col.name
        return None


def _mistyped(v: Any, col: Column, rng: random.Random) -> Any:
    if col.type == "num":
        w = round(v * rng.uniform(0.5, 1.8), 2)
        return w if w != v and w > 0 else round(v + 1.0, 2)
    if col.type == "int":
        return v + rng.randint(1, 3)
    if col.type == "enum":
        return rng.choice([x for x in col.values if x != v])
    return v[:-1] if len(v) >= 4 else v + "某"


def _write_docx(path: Path, text: str) -> None:
    import docx  # only needed for this rare defect

    d = docx.Document()
    d.core_properties.created = d.core_properties.modified = datetime(2020, 1, 1)
    d.add_paragraph(text)
    d.add_paragraph("（请见附件表格）")
    buf = io.BytesIO()
    d.save(buf)
    # Re-zip with fixed entry times so the same seed gives the same bytes.
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(
                zipfile.ZipInfo(info.filename, (2020, 1, 1, 0, 0, 0)),
                src.read(info.filename),
                compress_type=zipfile.ZIP_DEFLATED,
            )
