"""A small hand-made warehouse for checking the numbers (issue "The numbers").

Every figure test_numbers.py asserts was computed by hand from the records below; the
records are kept as *files* (feed, sender folder, received time, rows in canonical
column names, township as its code, plus how many rows of the file were quarantined),
so the same data can be written straight into the raw tables (``write_dataset``) or,
by a later test, turned into real ledger files for the ingestion pipeline (``FILES``).

Townships that carry data (the other 23 of the profile have none at all):
    T1 430182001 玉潭街道   T2 430182002 白马桥街道   T3 430182003 历经铺街道
    T4 430182004 城郊街道   T5 430182101 道林镇       T6 430182102 花明楼镇

Every file's content differs from the sender's previous file (an identical resubmission
would be a duplicate and load nothing through the real pipeline).

Coverage: the earliest fact is a drill on 2022-01-03 and the latest a flood transfer on
2023-04-30, so the scoreboard runs 2022-01-01 .. 2023-04-30; the first township file
(T1, 2023-03-20) makes townships rank from 2023-01-01.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

T1, T2, T3, T4, T5, T6 = "430182001", "430182002", "430182003", "430182004", "430182101", "430182102"
DATA_TOWNSHIPS = (T1, T2, T3, T4, T5, T6)


def _uscc(seq: int) -> str:
    """A valid unified social credit code (GB 32100-2015 check character)."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    body = f"914301820MA4L{seq:04d}"[:17]
    total = sum(alphabet.index(ch) * w for ch, w in zip(body, weights))
    return body + alphabet[(31 - total % 31) % 31]


def _ric(seq: int) -> str:
    """A valid resident identity number (GB 11643-1999 check character)."""
    body = f"43012419800101{seq:03d}"
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(int(ch) * w for ch, w in zip(body, weights))
    return body + "10X98765432"[total % 11]


E1, E2, E3, E4 = (_uscc(i) for i in (1, 2, 3, 4))


def d(text: str) -> date:
    return date.fromisoformat(text)


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass
class FixtureFile:
    file_id: int
    feed: str
    sender_code: str
    received_at: datetime
    rows: list[dict[str, Any]] = field(default_factory=list)
    quarantined: int = 0  # further rows of the file that broke a rule
    status: str = "loaded"  # loaded | rejected | duplicate
    rejected_rows: int = 0  # rows of a rejected file (all skipped)

    @property
    def path(self) -> str:
        return f"{self.feed}/{self.sender_code}/{self.received_at:%Y%m%d%H%M%S}-{self.file_id}.csv"


# ---- records (latest versions unless noted) -------------------------------------------


def _accident(aid, at, township, sector, deaths, injuries, loss, kind="其他伤害", code=None):
    return {
        "accident_id": aid,
        "occurred_at": ts(at),
        "township": township,
        "sector": sector,
        "credit_code": code,
        "accident_type": kind,
        "deaths": deaths,
        "serious_injuries": injuries,
        "direct_loss_10k_cny": loss,
        "summary": None,
    }


ACCIDENTS_2022 = [
    _accident("A22-1", "2022-02-10 09:00", T1, "建筑施工", 1, 0, 50.0, "高处坠落"),
    _accident("A22-2", "2022-03-15 14:00", T2, "交通运输", 2, 1, 100.0, "车辆伤害"),
    _accident("A22-3", "2022-04-05 10:00", T3, "建筑施工", 0, 2, 20.0, "物体打击"),
    _accident("A22-4", "2022-06-20 16:00", T1, "燃气", 1, 0, 30.0, "其他爆炸"),
    _accident("A22-5", "2022-11-02 08:00", T4, "工贸其他", 0, 0, 10.0, "机械伤害"),
]
A23_1_FIRST = _accident("A23-1", "2023-01-15 10:00", T1, "建筑施工", 0, 0, 80.0, "高处坠落")
A23_1 = _accident("A23-1", "2023-01-15 10:00", T1, "建筑施工", 1, 0, 80.0, "高处坠落")  # died within 30 days
A23_2 = _accident("A23-2", "2023-02-20 11:00", T2, "特种设备", 0, 1, 5.0, "起重伤害")  # sector without 2022 accident
A23_3 = _accident("A23-3", "2023-04-04 09:30", T3, "建筑施工", 3, 0, 200.0, "坍塌")  # 3 deaths: 较大
A23_4 = _accident("A23-4", "2023-04-05 15:00", T4, "交通运输", 2, 9, 999.99, "车辆伤害")  # 2 / 9 / 999.99: 一般
A23_5 = _accident("A23-5", "2023-04-12 13:00", T1, "燃气", 0, 0, 1000.0, "其他爆炸", E1)  # 1000 万元: 较大


