"""Deterministic generator of the committed sample data (``sample_data/*.json``).

Run ``python -m demo.sample_gen sample_data/`` to (re)write the files. The
same seed always gives byte-identical files. Everything is fictitious: names,
ID numbers, phones, certificates and addresses are drawn at random (from real
formats, region codes, districts and road names, so that the counter's rules
see realistic input) and belong to nobody.

References between files are stable string keys ("P0001", "O01", "H0001",
"F001", "PH0001", "R1"), never database ids; ``demo.sample.load_sample``
maps them to ids.

The public-rental part (``build_allocation``: families F041–F500 and their
persons, the house pool, three rounds with the families' wish lists, confirms
and give-ups, the results of the two rounds that are over, supplementary
applications) is appended after everything else and drawn from a random
stream of its own, so the records before it never change. The results it
records are computed with ``core.allocation.selection.resolve``, the rule the rounds
are run with.

The name pools (``SURNAME_WEIGHTS``, ``given_name_pool``) are shared with the
synthetic bulk generator in ``demo.sample``.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from core.allocation.rounds import FamilyStatus
from core.allocation.selection import (
    HOUSED,
    FamilyInput,
    ResultStatus,
    RoundInput,
    resolve,
)
from core.identity import (
    FEMALE,
    MALE,
    IdKind,
    Region,
    make_credit_code,
    make_foreign_pr_2023,
    make_hk_macao_permit,
    make_hmt_permit,
    make_mobile,
    make_resident_id,
    make_resident_id_15,
    make_taiwan_permit,
)

#: The day the sample describes: ages, minors and authorisation periods are
#: computed against it.
REFERENCE_DAY = date(2026, 11, 21)
SEED = 20261121

#: The files, in the order they are loaded (references point backwards).
FILES: tuple[str, ...] = (
    "operators",
    "persons",
    "person_documents",
    "organisations",
    "org_agents",
    "owner_proxies",
    "homes",
    "home_owners",
    "families",
    "family_members",
    "public_houses",
    "rounds",
    "round_families",
    "supplementary_applications",
)

#: Mobile prefixes the synthetic bulk generator owns; sample phones avoid them
#: so that the two sets can never collide.
SYNTHETIC_PHONE_PREFIXES: tuple[str, ...] = ("166", "198", "199")

# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------

#: Common surnames with their approximate share (per mille) of the population.
SURNAME_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 46), ("杨", 31), ("黄", 25),
    ("赵", 20), ("吴", 20), ("周", 19), ("徐", 17), ("孙", 15), ("马", 14), ("朱", 13),
    ("胡", 13), ("郭", 12), ("何", 12), ("林", 11), ("罗", 11), ("高", 11), ("郑", 9),
    ("梁", 9), ("谢", 8), ("宋", 7), ("唐", 7), ("许", 7), ("韩", 6), ("冯", 6), ("邓", 6),
    ("曹", 6), ("彭", 6), ("曾", 6), ("肖", 6), ("田", 5), ("董", 5), ("袁", 5), ("潘", 5),
    ("于", 5), ("蒋", 5), ("蔡", 5), ("余", 5), ("杜", 5), ("叶", 5), ("程", 4), ("苏", 4),
    ("魏", 4), ("吕", 4), ("丁", 4), ("任", 4), ("沈", 4), ("姚", 4), ("卢", 4), ("姜", 3),
    ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3),
    ("廖", 3), ("贾", 3), ("夏", 3), ("韦", 3), ("付", 3), ("方", 3), ("白", 3), ("邹", 3),
    ("孟", 3), ("熊", 3), ("秦", 3), ("邱", 3), ("江", 3), ("尹", 2), ("薛", 2), ("闫", 2),
    ("段", 2), ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2),
    ("顾", 2), ("毛", 2), ("郝", 2), ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("覃", 2),
    ("武", 2), ("戴", 2), ("孔", 1), ("汤", 1), ("欧阳", 0.5), ("司马", 0.2), ("上官", 0.1),
    ("诸葛", 0.1),
)

#: Given names by generation and sex (one or two characters).
_GIVEN: dict[tuple[str, str], tuple[str, ...]] = {
    ("old", MALE): tuple("建国 建华 国庆 卫东 志刚 德明 国平 保国 振华 金山 福生 长江 世明 树林 荣 华 明 忠 军 海".split()),
    ("old", FEMALE): tuple("秀英 桂兰 玉兰 秀兰 淑珍 凤英 玉珍 桂英 丽华 秀珍 美华 素芬 淑华 玉梅 兰 英 芳 珍 华 琴".split()),
    ("mid", MALE): tuple(
        "伟 强 磊 军 勇 杰 涛 斌 超 鹏 海涛 志勇 晓东 建军 文杰 俊峰 立新 海波 永强 春雷 晓明 卫国 小军 振东 国栋".split()
    ),
    ("mid", FEMALE): tuple(
        "丽 敏 静 艳 芳 娟 霞 燕 丽娟 海燕 晓红 雪梅 丽萍 春梅 小燕 晓敏 慧 红梅 晓燕 玉萍 美玲 秀云 晓丽 春燕".split()
    ),
    ("young", MALE): tuple(
        "浩 宇 鑫 帅 浩然 子豪 宇航 俊杰 思远 嘉伟 天宇 博文 晨 一凡 泽宇 家豪 文轩 明轩 志鹏 昊天 子健 鹏飞 嘉俊".split()
    ),
    ("young", FEMALE): tuple(
        "婷 雪 佳 欣怡 思琪 雨涵 梦瑶 诗琪 嘉欣 雅琪 晓彤 欣然 可欣 佳怡 思雨 婉婷 雨欣 静怡 颖 璐 倩 琳 慧敏 诗雨".split()
    ),
    ("child", MALE): tuple(
        "子轩 梓轩 浩宇 宇轩 皓轩 沐宸 俊熙 睿泽 梓睿 奕辰 宸 一鸣 子墨 锦程 天佑 嘉懿 梓豪 铭泽 思源 宇".split()
    ),
    ("child", FEMALE): tuple(
        "梓涵 一诺 欣怡 雨桐 子涵 语汐 若汐 诗涵 可馨 沐瑶 梓萱 依诺 芷若 思彤 梓琪 雨萱 佳琪 安琪 晨曦 欣妍".split()
    ),
}

_HMT_SURNAMES: dict[Region, tuple[str, ...]] = {
    Region.HONG_KONG: tuple("陈 黄 李 梁 张 林 何 吴 郑 刘 罗 麦 区 谭 冯".split()),
    Region.MACAO: tuple("何 梁 崔 马 黄 陈 区 吴 李 欧阳".split()),
    Region.TAIWAN: tuple("陈 林 黄 张 李 王 吴 刘 蔡 杨 许 郑 谢 洪 郭".split()),
}
_HMT_GIVEN: dict[str, tuple[str, ...]] = {
    MALE: tuple("家豪 志明 伟文 国强 俊杰 浩然 卓谦 家乐 子健 振邦 志豪 俊宏 宗翰 冠宇 嘉俊 永康 建宏 文龙".split()),
    FEMALE: tuple("嘉欣 颖诗 美玲 咏琪 凯琳 婉婷 慧仪 乐怡 雅婷 怡君 淑芬 佩珊 怡婷 惠玲 绮雯 慧敏 宝仪 诗琪".split()),
}


def era_of(birth_year: int) -> str:
    if birth_year < 1965:
        return "old"
    if birth_year < 1985:
        return "mid"
    if birth_year < 2005:
        return "young"
    return "child"


def given_name_pool(era: str, sex: str) -> tuple[str, ...]:
    """Given names typical of a generation ("old", "mid", "young", "child") and sex."""
    return _GIVEN[(era, sex)]


# --------------------------------------------------------------------------
# Places
# --------------------------------------------------------------------------

CITY_LABELS = {"shenzhen": "深圳市", "zhongshan": "中山市", "wuhan": "武汉市"}
PROVINCE_OF_CITY = {"shenzhen": "广东省", "zhongshan": "广东省", "wuhan": "湖北省"}

# district -> (administrative code, [(sub-district 街道, road)], residential estates, office/retail towers)
_DISTRICTS: dict[str, dict[str, tuple[str, list[tuple[str, str]], list[str], list[str]]]] = {
    "shenzhen": {
        "福田区": ("440304",
                 [("华强北街道", "振华路"), ("香蜜湖街道", "香梅路"), ("莲花街道", "景田路"),
                  ("福田街道", "福华三路"), ("沙头街道", "沙嘴路"), ("梅林街道", "梅林路")],
                 ["景田花园", "香蜜新村", "莲花北村", "福华名苑", "金海湾花园", "梅林雅居", "彩田雅苑"],
                 ["鹏程大厦", "福华中心", "华强电子大厦"]),
        "罗湖区": ("440303",
                 [("东门街道", "东门中路"), ("翠竹街道", "翠竹路"), ("黄贝街道", "沿河南路"),
                  ("莲塘街道", "罗沙路"), ("桂园街道", "宝安南路")],
                 ["翠竹苑", "东乐花园", "碧波花园", "莲塘鹏兴花园", "桂园新村", "金湖山庄"],
                 ["国贸商住大厦", "东门商业中心"]),
        "南山区": ("440305",
                 [("粤海街道", "科技园路"), ("南头街道", "南新路"), ("蛇口街道", "工业八路"),
                  ("西丽街道", "留仙大道"), ("沙河街道", "沙河东路"), ("南山街道", "南山大道")],
                 ["海岸城", "科苑花园", "南头城小区", "海月花园", "丽山苑", "沙河世纪村", "南油小区"],
                 ["科兴科学园", "南山软件大厦", "蛇口商务中心"]),
        "宝安区": ("440306",
                 [("新安街道", "宝安大道"), ("西乡街道", "前进二路"), ("福永街道", "福永大道"),
                  ("沙井街道", "新沙路"), ("新桥街道", "新桥东路")],
                 ["宝城花园", "碧海花园", "怀德新村", "金港华庭", "翻身花园"],
                 ["宝安商务大厦"]),
        "龙岗区": ("440307",
                 [("龙城街道", "龙翔大道"), ("布吉街道", "布吉路"), ("坂田街道", "坂雪岗大道"),
                  ("横岗街道", "深惠路"), ("南湾街道", "丹竹头路")],
                 ["龙城中心花园", "三联花园", "万家灯火", "华侨新村", "康桥花园"],
                 ["龙岗天安大厦"]),
        "龙华区": ("440309",
                 [("民治街道", "民治大道"), ("龙华街道", "人民路"), ("大浪街道", "华荣路"),
                  ("观澜街道", "观澜大道")],
                 ["梅龙苑", "清湖花园", "华联花园", "湖畔雅居"],
                 ["龙华汇商中心"]),
    },
    "zhongshan": {
        "石岐区": ("442000", [("", "孙文中路"), ("", "民生路"), ("", "悦来南路"), ("", "莲员东路")],
                 ["华柏花园", "悦来新村", "莲塘小区", "孙文花园"], ["石岐商业大厦"]),
        "东区": ("442000", [("", "中山四路"), ("", "兴中道"), ("", "松苑路"), ("", "长江路")],
                ["紫翠花园", "松苑新村", "雍逸廷", "兴中花园"], ["兴中广场"]),
        "西区": ("442000", [("", "富华道"), ("", "沙朗金沙路"), ("", "彩虹大道")],
                ["富华花园", "金色家园", "彩虹新城"], ["富华商务中心"]),
        "南区": ("442000", [("", "城南二路"), ("", "福涌路"), ("", "永安路")],
                ["城南雅苑", "永安新村", "福涌花园"], []),
        "火炬开发区": ("442000", [("", "中山港大道"), ("", "康乐大道"), ("", "会展东路")],
                  ["海傍花园", "康乐新村", "会展雅居"], ["火炬科创大厦"]),
    },
    "wuhan": {
        "江岸区": ("420102", [("", "解放大道"), ("", "沿江大道"), ("", "黄浦大街"), ("", "台北路")],
                 ["长江苑", "台北花园", "黄浦新村", "江滩雅居"], ["江岸商务大厦"]),
        "江汉区": ("420103", [("", "建设大道"), ("", "新华路"), ("", "青年路"), ("", "唐家墩路")],
                 ["青年城", "新华家园", "唐家墩小区"], ["建设大道金融中心"]),
        "硚口区": ("420104", [("", "中山大道"), ("", "古田二路"), ("", "宝丰路")],
                 ["古田新村", "宝丰花园", "汉正家园"], []),
        "汉阳区": ("420105", [("", "汉阳大道"), ("", "鹦鹉大道"), ("", "龙阳大道"), ("", "墨水湖北路")],
                 ["墨水湖畔", "鹦鹉花园", "龙阳新村"], ["汉阳商贸中心"]),
        "武昌区": ("420106", [("", "中北路"), ("", "武珞路"), ("", "友谊大道"), ("", "和平大道")],
                 ["中北雅苑", "武珞花园", "和平家园", "东湖春晓"], ["中北路商务楼"]),
        "洪山区": ("420111", [("", "珞喻路"), ("", "雄楚大道"), ("", "关山大道"), ("", "民族大道")],
                 ["珞喻东苑", "关山春晓", "雄楚花园"], ["光谷创业大厦"]),
    },
}

# Homes per district share (within a city).
_DISTRICT_WEIGHTS = {
    "shenzhen": {"福田区": 24, "罗湖区": 18, "南山区": 26, "宝安区": 20, "龙岗区": 18, "龙华区": 14},
    "zhongshan": {"石岐区": 24, "东区": 26, "西区": 16, "南区": 12, "火炬开发区": 18},
    "wuhan": {"江岸区": 18, "江汉区": 16, "硚口区": 12, "汉阳区": 14, "武昌区": 20, "洪山区": 18},
}

_WUHAN_SHORT = {"江岸区": "江岸", "江汉区": "江汉", "硚口区": "硚口", "汉阳区": "汉阳", "武昌区": "武昌", "洪山区": "洪山"}

# Region codes of resident IDs: where the holder's number was first issued.
_ID_REGIONS_LOCAL = {
    "shenzhen": ("440301", "440303", "440304", "440305", "440306", "440307"),
    "zhongshan": ("442000",),
    "wuhan": ("420102", "420103", "420104", "420105", "420106", "420111"),
}
_ID_REGIONS_ELSEWHERE = {
    # Guangdong and the provinces most Shenzhen / Zhongshan residents come from
    "shenzhen": ("445281", "441424", "440882", "441781", "440106", "430102", "431021", "360731",
                 "420683", "511321", "410727", "350583", "110105", "310115", "450103"),
    "zhongshan": ("445281", "441424", "440882", "441781", "440106", "450103", "430102", "360731"),
    "wuhan": ("420683", "421023", "420984", "421181", "422801", "430102", "411623", "341221",
              "510104", "610113", "370211", "230103"),
}
#: Every region code the sample puts into an 18-digit resident ID; the
#: synthetic generator stays away from all of them.
SAMPLE_ID_REGION_CODES: frozenset[str] = frozenset(
    itertools.chain(*_ID_REGIONS_LOCAL.values(), *_ID_REGIONS_ELSEWHERE.values())
)

# Urban villages and old estates where public-housing applicants rent.
_RENTED_ADDRESSES = (
    ("福田区", "沙头街道上沙村东十四坊"), ("福田区", "福田街道岗厦村三坊"), ("福田区", "福保街道石厦北二街"),
    ("福田区", "福田街道水围村二巷"), ("南山区", "沙河街道白石洲新塘村"), ("南山区", "粤海街道大冲村"),
    ("南山区", "南头街道田厦村"), ("罗湖区", "笋岗街道田心村"), ("罗湖区", "东晓街道布心村"),
    ("宝安区", "西乡街道固戍村"), ("宝安区", "新安街道上合村"), ("龙岗区", "布吉街道木棉湾村"),
    ("龙岗区", "坂田街道岗头村"), ("龙华区", "民治街道白石龙村"), ("龙华区", "龙华街道清湖村"),
)

_HMT_ADDRESSES = {
    Region.HONG_KONG: (
        "香港特别行政区九龙旺角弥敦道688号旺角中心{n}楼{r}室",
        "香港特别行政区新界沙田美田路33号美城花园{b}座{n}楼{r}室",
        "香港特别行政区港岛北角英皇道633号{n}楼{r}室",
        "香港特别行政区九龙红磡德丰街22号海滨南岸{b}座{n}楼{r}室",
        "香港特别行政区新界荃湾青山公路{b}号荃新天地{n}楼{r}室",
    ),
    Region.MACAO: (
        "澳门特别行政区氹仔布拉干萨街{b}号海洋花园{n}楼{r}座",
        "澳门特别行政区新马路{b}号{n}楼{r}座",
        "澳门特别行政区黑沙环新街{b}号{n}楼{r}座",
    ),
    Region.TAIWAN: (
        "台湾省台北市大安区忠孝东路四段{b}号{n}楼",
        "台湾省高雄市苓雅区四维三路{b}号{n}楼",
        "台湾省台中市西屯区台湾大道三段{b}号{n}楼",
    ),
}

# (nationality, surname, given names, sex, passport pattern)
# Passport patterns for _fill ("#" digit, "@" letter, "X" letter or digit, else literal).
_FOREIGNERS: tuple[tuple[str, str, str, str, str], ...] = (
    ("USA", "SMITH", "JOHN", MALE, "5########"),
    ("USA", "JOHNSON", "EMILY", FEMALE, "A########"),
    ("GBR", "TAYLOR", "OLIVER", MALE, "1########"),
    ("JPN", "TANAKA", "HIROSHI", MALE, "TZ#######"),
    ("JPN", "SATO", "YUKI", FEMALE, "TR#######"),
    ("KOR", "KIM", "MINJUN", MALE, "M########"),
    ("KOR", "PARK", "JIYEON", FEMALE, "M########"),
    ("SGP", "TAN", "WEI MING", MALE, "K#######@"),
    ("CAN", "BROWN", "EMMA", FEMALE, "@@######"),
    ("AUS", "WILSON", "JAMES", MALE, "PA#######"),
    ("DEU", "MUELLER", "ANNA", FEMALE, "C#XXXXXXX"),
    ("FRA", "MARTIN", "CLAIRE", FEMALE, "##@@#####"),
)
_DEU_PASSPORT_CHARS = "CFGHJKLMNPRTVWXYZ0123456789"

_BLACKLIST_REASONS = (
    "法院失信被执行人",
    "法院失信被执行人（限制消费令）",
    "提供虚假购房资格材料，三年内暂停网签",
    "司法机关协助执行：限制不动产交易",
)

_OPERATORS: tuple[dict[str, Any], ...] = (
    {"username": "clerk1", "name": "李晓敏", "role": "clerk", "window": "03", "password": "Demo2026clerk1"},
    {"username": "clerk2", "name": "王志强", "role": "clerk", "window": "05", "password": "Demo2026clerk2"},
    {"username": "super1", "name": "陈国华", "role": "supervisor", "window": None, "password": "Demo2026super1"},
    {"username": "admin", "name": "张建军", "role": "admin", "window": None, "password": "Demo2026admin"},
    # Not the hall's staff: made through the presale services by demo.presale (load_register
    # leaves them out): the developer's administrator and two operators, the supervising bank's reviewer,
    # the provident-fund centre's reviewer.
    {"username": "xjadmin", "name": "周建平", "role": "developer_admin", "window": None, "password": "Demo2026xjadmin",
     "phone": "13975100101"},
    {"username": "xj01", "name": "刘芳", "role": "developer", "window": None, "password": "Demo2026xj01",
     "phone": "13975100102"},
    {"username": "xj02", "name": "谭伟", "role": "developer", "window": None, "password": "Demo2026xj02",
     "phone": "13975100103"},
    {"username": "bank01", "name": "彭丽", "role": "bank_reviewer", "window": None, "password": "Demo2026bank01",
     "bank": "中国建设银行"},
    {"username": "gjj01", "name": "罗静", "role": "centre_reviewer", "window": None, "password": "Demo2026gjj01",
     "bank": "长沙住房公积金管理中心"},
)

# (key, name, city, credit-code region, address, kind of premises it owns)
_ORGANISATIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("深圳市鹏城置业发展有限公司", "shenzhen", "440304", "深圳市福田区福田街道福华三路88号鹏程大厦2101", "office"),
    ("深圳市福田区城市建设投资集团有限公司", "shenzhen", "440304", "深圳市福田区莲花街道景田路36号", "office"),
    ("鹏城银行股份有限公司深圳香蜜湖支行", "shenzhen", "440304", "深圳市福田区香蜜湖街道香梅路1061号", "commercial"),
    ("深圳市南山科创物业管理有限公司", "shenzhen", "440305", "深圳市南山区粤海街道科技园路16号科兴科学园B栋801", "office"),
    ("深圳市宝安区安居住房发展有限公司", "shenzhen", "440306", "深圳市宝安区新安街道宝安大道4018号", "residential"),
    ("中山市兴中物业发展有限公司", "zhongshan", "442000", "中山市东区兴中道18号兴中广场1205", "commercial"),
    ("中山火炬开发区城市建设投资有限公司", "zhongshan", "442000", "中山市火炬开发区康乐大道47号", "office"),
    ("武汉市江岸区城市更新投资有限公司", "wuhan", "420102", "武汉市江岸区沿江大道188号", "office"),
    ("武汉光谷智联科技有限公司", "wuhan", "420111", "武汉市洪山区关山大道355号光谷创业大厦12楼", "office"),
    ("湖北楚汉房地产经纪有限公司", "wuhan", "420106", "武汉市武昌区中北路108号中北路商务楼6楼", "commercial"),
)

_STRUCTURES_OLD = ("混合", "钢筋混凝土", "砖混")
_STRUCTURES_NEW = ("钢筋混凝土", "框架剪力墙", "框架")

# (design use, use class, normalised): the register's use and what the rules read it as.
_USE_RESIDENTIAL = ("住宅", "residential", True)
_USE_COMMERCIAL = ("商业", "commercial", True)
_USE_OFFICE = ("办公", "office", True)
_USE_PARKING = ("车位", "parking", True)
_USES_NOT_NORMALISED = (
    ("商住", "commercial", False),
    ("宿舍", "residential", False),
    ("商务公寓", "office", False),
    ("综合", "commercial", False),
)

_SHARE_SPLITS_2 = (("50.00", "50.00"), ("60.00", "40.00"), ("70.00", "30.00"), ("55.00", "45.00"))
_SHARE_SPLITS_3 = (("33.33", "33.33", "33.34"), ("40.00", "40.00", "20.00"), ("50.00", "25.00", "25.00"))


# --------------------------------------------------------------------------
# Public-rental allocation (保障房选房)
# --------------------------------------------------------------------------

#: Families of the sample: F001–F040 were the first applicants; F041–F500
#: are appended after them (with their own, appended, persons).
FAMILY_COUNT = 500

#: What a family may choose by its size (stored on each family as
#: Family.eligible_layouts): one person a studio or one bedroom, a couple one
#: or two bedrooms, three or four people two or three, five or more three.
ELIGIBLE_LAYOUTS_BY_SIZE: dict[int, str] = {1: "studio,1b", 2: "1b,2b", 3: "2b,3b", 4: "2b,3b", 5: "3b"}


def eligible_layouts(size: int) -> str:
    """Family.eligible_layouts for a family of ``size`` people (comma-separated layout codes)."""
    return ELIGIBLE_LAYOUTS_BY_SIZE[max(1, min(size, 5))]


_CST = timezone(timedelta(hours=8))  # the hall's time (Asia/Shanghai has no DST)

# The pool: (code prefix, project, buildings, lowest and highest floor, rent per m² a month,
# appeal, floor plan). A floor plan lists each flat of a floor:
# (room suffix, unit, layout, orientation, area range in m²).
_FloorPlan = tuple[tuple[str, str, str, str, float, float], ...]
_PROJECTS: tuple[tuple[str, str, tuple[str, ...], int, int, str, float, _FloorPlan], ...] = (
    ("LYJ3", "龙悦居三期", ("1", "2", "3", "4"), 3, 14, "23.50", 1.0, (
        ("01", "1", "2b", "南", 58, 64),
        ("02", "1", "1b", "东南", 44, 49),
        ("03", "2", "2b", "西南", 57, 63),
        ("04", "2", "3b", "南北", 74, 82),
    )),
    ("SKC", "深康村", ("A座", "B座", "C座"), 2, 11, "28.60", 1.35, (
        ("01", "1", "studio", "南", 30, 36),
        ("02", "1", "1b", "东", 40, 46),
        ("03", "1", "2b", "南", 55, 62),
        ("04", "1", "2b", "北", 54, 60),
    )),
    ("BQG", "安居百泉阁", ("东座", "西座"), 3, 20, "19.80", 0.85, (
        ("01", "1", "3b", "南", 78, 89),
        ("02", "1", "2b", "东南", 60, 68),
        ("03", "1", "2b", "西南", 59, 67),
        ("04", "1", "1b", "北", 45, 50),
    )),
)
_BUILDING_CODES = {"东座": "D", "西座": "X", "A座": "A", "B座": "B", "C座": "C"}
_ORIENTATION_APPEAL = {"南": 1.25, "南北": 1.3, "东南": 1.15, "西南": 1.0, "东": 0.9, "北": 0.75}

# The rounds: (key, number, name, pre_open, pre_close, formal_open, formal_close, run at, ranks);
# each is created a week before its pre-selection opens (``created_at``).
# Rounds 1 and 2 are over and published; round 3 is in its pre-selection on the
# reference day, and its formal selection is months ahead, so the demo finds it open.
_ROUNDS: tuple[tuple[str, int, str, str, str, str, str, str | None, range], ...] = (
    ("R1", 1, "2026年第一批公共租赁住房选房", "2026-03-02T09:00", "2026-03-13T18:00", "2026-03-16T09:00",
     "2026-03-20T18:00", "2026-03-20T18:30", range(1, 151)),
    ("R2", 2, "2026年第二批公共租赁住房选房", "2026-07-06T09:00", "2026-07-17T18:00", "2026-07-20T09:00",
     "2026-07-24T18:00", "2026-07-24T18:30", range(151, 301)),
    ("R3", 3, "2026年第三批公共租赁住房选房", "2026-11-02T09:00", "2027-05-28T18:00", "2027-06-01T09:00",
     "2027-06-30T18:00", None, range(301, 501)),
)

_GIVE_UP_REASONS = (
    "本批次房源离工作单位太远，等待下一批次",
    "家庭计划迁离深圳",
    "对本批次房源户型不满意",
    "已入住单位宿舍，暂不需要",
    "家中老人需要照顾，暂缓入住",
)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _birth_for_age(rng: random.Random, low: int, high: int) -> date:
    """A birth date giving an age in [low, high] on the reference day."""
    latest = date(REFERENCE_DAY.year - low, REFERENCE_DAY.month, REFERENCE_DAY.day)
    earliest = date(REFERENCE_DAY.year - high - 1, REFERENCE_DAY.month, REFERENCE_DAY.day) + timedelta(days=1)
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def _area(rng: random.Random, low: float, high: float) -> int:
    """An area in hundredths of a square metre."""
    return rng.randint(int(low * 100), int(high * 100))


def _dec(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _fill(rng: random.Random, pattern: str) -> str:
    """Fill a number pattern: "#" a digit, "@" a capital letter, "X" a letter or digit."""
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(rng.randint(0, 9)))
        elif ch == "@":
            out.append(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ"))
        elif ch == "X":
            out.append(rng.choice(_DEU_PASSPORT_CHARS))
        else:
            out.append(ch)
    return "".join(out)


def _cycle(rng: random.Random, items: Sequence[Any]) -> Iterator[Any]:
    """Hand out items evenly: a shuffled round robin."""
    pool = list(items)
    if not pool:
        raise ValueError("empty candidate pool")
    rng.shuffle(pool)
    return itertools.cycle(pool)


# --------------------------------------------------------------------------
# The builder
# --------------------------------------------------------------------------


class SampleBuilder:
    """Builds every table as lists of JSON-ready dicts."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.persons: list[dict[str, Any]] = []
        self.documents: list[dict[str, Any]] = []
        self.organisations: list[dict[str, Any]] = []
        self.org_agents: list[dict[str, Any]] = []
        self.proxies: list[dict[str, Any]] = []
        self.homes: list[dict[str, Any]] = []
        self.home_owners: list[dict[str, Any]] = []
        self.families: list[dict[str, Any]] = []
        self.family_members: list[dict[str, Any]] = []
        self.seed = seed
        self.public_houses: list[dict[str, Any]] = []
        self.rounds: list[dict[str, Any]] = []
        self.round_families: list[dict[str, Any]] = []
        self.supplementary: list[dict[str, Any]] = []
        # Facts used while building, never written.
        self.meta: dict[str, dict[str, Any]] = {}
        self.households: list[dict[str, Any]] = []
        self.legacy: list[str] = []  # elderly with a 15-digit ID
        self.hmt: list[str] = []  # Hong Kong, Macao, Taiwan residents and foreigners
        self.blacklisted: list[str] = []
        self._agents: set[str] = set()
        self._numbers: set[tuple[str, str]] = set()
        self._phones: set[str] = set()
        self._units: set[str] = set()
        self._certificates: set[str] = set()
        self._estates: dict[tuple[str, str, str], dict[str, Any]] = {}
        surnames, weights = zip(*SURNAME_WEIGHTS)
        self._surnames = surnames
        self._surname_cum = list(itertools.accumulate(weights))

    # -- small draws -----------------------------------------------------

    def surname(self) -> str:
        return self.rng.choices(self._surnames, cum_weights=self._surname_cum)[0]

    def given(self, born: date, sex: str) -> str:
        return self.rng.choice(given_name_pool(era_of(born.year), sex))

    def phone(self) -> str:
        while True:
            number = make_mobile(self.rng)
            if number[:3] not in SYNTHETIC_PHONE_PREFIXES and number not in self._phones:
                self._phones.add(number)
                return number

    def _unique_number(self, kind: IdKind, make: Callable[[], str]) -> str:
        while True:
            number = make()
            if (kind, number) not in self._numbers:
                self._numbers.add((kind, number))
                return number

    def street_address(self, city: str) -> str:
        """A residential address in the city (province included)."""
        rng = self.rng
        district = rng.choices(list(_DISTRICT_WEIGHTS[city]), weights=list(_DISTRICT_WEIGHTS[city].values()))[0]
        _code, streets, estates, _towers = _DISTRICTS[city][district]
        street, road = rng.choice(streets)
        estate = rng.choice(estates)
        number = rng.randint(1, 400)
        floor = rng.randint(2, 30)
        room = f"{floor}{rng.randint(1, 8):02d}"
        if city == "wuhan":
            where = f"{road}{number}号{estate}{rng.randint(1, 12)}栋{rng.randint(1, 4)}单元{room}室"
        elif city == "zhongshan":
            where = f"{road}{number}号{estate}{rng.randint(1, 15)}座{room}"
        else:
            where = f"{street}{road}{number}号{estate}{rng.randint(1, 12)}栋{room}"
        return f"{PROVINCE_OF_CITY[city]}{CITY_LABELS[city]}{district}{where}"

    # -- persons ---------------------------------------------------------

    def _add_person(
        self,
        *,
        name: str,
        id_kind: IdKind,
        id_number: str,
        region: Region,
        nationality: str,
        born: date,
        sex: str,
        address: str,
        city: str,
        adult_phone: bool = True,
    ) -> str:
        key = f"P{len(self.persons) + 1:04d}"
        age = age_on(born, REFERENCE_DAY)
        adult = age >= 18
        level = 4 if not adult else self.rng.choices((4, 3, 2), weights=(90, 7, 3))[0]
        self.persons.append(
            {
                "key": key,
                "name": name,
                "id_kind": id_kind.value,
                "id_number": id_number,
                "region": region.value,
                "nationality": nationality,
                "birth_date": born.isoformat(),
                "sex": sex,
                "phone": self.phone() if adult and adult_phone else None,
                "address": address,
                "capacity": "full" if adult else "limited",
                "real_name_level": level if adult else 2,
                "blacklisted": False,
                "blacklist_reason": None,
            }
        )
        self.meta[key] = {"city": city, "age": age, "born": born, "sex": sex, "region": region, "household": None}
        return key

    def person(self, key: str) -> dict[str, Any]:
        return self.persons[int(key[1:]) - 1]

    def mainland(
        self, city: str, sex: str, born: date, *, surname: str | None = None, address: str, legacy: bool = False
    ) -> str:
        rng = self.rng
        if rng.random() < 0.55:
            region_code = rng.choice(_ID_REGIONS_LOCAL[city])
        else:
            region_code = rng.choice(_ID_REGIONS_ELSEWHERE[city])
        if legacy:
            kind = IdKind.RESIDENT_ID_15
            number = self._unique_number(
                kind, lambda: make_resident_id_15(rng, region_code=region_code, birth_date=born, sex=sex)
            )
        else:
            kind = IdKind.RESIDENT_ID
            number = self._unique_number(
                kind, lambda: make_resident_id(rng, region_code=region_code, birth_date=born, sex=sex)
            )
        surname = surname or self.surname()
        key = self._add_person(
            name=surname + self.given(born, sex), id_kind=kind, id_number=number, region=Region.MAINLAND,
            nationality="CHN", born=born, sex=sex, address=address, city=city,
        )
        self.meta[key]["surname"] = surname
        return key

    def household(
        self,
        city: str,
        *,
        head_age: tuple[int, int],
        spouse: float,
        children: float,
        parent: float,
        address: str | None = None,
        surname: str | None = None,
    ) -> dict[str, Any]:
        """A mainland household: head, maybe a spouse, children, an elderly parent."""
        rng = self.rng
        address = address or self.street_address(city)
        head_sex = rng.choice((MALE, FEMALE))
        head_born = _birth_for_age(rng, *head_age)
        head_surname = surname or self.surname()
        head = self.mainland(city, head_sex, head_born, surname=head_surname, address=address)
        hh: dict[str, Any] = {"city": city, "head": head, "spouse": None, "children": [], "parents": [],
                              "address": address, "family": False}
        head_age_now = age_on(head_born, REFERENCE_DAY)
        father_surname = head_surname
        youngest_parent = head_age_now
        if rng.random() < spouse:
            spouse_sex = FEMALE if head_sex == MALE else MALE
            spouse_age = max(22, min(90, head_age_now + rng.randint(-5, 5)))
            sp = self.mainland(city, spouse_sex, _birth_for_age(rng, spouse_age, spouse_age), address=address)
            hh["spouse"] = sp
            youngest_parent = min(head_age_now, spouse_age)
            if head_sex == FEMALE:
                father_surname = self.meta[sp]["surname"]
        if rng.random() < children and youngest_parent >= 31:
            # Children aged 8 or more (a minor from 8 has limited capacity),
            # born when both parents were 23 or older, siblings 2+ years apart.
            first = rng.randint(8, min(youngest_parent - 23, 40))
            ages = [first]
            if first >= 10 and rng.random() < 0.35:
                ages.append(rng.randint(8, first - 2))
            for child_age in ages:
                sex = rng.choice((MALE, FEMALE))
                surname_ = father_surname if rng.random() < 0.93 else self.surname()
                hh["children"].append(
                    self.mainland(city, sex, _birth_for_age(rng, child_age, child_age), surname=surname_, address=address)
                )
        if rng.random() < parent and head_age_now <= 62:
            parent_age = min(95, head_age_now + rng.randint(24, 34))
            sex = rng.choice((MALE, FEMALE))
            surname_ = head_surname if sex == MALE else self.surname()
            hh["parents"].append(
                self.mainland(city, sex, _birth_for_age(rng, parent_age, parent_age), surname=surname_, address=address)
            )
        for key in self.members(hh):
            self.meta[key]["household"] = len(self.households)
        self.households.append(hh)
        return hh

    @staticmethod
    def members(hh: dict[str, Any]) -> list[str]:
        out = [hh["head"]]
        if hh["spouse"]:
            out.append(hh["spouse"])
        return out + hh["children"] + hh["parents"]

    def hmt_person(self, region: Region, city: str) -> str:
        rng = self.rng
        sex = rng.choice((MALE, FEMALE))
        born = _birth_for_age(rng, 24, 72)
        name = rng.choice(_HMT_SURNAMES[region]) + rng.choice(_HMT_GIVEN[sex])
        if region is Region.TAIWAN:
            kind = IdKind.TAIWAN_PERMIT
            number = self._unique_number(kind, lambda: make_taiwan_permit(rng))
        else:
            kind = IdKind.HK_MACAO_PERMIT
            number = self._unique_number(kind, lambda: make_hk_macao_permit(rng, region))
        if rng.random() < 0.5:
            template = rng.choice(_HMT_ADDRESSES[region])
            address = template.format(n=rng.randint(3, 40), r=rng.choice("ABCDEFGH"), b=rng.randint(1, 300))
        else:  # lives on the mainland side
            address = self.street_address(city)
        key = self._add_person(
            name=name, id_kind=kind, id_number=number, region=region, nationality="CHN",
            born=born, sex=sex, address=address, city=city,
        )
        # About half also hold a residence permit (居住证) as a further document.
        if rng.random() < 0.5:
            permit_kind = IdKind.HMT_RESIDENCE_PERMIT
            permit = self._unique_number(
                permit_kind, lambda: make_hmt_permit(rng, region, birth_date=born, sex=sex)
            )
            issued = REFERENCE_DAY - timedelta(days=rng.randint(60, 1500))
            self.documents.append(
                {"person": key, "id_kind": permit_kind.value, "id_number": permit,
                 "valid_to": date(issued.year + 5, issued.month, min(issued.day, 28)).isoformat()}
            )
        return key

    def foreigner(self, spec: tuple[str, str, str, str, str], city: str, *, permanent_resident: bool) -> str:
        rng = self.rng
        nationality, surname, given, sex, pattern = spec
        born = _birth_for_age(rng, 28, 66)
        passport = self._unique_number(IdKind.PASSPORT, lambda: _fill(rng, pattern))
        passport_valid_to = (REFERENCE_DAY + timedelta(days=rng.randint(200, 3000))).isoformat()
        if permanent_resident:
            kind = IdKind.FOREIGN_PR
            province = "44" if city != "wuhan" else "42"
            number = self._unique_number(
                kind,
                lambda: make_foreign_pr_2023(
                    rng, province_code=province, nationality=nationality, birth_date=born, sex=sex
                ),
            )
        else:
            kind, number = IdKind.PASSPORT, passport
        key = self._add_person(
            name=f"{surname} {given}", id_kind=kind, id_number=number, region=Region.FOREIGN,
            nationality=nationality, born=born, sex=sex, address=self.street_address(city), city=city,
        )
        if permanent_resident:
            self.documents.append(
                {"person": key, "id_kind": IdKind.PASSPORT.value, "id_number": passport, "valid_to": passport_valid_to}
            )
        return key

    def build_persons(self) -> None:
        rng = self.rng
        # Public-housing applicant families (Shenzhen, renting in urban villages).
        for i in range(40):
            district, village = _RENTED_ADDRESSES[i % len(_RENTED_ADDRESSES)]
            address = (f"广东省深圳市{district}{village}{rng.randint(1, 60)}号"
                       f"{rng.randint(1, 8)}{rng.randint(1, 6):02d}")
            hh = self.household(
                "shenzhen", head_age=(26, 55), spouse=0.75, children=0.8, parent=0.15, address=address,
                surname="欧阳" if i == 7 else None,
            )
            hh["family"] = True
        # Home owners and everybody else, by city.
        plan = (("shenzhen", 40), ("zhongshan", 26), ("wuhan", 26))
        for city, count in plan:
            for i in range(count):
                surname = None
                if (city, i) in (("shenzhen", 11), ("wuhan", 5)):
                    surname = "司马" if city == "wuhan" else "欧阳"
                self.household(
                    city, head_age=(27, 70), spouse=0.75, children=0.55, parent=0.12, surname=surname
                )
        # Two elderly owners who no longer have legal capacity (a guardian acts).
        for city in ("shenzhen", "wuhan"):
            hh = self.household(city, head_age=(82, 90), spouse=0.0, children=0.0, parent=0.0)
            self.person(hh["head"])["capacity"] = "none"
            self.meta[hh["head"]]["capacity_none"] = True
        # Elderly Shenzhen owners still registered with a 15-digit ID.
        for _ in range(5):
            sex = rng.choice((MALE, FEMALE))
            born = _birth_for_age(rng, 72, 90)
            self.legacy.append(
                self.mainland("shenzhen", sex, born, address=self.street_address("shenzhen"), legacy=True)
            )
        # Hong Kong, Macao and Taiwan residents.
        for region, cities in (
            (Region.HONG_KONG, ("shenzhen",) * 7 + ("zhongshan",) * 3),
            (Region.MACAO, ("zhongshan",) * 5 + ("shenzhen",)),
            (Region.TAIWAN, ("shenzhen", "shenzhen", "wuhan", "wuhan", "wuhan", "zhongshan")),
        ):
            for city in cities:
                self.hmt.append(self.hmt_person(region, city))
        # Foreigners: passports; two hold a 2023 permanent resident ID instead.
        for i, spec in enumerate(_FOREIGNERS):
            city = ("shenzhen", "wuhan", "shenzhen", "shenzhen", "zhongshan", "wuhan")[i % 6]
            self.hmt.append(self.foreigner(spec, city, permanent_resident=spec[1] in ("KIM", "TAN")))
        # Blacklisted: owners in each city.
        owners = [hh for hh in self.households if not hh["family"] and self.meta[hh["head"]]["age"] < 80]
        for reason, city in zip(_BLACKLIST_REASONS, ("shenzhen", "shenzhen", "zhongshan", "wuhan")):
            candidates = [h for h in owners if h["city"] == city and h["head"] not in self.blacklisted]
            hh = rng.choice(candidates)
            p = self.person(hh["head"])
            p["blacklisted"] = True
            p["blacklist_reason"] = reason
            self.blacklisted.append(hh["head"])

    # -- organisations ---------------------------------------------------

    def build_organisations(self) -> None:
        rng = self.rng
        codes: set[str] = set()
        for i, (name, city, region_code, address, _premises) in enumerate(_ORGANISATIONS, start=1):
            while True:
                code = make_credit_code(rng, region_code=region_code)
                if code.startswith("91") and code not in codes:  # 91: an enterprise
                    codes.add(code)
                    break
            born = _birth_for_age(rng, 38, 62)
            sex = rng.choices((MALE, FEMALE), weights=(3, 1))[0]
            self.organisations.append(
                {
                    "key": f"O{i:02d}",
                    "name": name,
                    "credit_code": code,
                    "legal_rep_name": self.surname() + self.given(born, sex),
                    "phone": self.phone(),
                    "address": address,
                    "blacklisted": False,
                }
            )

    def _free_adults(self, city: str, used: set[str]) -> list[str]:
        """Adults of a city fit to act for others: full capacity, not blacklisted, no family."""
        out = []
        for p in self.persons:
            m = self.meta[p["key"]]
            hh = self.households[m["household"]] if m["household"] is not None else None
            if (
                m["city"] == city and p["region"] == "mainland" and p["id_kind"] == "resident_id"
                and 22 <= m["age"] <= 65 and p["capacity"] == "full" and not p["blacklisted"]
                and p["real_name_level"] >= 4 and (hh is None or not hh["family"]) and p["key"] not in used
            ):
                out.append(p["key"])
        return out

    def build_org_agents(self) -> None:
        rng = self.rng
        used: set[str] = set()
        scopes = ("存量房买卖", "存量房买卖", "存量房买卖及网签备案", "商品房预售合同网签")
        for i, org in enumerate(self.organisations):
            city = _ORGANISATIONS[i][1]
            candidates = self._free_adults(city, used)
            count = rng.choice((1, 2, 2, 3))
            for j, agent in enumerate(rng.sample(candidates, count)):
                used.add(agent)
                # The first agent of every organisation but the last is current;
                # the last organisation's only agent has lapsed.
                expired = (i == len(self.organisations) - 1) or (j > 0 and rng.random() < 0.5)
                if expired:
                    valid_to = REFERENCE_DAY - timedelta(days=rng.randint(10, 300))
                    valid_from = valid_to - timedelta(days=rng.choice((365, 730)))
                else:
                    valid_from = REFERENCE_DAY - timedelta(days=rng.randint(20, 600))
                    valid_to = valid_from + timedelta(days=rng.choice((730, 1095)))
                self.org_agents.append(
                    {
                        "organisation": org["key"],
                        "person": agent,
                        "valid_from": valid_from.isoformat(),
                        "valid_to": valid_to.isoformat(),
                        "scope": scopes[0] if i == len(self.organisations) - 1 else rng.choice(scopes),
                    }
                )
        self._agents = used

    # -- homes -----------------------------------------------------------

    def _estate(self, city: str, district: str, name: str, *, tower: bool) -> dict[str, Any]:
        key = (city, district, name)
        estate = self._estates.get(key)
        if estate is None:
            rng = self.rng
            code, streets, _estates, _towers = _DISTRICTS[city][district]
            street, road = rng.choice(streets)
            year = rng.randint(1990, 2023) if not tower else rng.randint(1996, 2021)
            high = year >= 2003 or tower
            estate = {
                "street": street,
                "road": road,
                "number": rng.randint(1, 420),
                "region_code": code,
                "zone": f"{rng.randint(1, 12):03d}{rng.randint(1, 9):03d}",
                "parcel": f"{rng.randint(1, 3000):05d}",
                "year": year,
                "floors": rng.randint(18, 45) if high else rng.randint(6, 9),
                "structure": rng.choice(_STRUCTURES_NEW if high else _STRUCTURES_OLD),
                "style": {"shenzhen": rng.choice(("栋", "栋", "座")), "zhongshan": rng.choice(("座", "幢"))}.get(city, "栋"),
                "rooms": {},
                "taken": set(),
            }
            self._estates[key] = estate
        return estate

    def _unit_number(self, estate: dict[str, Any], building: int) -> str:
        seq = estate["rooms"].get(building, 0) + 1
        estate["rooms"][building] = seq
        unit = f"{estate['region_code']}{estate['zone']}GB{estate['parcel']}F{building:04d}{seq:04d}"
        if unit in self._units:  # two estates drew the same parcel: move on
            return self._unit_number(estate, building)
        self._units.add(unit)
        return unit

    def _certificate(self, city: str, district: str, year: int) -> tuple[str, str | None]:
        rng = self.rng
        while True:
            check = None
            if city == "shenzhen" and year <= 2012 and rng.random() < 0.7:
                number = f"深房地字第{rng.choice(('3000', '4000', '5000'))}{rng.randint(0, 999_999):06d}号"
            else:
                issued = rng.randint(max(2017, year + 1), 2026) if year < 2026 else 2026
                serial = f"{rng.randint(1, 9_999_999):07d}"
                if city == "shenzhen":
                    number = f"粤({issued})深圳市不动产权第{serial}号"
                elif city == "zhongshan":
                    number = f"粤({issued})中山市不动产权第{serial}号"
                else:
                    number = f"鄂({issued})武汉市{_WUHAN_SHORT[district]}不动产权第{serial}号"
            if city == "zhongshan":
                check = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(6))
            if number not in self._certificates:
                self._certificates.add(number)
                return number, check

    def _home(
        self, city: str, use: tuple[str, str, bool], *, district: str | None = None,
        estate_name: str | None = None, building: int | None = None,
        certificate: tuple[str, str | None] | None = None, floor: int | None = None,
    ) -> dict[str, Any]:
        rng = self.rng
        design_use, use_class, normalised = use
        weights = _DISTRICT_WEIGHTS[city]
        district = district or rng.choices(list(weights), weights=list(weights.values()))[0]
        _code, _streets, estates, towers = _DISTRICTS[city][district]
        if not towers or estate_name is not None:
            tower = False
        elif design_use == "商业":  # a shop: in a tower or under the flats of an estate
            tower = rng.random() < 0.4
        else:
            tower = use_class in ("office", "commercial")
        estate_name = estate_name or rng.choice(towers if tower else estates)
        estate = self._estate(city, district, estate_name, tower=tower)
        building = building or (1 if tower else rng.randint(1, 12))
        for _attempt in range(100):  # a room not handed out yet in this building
            if use_class == "parking":
                level = rng.choice((-1, -2))
                room = f"B{-level}-{rng.randint(1, 320):03d}"
                building_label = "地下车库"
            else:
                low = 1 if design_use == "商业" else 2
                high = min(estate["floors"], 3) if design_use == "商业" else estate["floors"]
                level = floor or rng.randint(low, max(low, high))
                room = f"{level}{rng.randint(1, 8):02d}"
                if tower:
                    building_label = ""
                elif city == "wuhan":
                    building_label = f"{building}栋{rng.randint(1, 4)}单元"
                elif estate["style"] == "座" and city == "shenzhen":
                    building_label = f"{'ABCDEFGHJKLM'[building - 1]}座"
                else:
                    building_label = f"{building}{estate['style']}"
            spot = (building_label, room)
            if spot not in estate["taken"]:
                break
        else:
            raise RuntimeError(f"no free room left in {estate_name}")
        estate["taken"].add(spot)
        if use_class == "parking":
            floor_area = _area(rng, 11.5, 36)
            inner = floor_area
        else:
            if use_class == "residential":
                floor_area = _area(rng, 42, 168)
            elif use_class == "office":
                floor_area = _area(rng, 55, 420)
            else:
                floor_area = _area(rng, 25, 320)
            inner = floor_area * rng.randint(72, 88) // 100
        place = f"{estate['road']}{estate['number']}号{estate_name}{building_label}{room}"
        if city == "wuhan" and use_class != "parking" and not tower:
            place += "室"
        location = f"{CITY_LABELS[city]}{district}{estate['street']}{place}"
        cert_number, check = certificate or self._certificate(city, district, estate["year"])
        home = {
            "key": f"H{len(self.homes) + 1:04d}",
            "city": city,
            "district": district,
            "certificate_number": cert_number,
            "check_code": check,
            "unit_number": self._unit_number(estate, building),
            "location": location,
            "building": building_label or estate_name,
            "floor": level,
            "room": room,
            "floor_area": _dec(floor_area),
            "inner_area": _dec(inner),
            "land_area": _dec(floor_area * rng.randint(4, 22) // 100),
            "structure": estate["structure"],
            "total_floors": estate["floors"],
            "design_use": design_use,
            "use_class": use_class,
            "use_class_normalised": normalised,
            "completion_year": estate["year"],
            "co_ownership": "sole",
            "valid": True,
            "mortgaged": False,
            "seized": False,
            "restricted": False,
            "in_transaction": False,
        }
        self.homes.append(home)
        return home

    def _own(self, home: dict[str, Any], spec: tuple[str, Any]) -> None:
        kind, who = spec
        if kind == "org":
            home["co_ownership"] = "sole"
            self.home_owners.append({"home": home["key"], "person": None, "organisation": who, "share": "100.00"})
            return
        if kind == "sole":
            home["co_ownership"] = "sole"
            self.home_owners.append({"home": home["key"], "person": who, "organisation": None, "share": "100.00"})
        elif kind == "joint":
            home["co_ownership"] = "joint"
            for person in who:
                self.home_owners.append({"home": home["key"], "person": person, "organisation": None, "share": None})
        else:  # shares: [(person, "40.00"), ...]
            home["co_ownership"] = "shares"
            for person, share in who:
                self.home_owners.append({"home": home["key"], "person": person, "organisation": None, "share": share})
        for person in self._spec_persons(spec):
            self.meta[person].setdefault("homes", []).append(home["key"])

    @staticmethod
    def _spec_persons(spec: tuple[str, Any]) -> list[str]:
        kind, who = spec
        if kind == "org":
            return []
        if kind == "sole":
            return [who]
        if kind == "joint":
            return list(who)
        return [p for p, _ in who]

    def _use(self) -> tuple[str, str, bool]:
        return self.rng.choices(
            (_USE_RESIDENTIAL, _USE_COMMERCIAL, _USE_OFFICE, _USE_PARKING), weights=(88, 5, 3, 4)
        )[0]

    def build_homes(self) -> None:
        rng = self.rng
        orgs_by_city: dict[str, list[str]] = {}
        for (_name, city, *_rest), org in zip(_ORGANISATIONS, self.organisations):
            orgs_by_city.setdefault(city, []).append(org["key"])
        premises = {org["key"]: _ORGANISATIONS[i][4] for i, org in enumerate(self.organisations)}
        targets = {"shenzhen": 120, "zhongshan": 90, "wuhan": 90}
        not_normalised_left = {"shenzhen": 2, "zhongshan": 1, "wuhan": 1}
        for city, total in targets.items():
            owner_hhs = [h for h in self.households if h["city"] == city and not h["family"]]
            couples = [(h["head"], h["spouse"]) for h in owner_hhs if h["spouse"]
                       and self.person(h["head"])["capacity"] == "full"]
            singles = [
                k for h in owner_hhs for k in self.members(h)
                if self.meta[k]["age"] >= 20 and self.person(k)["capacity"] == "full"
                and k not in self.blacklisted
            ]
            minors = []
            for h in owner_hhs:
                for child in h["children"]:
                    if self.meta[child]["age"] < 18 and h["spouse"]:
                        head, spouse = h["head"], h["spouse"]
                        father, mother = (head, spouse) if self.meta[head]["sex"] == MALE else (spouse, head)
                        minors.append((father, mother, child))
            with_adult_child = [
                (h["head"], h["spouse"], c) for h in owner_hhs if h["spouse"]
                for c in h["children"] if self.meta[c]["age"] >= 20
            ]
            foreign = [k for k in self.hmt if self.meta[k]["city"] == city]
            specs: list[tuple[str, Any]] = []
            # Fixed cases first: the blacklisted and the incapacitated own homes.
            specs += [("sole", k) for k in self.blacklisted if self.meta[k]["city"] == city]
            specs += [("sole", h["head"]) for h in owner_hhs if self.person(h["head"])["capacity"] == "none"]
            if city == "shenzhen":
                specs += [("sole", k) for k in self.legacy]
            specs += [("sole", k) for k in foreign]
            org_cycle = _cycle(rng, orgs_by_city[city])
            specs += [("org", next(org_cycle)) for _ in range(len(orgs_by_city[city]) + 1)]
            minor_cycle = _cycle(rng, minors)
            for _ in range(2 if city != "wuhan" else 1):
                father, mother, child = next(minor_cycle)
                specs.append(("shares", [(father, "40.00"), (mother, "40.00"), (child, "20.00")]))
            couple_cycle = _cycle(rng, couples)
            single_cycle = _cycle(rng, singles)
            for _ in range(20 if city != "shenzhen" else 25):
                specs.append(("joint", next(couple_cycle)))
            for i in range(10 if city != "shenzhen" else 14):
                pick = i % 4
                if pick == 0:
                    split = rng.choice(_SHARE_SPLITS_2)
                    specs.append(("shares", list(zip(next(couple_cycle), split))))
                elif pick == 1 and with_adult_child:
                    head, spouse, child = rng.choice(with_adult_child)
                    split = rng.choice(_SHARE_SPLITS_3)
                    specs.append(("shares", list(zip((head, spouse, child), split))))
                elif pick == 2:
                    a = next(single_cycle)
                    b = next(single_cycle)
                    while b == a:
                        b = next(single_cycle)
                    specs.append(("shares", list(zip((a, b), rng.choice(_SHARE_SPLITS_2)))))
                else:
                    trio: list[str] = []
                    while len(trio) < 3:
                        k = next(single_cycle)
                        if k not in trio:
                            trio.append(k)
                    specs.append(("shares", list(zip(trio, rng.choice(_SHARE_SPLITS_3)))))
            multi = {"shenzhen": 2, "zhongshan": 2, "wuhan": 3}[city]
            while len(specs) < total - multi:
                specs.append(("sole", next(single_cycle)))
            rng.shuffle(specs)

            # One certificate covering several homes.
            if city == "shenzhen":
                owner = ("sole", next(single_cycle))
                uses = (_USE_RESIDENTIAL, _USE_COMMERCIAL)  # mixed: a flat over its shop
            elif city == "zhongshan":
                owner = ("joint", next(couple_cycle))
                uses = (_USE_RESIDENTIAL, _USE_RESIDENTIAL)
            else:
                owner = ("sole", next(single_cycle))
                uses = (_USE_RESIDENTIAL, _USE_PARKING, _USE_PARKING)
            district = rng.choice(list(_DISTRICTS[city]))
            estate_name = _DISTRICTS[city][district][2][0]
            estate = self._estate(city, district, estate_name, tower=False)
            cert = self._certificate(city, district, max(estate["year"], 2013))
            building = rng.randint(1, 12)
            for use in uses:
                # A shop sits on the ground floor of the same building.
                home = self._home(city, use, district=district, estate_name=estate_name, building=building,
                                  certificate=cert, floor=1 if use is _USE_COMMERCIAL else None)
                self._own(home, owner)

            for spec in specs:
                if spec[0] == "org":
                    kind = premises[spec[1]]
                    use = {"office": _USE_OFFICE, "commercial": _USE_COMMERCIAL}.get(kind, _USE_RESIDENTIAL)
                elif spec[0] == "shares" and any(self.meta[p]["age"] < 18 for p in self._spec_persons(spec)):
                    use = _USE_RESIDENTIAL
                else:
                    use = self._use()
                if use is _USE_RESIDENTIAL and not_normalised_left[city] and rng.random() < 0.05:
                    use = rng.choice(_USES_NOT_NORMALISED)
                    not_normalised_left[city] -= 1
                self._own(self._home(city, use), spec)
        self._set_statuses()
        self._owner_addresses()

    def _set_statuses(self) -> None:
        rng = self.rng
        certificate_rows: dict[str, int] = {}
        for home in self.homes:
            certificate_rows[home["certificate_number"]] = certificate_rows.get(home["certificate_number"], 0) + 1
        single = [h for h in self.homes if certificate_rows[h["certificate_number"]] == 1]
        owners_of: dict[str, list[str]] = {}
        for row in self.home_owners:
            if row["person"]:
                owners_of.setdefault(row["home"], []).append(row["person"])
        # Seized: one home of each blacklisted owner, then two more (one also mortgaged).
        seized = [next(h for h in single if owners_of.get(h["key"]) == [k]) for k in self.blacklisted]
        rest = [h for h in single if h not in seized]
        rng.shuffle(rest)
        seized += rest[:2]
        for h in seized:
            h["seized"] = True
        rest = rest[2:]
        residential = [h for h in rest if h["use_class"] == "residential"]
        for h in residential[:15]:
            h["mortgaged"] = True
        seized[-1]["mortgaged"] = True
        for h in residential[15:20]:
            h["restricted"] = True
        for h in residential[20:23]:
            h["valid"] = False  # certificate cancelled (e.g. replaced after a transfer)

    def _owner_addresses(self) -> None:
        """Owner-occupiers live in (the first) home they own in their city."""
        by_key = {h["key"]: h for h in self.homes}
        for hh in self.households:
            if hh["family"]:
                continue
            homes = [by_key[k] for k in self.meta[hh["head"]].get("homes", [])]
            homes = [h for h in homes if h["use_class"] == "residential" and h["city"] == hh["city"]]
            if not homes:
                continue
            address = PROVINCE_OF_CITY[hh["city"]] + homes[0]["location"]
            for key in self.members(hh):
                self.person(key)["address"] = address
        for key in self.legacy:
            homes = [by_key[k] for k in self.meta[key].get("homes", [])]
            if homes and homes[0]["use_class"] == "residential":
                self.person(key)["address"] = "广东省" + homes[0]["location"]

    # -- proxies and families ---------------------------------------------

    def build_proxies(self) -> None:
        rng = self.rng
        used = set(self._agents)
        homes_of = {k: m.get("homes", []) for k, m in self.meta.items()}
        principals = [
            next(k for k in self.hmt if self.person(k)["region"] == "hong_kong" and homes_of[k]
                 and self.meta[k]["city"] == "shenzhen"),
            next(k for k in self.hmt if self.person(k)["region"] == "foreign" and homes_of[k]
                 and self.meta[k]["city"] == "shenzhen"),
            next(k for k in self.legacy if homes_of[k]),
            next(k for k in self.hmt if self.person(k)["region"] == "macao" and homes_of[k]
                 and self.meta[k]["city"] == "zhongshan"),
            next(p["key"] for p in self.persons if self.meta[p["key"]]["city"] == "wuhan"
                 and p["region"] == "mainland" and homes_of[p["key"]] and p["capacity"] == "full"
                 and not p["blacklisted"] and self.meta[p["key"]]["age"] >= 30),
        ]
        offices = {"shenzhen": "深证字", "zhongshan": "粤中山证字", "wuhan": "鄂汉证字"}
        for i, principal in enumerate(principals):
            city = self.meta[principal]["city"]
            proxy = rng.choice(self._free_adults(city, used | {principal}))
            used.add(proxy)
            issued = REFERENCE_DAY - timedelta(days=rng.randint(30, 500))
            if i == len(principals) - 1:  # one lapsed power of attorney
                issued = REFERENCE_DAY - timedelta(days=rng.randint(800, 1000))
            valid_to = issued + timedelta(days=365 if i == len(principals) - 1 else rng.choice((730, 1095)))
            self.proxies.append(
                {
                    "principal": principal,
                    "proxy": proxy,
                    "notarial_certificate": f"({issued.year}){offices[city]}第{rng.randint(1000, 39999)}号",
                    "valid_from": issued.isoformat(),
                    "valid_to": valid_to.isoformat(),
                }
            )

    def build_families(self) -> None:
        rng = self.rng
        households = [h for h in self.households if h["family"]]
        ranks = list(range(1, len(households) + 1))
        rng.shuffle(ranks)
        # Ranks 1-12 took part in the first round; the rest are still waiting.
        first_round = {r: "allocated" for r in range(1, 13)}
        for r in rng.sample(range(1, 13), 5):
            first_round[r] = "not_allocated"
        for r in rng.sample([r for r in range(1, 13) if first_round[r] == "allocated"], 2):
            first_round[r] = "gave_up"
        order = sorted(zip(ranks, households), key=lambda pair: pair[0])
        for i, (rank, hh) in enumerate(order, start=1):
            key = f"F{i:03d}"
            members = self._relations(hh)
            self.families.append(
                {"key": key, "main_applicant": hh["head"], "rank": rank, "size": len(members),
                 "eligible_layouts": eligible_layouts(len(members)), "status": first_round.get(rank, "waiting")}
            )
            for person, relation in members:
                self.family_members.append({"family": key, "person": person, "relation": relation})

    @staticmethod
    def _relations(hh: dict[str, Any]) -> list[tuple[str, str]]:
        """A household's members as a family: (person key, relation), the applicant first."""
        members = [(hh["head"], "本人")]
        if hh["spouse"]:
            members.append((hh["spouse"], "配偶"))
        members += [(c, "子女") for c in hh["children"]]
        members += [(p, "父母") for p in hh["parents"]]
        return members

    # -- public-rental allocation ------------------------------------------

    def build_allocation(self) -> None:
        """Families F041–F500 with their persons, the house pool, three rounds, their
        lists and acts, and the supplementary applications.

        All of it is appended after the records built above and drawn from a
        random stream of its own, so those records stay byte-identical.
        """
        self.rng = random.Random(self.seed * 1009 + 7)
        self._more_families()
        self._build_pool()
        self._build_rounds()

    def _more_families(self) -> None:
        rng = self.rng
        for i in range(len(self.families) + 1, FAMILY_COUNT + 1):
            district, village = rng.choice(_RENTED_ADDRESSES)
            address = (f"广东省深圳市{district}{village}{rng.randint(1, 60)}号"
                       f"{rng.randint(1, 8)}{rng.randint(1, 6):02d}")
            hh = self.household("shenzhen", head_age=(26, 55), spouse=0.75, children=0.8, parent=0.15,
                                address=address)
            hh["family"] = True
            key = f"F{i:03d}"
            members = self._relations(hh)
            self.families.append(
                {"key": key, "main_applicant": hh["head"], "rank": i, "size": len(members),
                 "eligible_layouts": eligible_layouts(len(members)), "status": "waiting"}
            )
            for person, relation in members:
                self.family_members.append({"family": key, "person": person, "relation": relation})

    def _build_pool(self) -> None:
        """The public-rental pool, in project, building, floor, room order; a few flats reserved."""
        rng = self.rng
        self._appeal: dict[str, float] = {}
        for prefix, project, buildings, low, high, rent, appeal, plan in _PROJECTS:
            rent_cents = int(rent.replace(".", ""))
            for building in buildings:
                short = _BUILDING_CODES.get(building, building)
                reserved = 2  # the two lowest one- or two-bedroom flats of the first building
                for floor in range(low, high + 1):
                    for suffix, unit, layout, orientation, area_low, area_high in plan:
                        key = f"PH{len(self.public_houses) + 1:04d}"
                        room = f"{floor}{suffix}"
                        area = _area(rng, area_low, area_high)
                        state = "free"
                        if building == buildings[0] and reserved and layout in ("1b", "2b"):
                            state = "reserved"  # 预留: kept back for families with special needs
                            reserved -= 1
                        self.public_houses.append(
                            {"key": key, "code": f"{prefix}-{short}-{room}", "project": project,
                             "building": building, "unit": unit, "floor": floor, "room": room, "layout": layout,
                             "orientation": orientation, "area": _dec(area),
                             "monthly_rent": _dec((area * rent_cents + 50) // 100), "state": state}
                        )
                        height = (floor - low) / (high - low)
                        floor_appeal = (0.8 + 0.45 * height) * (0.85 if floor == high else 1.0)
                        self._appeal[key] = appeal * _ORIENTATION_APPEAL[orientation] * floor_appeal

    def _pick_list(self, candidates: list[str], length: int) -> list[str]:
        """A wish list: ``length`` houses drawn by appeal (popular houses are listed by
        many families), most appealing first, as families order them."""
        rng = self.rng
        keyed = sorted(((rng.random() ** (1.0 / self._appeal[h] ** 4), h) for h in candidates), reverse=True)
        return [h for _key, h in keyed[:length]]

    def _list_length(self) -> int:
        rng = self.rng
        r = rng.random()
        if r < 0.12:
            return rng.randint(1, 3)  # too short for the family's place in the round
        if r < 0.87:
            return rng.randint(5, 15)
        return rng.randint(16, 30)

    def _moment(self, start: datetime, end: datetime) -> str:
        """A time between ``start`` and ``end`` in office hours, to the minute."""
        rng = self.rng
        days = (end.date() - start.date()).days
        while True:
            day = start.date() + timedelta(days=rng.randint(0, days))
            at = datetime(day.year, day.month, day.day, rng.randint(9, 17), rng.randint(0, 59), tzinfo=_CST)
            if start <= at <= end:
                return at.isoformat()

    def _build_rounds(self) -> None:
        rng = self.rng
        by_rank = {f["rank"]: f for f in self.families}
        # F001–F012 carry the outcome of the first round from build_families: the run must give it.
        targets = {f["key"]: f["status"] for f in self.families if f["status"] != "waiting"}
        free = [h["key"] for h in self.public_houses if h["state"] == "free"]
        for key, number, name, pre_open, pre_close, formal_open, formal_close, run_at, ranks in _ROUNDS:
            windows = [datetime.fromisoformat(t).replace(tzinfo=_CST) for t in (pre_open, pre_close, formal_open,
                                                                                  formal_close)]
            # Created (with its case, as at the counter) a week before its pre-selection opens.
            created = (windows[0] - timedelta(days=7)).replace(hour=10, minute=0)
            self.rounds.append(
                {"key": key, "number": number, "name": name, "kind": "regular", "created_at": created.isoformat(),
                 "pre_open": windows[0].isoformat(), "pre_close": windows[1].isoformat(),
                 "formal_open": windows[2].isoformat(), "formal_close": windows[3].isoformat(),
                 "run_at": datetime.fromisoformat(run_at).replace(tzinfo=_CST).isoformat() if run_at else None}
            )
            families = [by_rank[r] for r in ranks]
            if run_at is None:
                self._open_round(key, families, free, windows)
                continue
            taken = self._past_round(key, families, free, targets, windows)
            free = [h for h in free if h not in taken]
            # 补选申请: a few families left without a house applied after the results were published.
            published = datetime.fromisoformat(run_at).replace(tzinfo=_CST)
            left = [row["family"] for row in self.round_families
                    if row["round"] == key and row["result_status"] == ResultStatus.NOT_ALLOCATED]
            for family in sorted(rng.sample(left, 3)):
                self.supplementary.append(
                    {"family": family, "from_round": key,
                     "applied_at": self._moment(published + timedelta(days=1), published + timedelta(days=6))}
                )

    def _past_round(self, round_key: str, families: list[dict[str, Any]], free: list[str],
                    targets: dict[str, str], windows: list[datetime]) -> set[str]:
        """Lists and acts of a round that is over, its result by the rule; returns the houses taken."""
        rng = self.rng
        layout_of = {h["key"]: h["layout"] for h in self.public_houses}
        pre_open, pre_close, formal_open, formal_close = windows
        taken: dict[str, str] = {}  # house -> family, in rank order
        rows = []
        for fam in families:
            eligible = set(fam["eligible_layouts"].split(","))
            candidates = [h for h in free if layout_of[h] in eligible]
            target = targets.get(fam["key"])
            gave_up = target == FamilyStatus.GAVE_UP or (target is None and rng.random() < 0.025)
            pre = self._pick_list(candidates, self._list_length() if target is None else rng.randint(6, 14))
            if gave_up:
                formal: list[str] = []
            elif target == FamilyStatus.NOT_ALLOCATED:
                # A short list of houses that families ranked before it took, or no formal list at all.
                lost = [h for h in taken if layout_of[h] in eligible]
                formal = self._pick_list(lost, rng.randint(1, 2)) if lost else []
                if formal:
                    pre = list(formal)
            else:
                r = rng.random()
                if r < 0.06 and target is None:
                    formal = []  # did not take part in the formal selection: the pre-selection is void
                elif r < 0.16:
                    formal = list(pre)  # synced, then adjusted: one line to the top, a few more houses
                    if len(formal) > 2:
                        formal.insert(0, formal.pop(rng.randrange(1, len(formal))))
                    extra = [h for h in self._pick_list(candidates, len(formal) + 3) if h not in formal]
                    formal += extra[: rng.randint(1, 3)]
                else:
                    formal = list(pre)  # 同步预选房源
            open_ = [h for h in formal if h not in taken]
            confirm = None
            if gave_up:
                result, status = None, ResultStatus.GAVE_UP
            elif open_:
                if rng.random() < 0.3:  # 确认正选 after the forecast: mostly the house it forecast
                    confirm = open_[0] if rng.random() < 0.7 else rng.choice(open_)
                    result, status = confirm, ResultStatus.CONFIRMED
                else:
                    result, status = open_[0], ResultStatus.ALLOCATED
                taken[result] = fam["key"]
            else:
                result, status = None, ResultStatus.NOT_ALLOCATED
            rows.append(
                {"round": round_key, "family": fam["key"], "pre": pre, "formal": formal, "confirm": confirm,
                 "confirmed_at": self._moment(formal_open, formal_close - timedelta(hours=2)) if confirm else None,
                 "gave_up_at": self._moment(pre_open, pre_close) if gave_up else None,
                 "gave_up_reason": rng.choice(_GIVE_UP_REASONS) if gave_up else None,
                 "result_house": result, "result_status": status}
            )
        # The same rule the run applies (core.allocation.selection.resolve) must give the same result.
        check = resolve(RoundInput(tuple(free), tuple(
            FamilyInput(row["family"], fam["rank"], tuple(row["formal"]), row["confirm"], row["gave_up_at"] is not None)
            for row, fam in zip(rows, families, strict=True)
        )))
        for row, got in zip(rows, check.results, strict=True):
            if (got.family, got.house, got.status) != (row["family"], row["result_house"], row["result_status"]):
                raise AssertionError(f"round {round_key}: the rule gives {got} for {row['family']}")
        for row, fam in zip(rows, families, strict=True):
            # A family's status after its round: NOT_ALLOCATED and GAVE_UP carry over by value.
            status = (FamilyStatus.ALLOCATED if row["result_status"] in HOUSED
                      else FamilyStatus(row["result_status"]))
            if fam["key"] in targets and targets[fam["key"]] != status:
                raise AssertionError(f"{fam['key']} should be {targets[fam['key']]}, the round gives {status}")
            fam["status"] = status
        self.round_families += rows
        return set(taken)

    def _open_round(self, round_key: str, families: list[dict[str, Any]], free: list[str],
                    windows: list[datetime]) -> None:
        """A round in its pre-selection on the reference day: pre lists only; two families gave up."""
        rng = self.rng
        layout_of = {h["key"]: h["layout"] for h in self.public_houses}
        pre_open = windows[0]
        rows = []
        for fam in families:
            eligible = set(fam["eligible_layouts"].split(","))
            candidates = [h for h in free if layout_of[h] in eligible]
            # About one family in ten has not started its pre-selection yet.
            pre = [] if rng.random() < 0.1 else self._pick_list(candidates, self._list_length())
            rows.append(
                {"round": round_key, "family": fam["key"], "pre": pre, "formal": [], "confirm": None,
                 "confirmed_at": None, "gave_up_at": None, "gave_up_reason": None,
                 "result_house": None, "result_status": None}
            )
        until = datetime(REFERENCE_DAY.year, REFERENCE_DAY.month, REFERENCE_DAY.day, tzinfo=_CST) - timedelta(hours=6)
        for row in rng.sample([r for r in rows if r["pre"]], 2):
            row["gave_up_at"] = self._moment(pre_open, until)
            row["gave_up_reason"] = rng.choice(_GIVE_UP_REASONS)
        by_key = {f["key"]: f for f in families}
        for row in rows:
            by_key[row["family"]]["status"] = FamilyStatus.GAVE_UP if row["gave_up_at"] else FamilyStatus.WAITING
        self.round_families += rows

    # -- everything -------------------------------------------------------

    def build(self) -> dict[str, list[dict[str, Any]]]:
        self.build_persons()
        self.build_organisations()
        self.build_org_agents()
        self.build_homes()
        self.build_proxies()
        self.build_families()
        self.build_allocation()
        return {
            "operators": [dict(op) for op in _OPERATORS],
            "persons": self.persons,
            "person_documents": self.documents,
            "organisations": self.organisations,
            "org_agents": self.org_agents,
            "owner_proxies": self.proxies,
            "homes": self.homes,
            "home_owners": self.home_owners,
            "families": self.families,
            "family_members": self.family_members,
            "public_houses": self.public_houses,
            "rounds": self.rounds,
            "round_families": self.round_families,
            "supplementary_applications": self.supplementary,
        }


def generate(seed: int = SEED) -> dict[str, list[dict[str, Any]]]:
    """Every sample table as lists of JSON-ready dicts (deterministic for ``seed``)."""
    return SampleBuilder(seed).build()


def dumps(rows: list[dict[str, Any]]) -> str:
    """One record per line: readable, and a regeneration diffs line by line."""
    if not rows:
        return "[]\n"
    return "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n"


def write(directory: Path, data: dict[str, list[dict[str, Any]]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        (directory / f"{name}.json").write_text(dumps(data[name]), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m demo.sample_gen DIRECTORY", file=sys.stderr)
        return 2
    directory = Path(args[0])
    data = generate()
    write(directory, data)
    for name in FILES:
        print(f"{name:18} {len(data[name]):5d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
