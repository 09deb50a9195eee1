"""Every issued version kept: <home>/publications/<period>/

    2023-W14_宁乡市安全生产周通报.docx|.pdf|.xlsx   the latest version (what is handed out)
    content.json                                     what the latest version says, as data
    manifest.json                                    every version: when, from which data, sha256 of each file
    archive/20230410T140000/…                        each version's files as issued, never overwritten

A version is first written whole into its archive folder, then copied over the latest
files one by one with os.replace, then recorded in the manifest (written the same way),
under a lock so two publishers of one period cannot interleave.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
CONTENT = "content.json"
FORMATS = ("docx", "pdf", "xlsx")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def content_json(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, indent=1)


def content_sha256(content: dict[str, Any]) -> str:
    return hashlib.sha256(content_json(content).encode("utf-8")).hexdigest()


@dataclass
class Version:
    folder: Path  # <home>/publications/<period>
    version_id: str  # 20230410T140000
    number: int  # 1, 2, ...
    files: dict[str, Path]  # format -> the latest copy
    archived: dict[str, Path]  # format -> the archived copy
    content_sha256: str
    same_as_previous: bool
    previous: dict | None = None
    entry: dict = field(default_factory=dict)

    @property
    def archive_dir(self) -> Path:
        return self.folder / "archive" / self.version_id


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if path.exists():
        return json.loads(path.read_text("utf-8"))
    return {"versions": []}


def _write_atomic(target: Path, data: bytes) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def _copy_atomic(source: Path, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def issue(
    folder: Path,
    staged: dict[str, Path],
    content: dict[str, Any],
    issued_at: dt.datetime,
    extra: dict[str, Any] | None = None,
) -> Version:
    """Move the rendered files of ``staged`` (format -> file in a scratch folder) into a new
    archived version of ``folder`` and make them the latest."""
    with _locked(folder):
        manifest = read_manifest(folder)
        previous = manifest["versions"][-1] if manifest["versions"] else None
        version_id = issued_at.strftime("%Y%m%dT%H%M%S")
        archive_root = folder / "archive"
        archive_root.mkdir(exist_ok=True)
        suffix = 1
        while (archive_root / version_id).exists():  # two versions in one second
            suffix += 1
            version_id = f"{issued_at:%Y%m%dT%H%M%S}-{suffix}"
        target = archive_root / version_id
        scratch = archive_root / f".{version_id}.tmp"
        scratch.mkdir()
        for path in staged.values():
            shutil.move(str(path), scratch / path.name)
        digest = content_sha256(content)
        (scratch / CONTENT).write_text(content_json(content), "utf-8")
        os.replace(scratch, target)
        archived = {fmt: target / path.name for fmt, path in staged.items()}
        archived["json"] = target / CONTENT

        latest = {}
        for fmt, path in archived.items():
            latest[fmt] = folder / path.name
            _copy_atomic(path, latest[fmt])

        entry = {
            "version": len(manifest["versions"]) + 1,
            "id": version_id,
            "issued_at": issued_at.isoformat(timespec="seconds"),
            "data_as_of": content["period"]["as_of"],
            "period_complete": content["period"]["is_complete"],
            "doc_number": content["document"]["doc_number"],
            "content_sha256": digest,
            "same_as_previous": bool(previous and previous.get("content_sha256") == digest),
            "files": {
                fmt: {
                    "name": path.name,
                    "path": str(path.relative_to(folder)),
                    "sha256": sha256_file(path),
                    "bytes": path.stat().st_size,
                }
                for fmt, path in archived.items()
            },
            **(extra or {}),
        }
        manifest.update(
            {
                "period": content["period"]["label"],
                "kind": content["document"]["kind_cn"],
                "title": content["document"]["title"],
                "latest": version_id,
            }
        )
        manifest["versions"].append(entry)
        _write_atomic(folder / MANIFEST, (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        return Version(
            folder, version_id, entry["version"], latest, archived, digest, entry["same_as_previous"], previous, entry
        )


def record(folder: Path, version_id: str, **fields: Any) -> None:
    """Add fields (e.g. the e-mail outcome) to one version's manifest entry."""
    with _locked(folder):
        manifest = read_manifest(folder)
        for entry in manifest["versions"]:
            if entry["id"] == version_id:
                entry.update(fields)
        _write_atomic(folder / MANIFEST, (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