def _fire(fid, at, township, burned, damaged, deaths=0, injuries=0, cause="农事用火"):
    return {
        "fire_id": fid,
        "started_at": ts(at),
        "township": township,
        "burned_area_ha": burned,
        "damaged_forest_ha": damaged,
        "deaths": deaths,
        "serious_injuries": injuries,
        "cause": cause,
    }


F22_1 = _fire("F22-1", "2022-03-20 13:00", T5, 3.0, 2.0)  # 较大 (LY)
F23_1 = _fire("F23-1", "2023-02-10 14:00", T6, 1.5, 0.99)  # 0.99 ha: 一般
F23_2 = _fire("F23-2", "2023-04-06 15:00", T5, 2.0, 1.0, cause="祭祀用火")  # 1 ha: 较大 -> veto T5
F23_3 = _fire("F23-3", "2023-04-20 12:00", T6, 10.0, 0.5)  # 一般


def _hazard(hid, found, township, level, deadline, rectified=None, supervised="否", code=None, funds=None):
    return {
        "hazard_id": hid,
        "found_on": d(found),
        "township": township,
        "credit_code": code,
        "level": level,
        "description": f"隐患{hid}",
        "deadline": d(deadline),
        "rectified_on": d(rectified) if rectified else None,
        "responsible_person": "张三",
        "phone": "13800000000",
        "is_supervised": supervised,
        "funds_10k_cny": funds,
    }


H22_1 = _hazard("H22-1", "2022-03-01", T2, "重大", "2022-03-31", "2022-03-25", "是", E2)
H1_1_OPEN = _hazard("H1-1", "2023-03-28", T1, "一般", "2023-04-05")
H1_1 = _hazard("H1-1", "2023-03-28", T1, "一般", "2023-04-05", "2023-04-04")
H1_2_OPEN = _hazard("H1-2", "2023-03-30", T1, "一般", "2023-04-07")
H1_2 = _hazard("H1-2", "2023-03-30", T1, "一般", "2023-04-07", "2023-04-10")  # late
H1_3_EARLY = _hazard("H1-3", "2023-02-01", T1, "重大", "2023-03-31", None, "是", E1)
H1_3 = _hazard("H1-3", "2023-02-01", T1, "重大", "2023-03-31", None, "是", E1, 12.0)  # open, overdue
H1_4 = _hazard("H1-4", "2023-01-05", T1, "一般", "2023-01-20", "2023-01-18")
H1_5 = _hazard("H1-5", "2023-01-10", T1, "重大", "2023-02-10", "2023-02-08", "是", E1)
H2_1 = _hazard("H2-1", "2023-04-03", T2, "重大", "2023-04-09", None, "否", E2)  # due on end(W14)
H2_1_FUNDED = _hazard("H2-1", "2023-04-03", T2, "重大", "2023-04-09", None, "否", E2, 8.0)
H2_2_OPEN = _hazard("H2-2", "2023-04-03", T2, "一般", "2023-04-06")
H2_2 = _hazard("H2-2", "2023-04-03", T2, "一般", "2023-04-06", "2023-04-06")
H2_3_OPEN = _hazard("H2-3", "2023-04-03", T2, "一般", "2023-04-08")
H2_3 = _hazard("H2-3", "2023-04-03", T2, "一般", "2023-04-08", "2023-04-08")
H3_1 = _hazard("H3-1", "2023-03-01", T3, "一般", "2023-04-15", None, "是", E3)  # supervised, not major
H4_2 = _hazard("H4-2", "2023-04-03", T4, "一般", "2023-04-14", "2023-04-12")  # sent by ZJJ
H4_3 = _hazard("H4-3", "2023-03-20", T4, "一般", "2023-05-20")
H6_1_OPEN = _hazard("H6-1", "2022-11-10", T6, "重大", "2022-12-10", None, "否", E4)
H6_1 = _hazard("H6-1", "2022-11-10", T6, "重大", "2022-12-10", "2023-04-20", "否", E4)

