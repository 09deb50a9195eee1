"""Publish one period: read the marts, render the three files, archive the version, mail it.

`safetywh publish` and the Dagster assets both call :func:`publish`, so a scheduled
bulletin, a backfill and a clerk's re-run are made the same way from the data as it stands.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pipelines.lib.bulletin import archive
from pipelines.lib.bulletin.content import build_content
from pipelines.lib.bulletin.fonts import require_chinese_fonts
from pipelines.lib.bulletin.periods import period_info
from pipelines.lib.bulletin.settings import PublicationSettings
from pipelines.lib.profile import Profile, load_profile
from pipelines.lib.readers import open_reader
from warehouse.home import Home


@dataclass
class Publication:
    period: str
    kind: str
    folder: Path
    docx: Path
    pdf: Path
    xlsx: Path
    content_json: Path
    version: archive.Version
    mail: dict[str, Any]
    content: dict[str, Any]

    @property
    def paths(self) -> list[Path]:
        return [self.docx, self.pdf, self.xlsx]


def read_content(
    home: Home, period: str, settings: PublicationSettings, today: dt.date, brief: bool = False
) -> dict[str, Any]:
    """Everything read in one short read-only session: DuckDB lets no writer in while a
    reader is open, so the connection is closed before the (slower) rendering starts."""
    con = open_reader(home)
    try:
        return build_content(con, period, settings, today, brief, home)
    finally:
        con.close()


def fitted_content(home: Home, period: str, kind: str, settings: PublicationSettings, today: dt.date) -> dict[str, Any]:
    """The content, in its brief wording when the full one would not fit the kind's page
    limit (content.MAX_PAGES: a 周通报 is read in five minutes, 4 A4 pages)."""
    from pipelines.lib.bulletin.content import MAX_PAGES
    from pipelines.lib.bulletin.render_pdf import page_count

    content = read_content(home, period, settings, today)
    limit = MAX_PAGES.get(kind)
    if limit is not None and page_count(content, settings.fonts) > limit:
        content = read_content(home, period, settings, today, brief=True)
    return content


def render_all(content: dict[str, Any], settings: PublicationSettings, folder: Path) -> dict[str, Path]:
    from pipelines.lib.bulletin.render_docx import write_docx
    from pipelines.lib.bulletin.render_pdf import write_pdf
    from pipelines.lib.bulletin.render_xlsx import write_xlsx

    stem = content["document"]["file_stem"]
    return {
        "docx": write_docx(content, settings.fonts, folder / f"{stem}.docx"),
        "pdf": write_pdf(content, settings.fonts, folder / f"{stem}.pdf"),
        "xlsx": write_xlsx(content, settings.fonts, folder / f"{stem}.xlsx"),
    }


def publish(
    home: Home, period: str, *, now: dt.datetime | None = None, send_mail: bool = True, profile: Profile | None = None
) -> Publication:
    """Write <home>/publications/<period>/ (latest files, archive/<version>/, manifest.json).

    Raises pipelines.lib.numbers.NumbersError (a Chinese message) for a malformed period or
    one the data does not cover or does not rank, and fonts.MissingChineseFontsError on a
    machine without a Chinese font (before anything is written).
    """
    require_chinese_fonts()
    profile = profile or load_profile()
    settings = PublicationSettings.from_profile(profile)
    now = now or dt.datetime.now(ZoneInfo(profile.timezone)).replace(tzinfo=None, microsecond=0)
    info = period_info(period)
    content = fitted_content(home, info.label, info.kind, settings, now.date())
    folder = home.publications / info.label
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".render-", dir=folder) as scratch:
        staged = render_all(content, settings, Path(scratch))
        version = archive.issue(folder, staged, content, now)
    mail = _mail(profile, content, version, now) if send_mail else {"status": "not_requested"}
    archive.record(folder, version.version_id, mail=mail)
    return Publication(
        period=info.label,
        kind=info.kind,
        folder=folder,
        docx=version.files["docx"],
        pdf=version.files["pdf"],
        xlsx=version.files["xlsx"],
        content_json=version.files["json"],
        version=version,
        mail=mail,
        content=content,
    )


def _mail(profile: Profile, content: dict[str, Any], version: archive.Version, now: dt.datetime) -> dict[str, Any]:
    from pipelines.lib.bulletin.mail import send_publication

    manifest = archive.read_manifest(version.folder)
    already = any(
        v.get("content_sha256") == version.content_sha256 and (v.get("mail") or {}).get("status") == "sent"
        for v in manifest["versions"]
        if v["id"] != version.version_id
    )
    files = [version.archived[fmt] for fmt in ("docx", "pdf", "xlsx")]
    return send_publication(profile, content, files, version.archive_dir / "message.eml", now, already)
