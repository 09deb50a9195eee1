"""The two example files of shared/domain/examples, shaped as senders send them, load as a
clerk would read them."""

import datetime as dt
import shutil

import pytest

from pipelines.paths import REPO_ROOT

EXAMPLES = REPO_ROOT.parent / "shared" / "domain" / "examples"
pytestmark = pytest.mark.skipif(not EXAMPLES.is_dir(), reason="shared/domain/examples is not beside the clone")


def test_examples_load(tmp_path, ingest):
    landing = tmp_path / "landing"
    (landing / "accidents" / "YJJ").mkdir(parents=True)
    (landing / "hazards" / "430182102").mkdir(parents=True)
    shutil.copy(EXAMPLES / "accidents-YJJ-2023-05.csv", landing / "accidents" / "YJJ")
    shutil.copy(EXAMPLES / "hazards-430182102-2023W20.xlsx", landing / "hazards" / "430182102")
    con, _ = ingest()
    files = con.execute(
        "SELECT feed, encoding, header_row, rows_total, rows_loaded, rows_quarantined, rows_skipped "
        "FROM meta.files ORDER BY feed"
    ).fetchall()
    # accidents: GBK, title row 1, header row 2, two accidents, the 合计 row skipped
    # hazards: title, header, three hazards, a blank row and the 合计 row skipped
    assert files == [("accidents", "gb18030", 2, 4, 2, 0, 2), ("hazards", None, 2, 6, 3, 0, 3)]
    assert con.execute(
        "SELECT accident_id, occurred_at, township, deaths, serious_injuries, direct_loss_10k_cny "
        "FROM raw.accidents ORDER BY 1"
    ).fetchall() == [
        ("SG-EX-0501", dt.datetime(2023, 5, 8, 10, 20), "430182117", 1, 0, 45.0),
        ("SG-EX-0502", dt.datetime(2023, 5, 21, 16, 5), "430182105", 0, 2, 1050.0),  # old code, full-width, 1,050
    ]
    assert con.execute("SELECT hazard_id, found_on, township, rectified_on FROM raw.hazards ORDER BY 1").fetchall() == [
        ("HML-2023-0298", dt.date(2023, 5, 2), "430182102", dt.date(2023, 5, 8)),
        ("HML-2023-0311", dt.date(2023, 5, 15), "430182102", dt.date(2023, 5, 18)),
        ("HML-2023-0312", dt.date(2023, 5, 16), "430182102", None),
    ]