T1_HAZARDS_MID_MARCH = [H1_4, H1_5, H1_3_EARLY]
T1_HAZARDS_MARCH = [H1_4, H1_5, H1_3]
T1_HAZARDS_APR3 = [H1_1_OPEN, H1_2_OPEN, H1_3, H1_4, H1_5]
T1_HAZARDS_FINAL = [H1_1, H1_2, H1_3, H1_4, H1_5]
T2_HAZARDS_FIRST = [H2_1, H2_2_OPEN, H2_3_OPEN]
T2_HAZARDS_APR10 = [H2_1, H2_2, H2_3]
T2_HAZARDS_FINAL = [H2_1_FUNDED, H2_2, H2_3]


def _inspection(iid, on, township, action, fine=None, code=E1, found=0):
    return {
        "inspection_id": iid,
        "inspected_on": d(on),
        "township": township,
        "credit_code": code,
        "hazards_found": found,
        "action": action,
        "fine_10k_cny": fine,
    }


INSPECTIONS = [
    _inspection("I22-1", "2022-03-10", T1, "罚款", 1.0),
    _inspection("I22-2", "2022-04-09", T2, "无", code=E2),
    _inspection("I1", "2023-01-10", T1, "警告"),
    _inspection("I2", "2023-02-15", T2, "罚款", 1.5, E2),
    _inspection("I3", "2023-03-28", T2, "责令改正", code=E2),
    _inspection("I4", "2023-04-04", T1, "警告"),
    _inspection("I5", "2023-04-04", T2, "罚款", 2.5, E2),
    _inspection("I6", "2023-04-06", T2, "责令改正", code=E2),
    _inspection("I7", "2023-04-05", T3, "停产整顿", code=E3),
    _inspection("I8", "2023-04-06", T3, "无", code=E3),
    _inspection("I9", "2023-04-07", T3, "移送司法", code=E3),
    _inspection("I10", "2023-04-07", T6, "关闭取缔", code=E4),
]
I11 = _inspection("I11", "2023-04-11", T4, "罚款", 0.8, E3)


def _relief(rid, township, kind, affected, hardship, relieved=None, seq=1, amount=None):
    return {
        "relief_id": rid,
        "township": township,
        "disaster_type": kind,
        "affected_on": d(affected),
        "person_name": "李四",
        "id_number": _ric(seq),
        "in_hardship": hardship,
        "relieved_on": d(relieved) if relieved else None,
        "amount_cny": amount,
    }


RELIEF_2022 = [
    _relief("R22-1", T1, "洪涝", "2022-03-01", "是", "2022-03-20", 1, 2000.0),
    _relief("R22-2", T2, "洪涝", "2022-03-05", "是", "2022-04-15", 2, 2000.0),
    _relief("R22-3", T3, "其他", "2022-06-01", "是", None, 3),
    _relief("R22-4", T4, "干旱", "2022-08-01", "否", None, 4),
]
R23_1 = _relief("R23-1", T1, "洪涝", "2023-03-10", "是", "2023-03-25", 5, 1500.0)
R23_2_OPEN = _relief("R23-2", T2, "洪涝", "2023-03-12", "是", None, 6)
R23_2 = _relief("R23-2", T2, "洪涝", "2023-03-12", "是", "2023-04-12", 6, 1500.0)
R23_3 = _relief("R23-3", T6, "风雹", "2023-04-02", "是", "2023-04-05", 7, 800.0)
R23_4 = _relief("R23-4", T6, "风雹", "2023-04-02", "否", None, 8)

TEAMS = [
    {"team_id": "TM1", "name": "玉潭街道综合应急救援队", "team_type": "综合", "township": T1, "members": 20},
    {"team_id": "TM2", "name": "白马桥专业救援队", "team_type": "专业", "township": T2, "members": 12},
    {"team_id": "TM3", "name": "宁乡蓝天救援队", "team_type": "社会应急力量", "township": None, "members": 30},
    {"team_id": "TM4", "name": "城郊街道综合应急救援队", "team_type": "综合", "township": T4, "members": 15},
    {"team_id": "TM5", "name": "花明楼镇综合应急救援队", "team_type": "综合", "township": T6, "members": 18},
]


def _drill(did, on, team, township, kind="演练", people=10):
    return {
        "drill_id": did,
        "held_on": d(on),
        "team_id": team,
        "township": township,
        "kind": kind,
        "subject": "综合演练",
        "participants": people,
    }


D22_1 = _drill("D22-1", "2022-04-09", "TM2", T2)  # 366 days before 2023-04-09
D22_2 = _drill("D22-2", "2022-04-10", "TM1", T1, "培训")  # exactly 365 days ending 2023-04-09
D23_1 = _drill("D23-1", "2023-02-15", "TM1", T1)
D23_2 = _drill("D23-2", "2023-04-05", "TM3", T3)
D23_3 = _drill("D23-3", "2023-04-09", "TM4", T4, "培训")
D23_4 = _drill("D23-4", "2023-01-20", "TM1", T1, "培训")
T6_OLD_DRILLS = [_drill(f"D-T6-{i}", f"2022-01-0{i + 2}", "TM5", T6) for i in range(1, 6)]


def _depot(township, status, completed=None, kinds=10, count=500):
    return {
        "township": township,
        "status": status,
        "completed_on": d(completed) if completed else None,
        "item_kinds": kinds,
        "item_count": count,
    }


DEPOTS_FIRST = [
    _depot(T1, "已建成", "2021-06-01"),
    _depot(T2, "在建"),
    _depot(T3, "在建"),
    _depot(T4, "在建"),
    _depot(T5, "已建成", "2020-05-01"),
    _depot(T6, "未建", kinds=0, count=0),
]
DEPOT_T2 = _depot(T2, "已建成", "2023-04-09")
DEPOT_T4 = _depot(T4, "已建成", "2023-04-10")


def _plan(pid, owner, township, kind, issued, filed=None):
    return {
        "plan_id": pid,
        "owner_unit": owner,
        "township": township,
        "plan_type": kind,
        "issued_on": d(issued),
        "filed_on": d(filed) if filed else None,
    }


P1 = _plan("P1", "玉潭街道办事处", T1, "总体", "2022-04-01", "2022-05-01")
P2 = _plan("P2", "白马桥街道办事处", T2, "总体", "2023-03-01")
P3 = _plan("P3", "城郊街道办事处", T4, "专项", "2023-01-15", "2023-02-01")
P4_OPEN = _plan("P4", "花明楼镇人民政府", T6, "总体", "2023-03-20")
P4 = _plan("P4", "花明楼镇人民政府", T6, "总体", "2023-03-20", "2023-04-09")
P5 = _plan("P5", "宁乡市应急管理局", None, "专项", "2023-01-10", "2023-02-01")
P6 = _plan("P6", "宁乡市住房和城乡建设局", None, "部门", "2023-04-20")

ENTERPRISES = [
    {
        "credit_code": E1,
        "name": "宁乡甲化工有限公司",
        "township": T1,
        "sector": "危险化学品",
        "risk_level": "红",
        "is_high_risk": "是",
        "dual_prevention": "已建立",
        "updated_on": d("2023-01-04"),
    },
    {
        "credit_code": E2,
        "name": "宁乡乙烟花制造有限公司",
        "township": T2,
        "sector": "烟花爆竹",
        "risk_level": "橙",
        "is_high_risk": "是",
        "dual_prevention": "未建立",
        "updated_on": d("2023-01-04"),
    },
    {
        "credit_code": E3,
        "name": "宁乡丙建筑工程有限公司",
        "township": T3,
        "sector": "建筑施工",
        "risk_level": "黄",
        "is_high_risk": "否",
        "dual_prevention": "未建立",
        "updated_on": d("2023-01-04"),
    },
    {
        "credit_code": E4,
        "name": "宁乡丁矿业有限公司",
        "township": T6,
        "sector": "非煤矿山",
        "risk_level": "红",
        "is_high_risk": "是",
        "dual_prevention": "已建立",
        "updated_on": d("2023-01-04"),
    },
]


def _transfer(tid, on, township, level, people):
    return {
        "transfer_id": tid,
        "transferred_on": d(on),
        "township": township,
        "warning_level": level,
        "people_transferred": people,
    }


FT22_1 = _transfer("FT22-1", "2022-04-01", T2, "黄", 30)
FT23_1 = _transfer("FT23-1", "2023-04-08", T1, "橙", 120)
FT23_2 = _transfer("FT23-2", "2023-04-30", T2, "蓝", 40)


def _f(file_id, feed, sender, received, rows, quarantined=0, status="loaded", rejected_rows=0):
    return FixtureFile(file_id, feed, sender, ts(received), list(rows), quarantined, status, rejected_rows)


FILES: list[FixtureFile] = [
    # departments: history and registers
    _f(1, "enterprises", "YJJ", "2023-01-05 09:00", ENTERPRISES),
    _f(2, "accidents", "YJJ", "2023-01-05 10:00", ACCIDENTS_2022),
    _f(3, "hazards", "YJJ", "2023-01-05 11:00", [H22_1]),
    _f(4, "relief", "YJJ", "2023-01-05 12:00", RELIEF_2022),
    _f(5, "forest_fires", "LYJ", "2023-01-06 09:00", [F22_1]),
    _f(6, "flood_transfers", "SLJ", "2023-01-06 10:00", [FT22_1]),
    _f(7, "inspections", "ZFDD", "2023-01-06 11:00", INSPECTIONS[:2]),
    _f(8, "rescue_teams", "YJJ", "2023-01-06 12:00", TEAMS),
    _f(9, "reserve_depots", "YJJ", "2023-01-06 13:00", DEPOTS_FIRST),
    _f(10, "plans", "YJJ", "2023-01-06 14:00", [P1]),
    _f(11, "drills", "XFJY", "2023-01-06 15:00", [D22_1, D22_2]),
    _f(12, "accidents", "YJJ", "2023-01-16 09:00", [A23_1_FIRST]),
    _f(13, "accidents", "YJJ", "2023-02-21 09:00", [A23_1, A23_2]),
    _f(14, "forest_fires", "LYJ", "2023-02-11 09:00", [F23_1]),
    _f(15, "drills", "XFJY", "2023-02-16 09:00", [D23_4, D23_1]),
    _f(16, "plans", "YJJ", "2023-03-21 09:00", [P1, P2, P3, P5, P4_OPEN]),
    _f(17, "relief", "YJJ", "2023-04-01 09:00", [R23_1, R23_2_OPEN]),
    # township hazards ledgers (weekly, due Monday 12:00)
    _f(18, "hazards", T1, "2023-03-20 11:00", T1_HAZARDS_MID_MARCH),  # W11 window: on time
    _f(19, "hazards", T1, "2023-03-27 09:00", T1_HAZARDS_MARCH),  # W12: on time
    _f(20, "hazards", T4, "2023-03-27 12:00:00", [H4_3]),  # W12: on time (deadline included)
    _f(21, "hazards", T6, "2023-04-02 18:00", [H6_1_OPEN]),  # W13: early, on time
    _f(22, "hazards", T1, "2023-04-03 10:00", T1_HAZARDS_APR3),  # W13: on time
    _f(23, "hazards", T2, "2023-04-03 12:00:00", T2_HAZARDS_FIRST, quarantined=1),  # W13: on time
    _f(24, "hazards", T3, "2023-04-03 12:00:01", [H3_1]),  # one second late: counts for W14
    _f(25, "accidents", "YJJ", "2023-04-05 18:00", [A23_1, A23_2, A23_3, A23_4]),
    _f(26, "drills", T3, "2023-04-05 20:00", [D23_2], quarantined=1),
    _f(27, "drills", T6, "2023-04-06 10:00", T6_OLD_DRILLS, quarantined=1),
    _f(28, "forest_fires", "LYJ", "2023-04-06 20:00", [F22_1, F23_1, F23_2]),
    _f(29, "inspections", "ZFDD", "2023-04-09 20:00", INSPECTIONS),
    _f(30, "relief", "YJJ", "2023-04-09 21:00", [R23_1, R23_2_OPEN, R23_3, R23_4]),
    _f(31, "flood_transfers", "SLJ", "2023-04-09 22:00", [FT23_1]),
    _f(32, "plans", "YJJ", "2023-04-09 23:00", [P1, P2, P3, P4, P5]),
    _f(33, "reserve_depots", "YJJ", "2023-04-09 23:30", [DEPOT_T2]),
    _f(34, "drills", T4, "2023-04-10 08:00", [D23_3]),
    _f(35, "hazards", T4, "2023-04-10 09:00", [], status="rejected", rejected_rows=4),  # W14: sent
    _f(36, "hazards", T2, "2023-04-10 10:00", T2_HAZARDS_APR10),  # W14: on time
    _f(37, "hazards", T1, "2023-04-10 11:00", T1_HAZARDS_FINAL),  # W14: on time
    _f(38, "reserve_depots", "YJJ", "2023-04-10 15:00", [DEPOT_T4]),
    _f(39, "inspections", "ZFDD", "2023-04-11 18:00", [I11]),
    _f(40, "hazards", "ZJJ", "2023-04-12 09:00", [H4_2]),
    _f(41, "accidents", "YJJ", "2023-04-12 20:00", [A23_5]),
    _f(42, "relief", "YJJ", "2023-04-12 18:00", [R23_2]),
    _f(43, "hazards", T1, "2023-04-17 13:00", T1_HAZARDS_FINAL, quarantined=1),  # W15 missed; W16 on time
    _f(44, "forest_fires", "LYJ", "2023-04-20 20:00", [F23_3]),
    _f(45, "plans", "YJJ", "2023-04-20 21:00", [P6]),
    _f(46, "hazards", T6, "2023-04-24 11:00", [H6_1]),  # W16: on time
    _f(47, "hazards", T2, "2023-04-24 12:00:00", T2_HAZARDS_FINAL),  # W16: on time
    _f(48, "flood_transfers", "SLJ", "2023-04-30 20:00", [FT23_2]),
]


def write_dataset(con: duckdb.DuckDBPyConnection, files: list[FixtureFile] | None = None) -> None:
    """INSERT the files' rows into raw.<feed> (with audit columns) and the files into meta.files."""
    from pipelines.lib.contracts import load_contracts

    contracts = load_contracts()
    for f in files if files is not None else FILES:
        sha = f"{f.file_id:064x}"
        loaded = len(f.rows) if f.status == "loaded" else 0
        quarantined = f.quarantined if f.status == "loaded" else 0
        skipped = f.rejected_rows if f.status != "loaded" else 0
        con.execute(
            """INSERT INTO meta.files (file_id, path, feed, sender_code, sha256, size_bytes, mtime_ns,
                   received_at, loaded_at, run_id, status, file_format, encoding, header_row,
                   rows_total, rows_loaded, rows_quarantined, rows_skipped, reject_code, reason, duplicate_of)
               VALUES (?, ?, ?, ?, ?, 1000, 0, ?, ?, 'fixture', ?, 'csv', 'utf-8', 1, ?, ?, ?, ?, ?, ?, NULL)""",
            [
                f.file_id,
                f.path,
                f.feed,
                f.sender_code,
                sha,
                f.received_at,
                f.received_at,
                f.status,
                loaded + quarantined + skipped,
                loaded,
                quarantined,
                skipped,
                "missing_columns" if f.status == "rejected" else None,
                "缺少必需的列" if f.status == "rejected" else None,
            ],
        )
        if f.status != "loaded":
            continue
        columns = [c.name for c in contracts[f.feed].columns]
        audit = [
            "_file_id",
            "_source_path",
            "_file_sha256",
            "_row_number",
            "_sender_code",
            "_received_at",
            "_loaded_at",
            "_run_id",
        ]
        names = ", ".join(f'"{c}"' for c in columns + audit)
        marks = ", ".join("?" for _ in columns + audit)
        for i, row in enumerate(f.rows):
            unknown = set(row) - set(columns)
            assert not unknown, f"{f.feed}: unknown columns {unknown}"
            values = [row.get(c) for c in columns]
            values += [f.file_id, f.path, sha, i + 3, f.sender_code, f.received_at, f.received_at, "fixture"]
            con.execute(f"INSERT INTO raw.{f.feed} ({names}) VALUES ({marks})", values)


def build_warehouse(path: Path, files: list[FixtureFile] | None = None) -> Path:
    """Create the layout, the county profile's ref tables and the data set in a new DuckDB file."""
    from pipelines.lib.profile import load_profile
    from pipelines.lib.reference import write_reference_tables
    from warehouse.layout import connect

    con = connect(path)
    try:
        write_reference_tables(con, load_profile())
        write_dataset(con, files)
    finally:
        con.close()
    return path


# ---- the same data as ledger files, for the real ingestion pipeline --------------------

# One broken row per quarantined row of a file: each breaks exactly one rule of feeds.md.
_BAD_ROWS: dict[str, dict[str, Any]] = {
    "hazards": {**_hazard("H-BAD", "2023-03-01", T1, "一般", "2023-03-10"), "level": "特大"},  # enum
    "drills": {**_drill("D-BAD", "2023-02-01", "TM1", T1), "participants": 0},  # range (> 0)
}


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return value


def write_landing(landing: Path, files: list[FixtureFile] | None = None) -> list[Path]:
    """Write every file as a UTF-8 CSV ledger (Chinese headers) at landing/<feed>/<sender>/...,
    with its quarantined rows as broken rows, a rejected file without its 整改期限 column, and
    the file's modification time = its received time (Asia/Shanghai)."""
    from pipelines.lib.contracts import get_contract
    from tests.ledgers import write_csv

    written = []
    for f in files if files is not None else FILES:
        columns = get_contract(f.feed).columns
        if f.status == "rejected":
            columns = [c for c in columns if c.name != "deadline"]
            rows = [
                _hazard(f"H-REJ-{i}", "2023-04-03", f.sender_code, "一般", "2023-04-20") for i in range(f.rejected_rows)
            ]
        else:
            bad = [{**_BAD_ROWS[f.feed], _record_id(f.feed): f"BAD-{f.file_id}-{i}"} for i in range(f.quarantined)]
            rows = [*f.rows, *bad]
        table = [[_cell(row.get(c.name)) for c in columns] for row in rows]
        written.append(write_csv(landing / f.path, [c.header for c in columns], table, received=f.received_at))
    return written


def _record_id(feed: str) -> str:
    from pipelines.lib.contracts import get_contract

    return get_contract(feed).record_id
