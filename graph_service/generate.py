"""Deterministic synthetic relationship graphs at any scale, for tests, demos and benchmarks.

A graph of ``people`` persons is laid out once as a small plan (a few arrays of
one entry per company); every record is then computed on demand from the seed
and its index, so each kind is a stream in memory proportional to the number of
companies, never to the number of persons or ties, and any kind can be produced
without the others.

The shape of the data
---------------------
Companies
    ``c00001`` is our own company; the others have Pareto-distributed sizes
    with shape ``alpha = log 5 / log 4 ~ 1.16``, the 80/20 rule of the domain
    (a fifth of the companies employ about four fifths of the people), and
    varied industry, ownership, status, health and payment reputation.
Persons and careers
    ``p0000001`` .. ``p<team_size>`` are our team (``internal``), working at
    ``c00001`` in sales titles. Every other person currently works at one
    company (a pseudo-random permutation spreads ids over companies) and has
    0-3 earlier employments before it, in sequence, each 1-8 years long with
    gaps of up to a year; job moves prefer the same industry. Some current
    employments have ended, some senior people hold an overlapping board seat.
    Titles are real-looking English or Chinese titles of the three decision
    layers; the layer is stated for some employments and left ``None`` for
    others (to be inferred from the title). All dates of one person share one
    precision (day, month or year) and are rounded down to it.
Ties (small world)
    Each person emits about ``ties_per_person`` ties, so the average degree is
    about twice that. The aim is 60 % to current colleagues (70 % of them
    within a department: a window of nearby positions in the company), 25 %
    to former colleagues (people now at a company the person left, who joined
    it before the person left) and 15 % random long-range ties (friends,
    associations, events). Former colleagues that cannot be found go to
    current colleagues, and colleagues a small company cannot supply go to
    long-range ties: at the default density about half of a contact's ties
    are current colleagues, an eighth former colleagues, the rest long-range;
    clustering is an order of magnitude above a random graph's and any two
    persons are a few hops apart. A pair is emitted only by the side a hash of
    the pair picks, so no pair appears twice. Each team member additionally
    knows about ``25 * ties_per_person`` people, mostly at a dozen focus
    accounts (large customers, prospects and partners).
Interactions and referrals
    Dated 2018-01-01 .. 2024-12-31 (never before the tie they run along);
    participants are the initiator's ties. Referrals introduce a tie of the
    referrer to a team member, to a third person, or to us (``to_id`` empty).

Raw rows and files
------------------
:meth:`Synthetic.rows` yields plain dicts shaped like the model (ids left out
where the model derives them, lists as lists, dates as ``date``/``datetime``),
already normalised the way the model's validators would normalise them;
:meth:`Synthetic.tie_rows` yields bare ``(a, b, strength)`` tuples for
benchmarks. :func:`write_files` writes one CSV or JSONL file per kind in the
import format: CSV header = model field names, lists joined with ``;``, ISO
dates, empty cell = null; JSONL has one object per line with JSON arrays.

Command line::

    python -m graph_service.generate --people 10000 --out DIR --format csv
"""

from __future__ import annotations

import argparse
import bisect
import csv
import json
import math
import random
import sys
import time
from array import array
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import NamedTuple

from graph_service.model import ENTITY_MODELS, Record

KINDS: tuple[str, ...] = ("person", "company", "employment", "tie", "interaction", "referral")
"""Kinds in import order: every id a record refers to is defined by an earlier kind."""

FILE_STEMS: dict[str, str] = {
    "person": "persons",
    "company": "companies",
    "employment": "employments",
    "tie": "ties",
    "interaction": "interactions",
    "referral": "referrals",
}

AS_OF = date(2025, 1, 1)
"""The generated world's 'today': fixed, so output does not depend on the clock."""
EARLIEST = date(1985, 1, 1)
INTERACTIONS_FROM = date(2018, 1, 1)
PARETO_ALPHA = math.log(5) / math.log(4)
TEAM_TIE_FACTOR = 25
TEAM_INTERACTION_FACTOR = 25
FOCUS_ACCOUNTS = 12
DEPARTMENT = 10
"""Half-width, in positions, of the window most colleague ties are drawn from."""
TENURE = 20 * 365
"""Longest tenure, in days, of a current employment."""

P_COLLEAGUE, P_FORMER = 0.60, 0.25

_AS = AS_OF.toordinal()
_EARLY = EARLIEST.toordinal()
_IFROM = INTERACTIONS_FROM.toordinal()
_M64 = (1 << 64) - 1
_K1, _K2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9
_LONG_FROM = date(1999, 1, 1).toordinal()
_PRECISIONS = ("day", "month", "year")

# ---------------------------------------------------------------------------
# Vocabulary

INDUSTRIES = (
    "energy", "chemicals", "steel", "automotive", "machinery", "electronics", "telecom", "healthcare",
    "logistics", "construction", "food", "banking", "retail", "software", "mining", "utilities",
)
_INDUSTRY_WORDS = {
    "energy": ("Energy", "Power", "Petroleum"), "chemicals": ("Chemicals", "Polymers", "Materials"),
    "steel": ("Steel", "Metals", "Alloys"), "automotive": ("Motors", "Automotive", "Mobility"),
    "machinery": ("Machinery", "Industrial", "Equipment"), "electronics": ("Electronics", "Semiconductor", "Devices"),
    "telecom": ("Telecom", "Networks", "Communications"), "healthcare": ("Health", "Medical", "Pharma"),
    "logistics": ("Logistics", "Freight", "Shipping"), "construction": ("Construction", "Building", "Engineering"),
    "food": ("Foods", "Dairy", "Agri"), "banking": ("Bank", "Capital", "Financial"),
    "retail": ("Retail", "Stores", "Trading"), "software": ("Software", "Systems", "Digital"),
    "mining": ("Mining", "Resources", "Minerals"), "utilities": ("Water", "Utilities", "Grid"),
}
_ZH_INDUSTRY = {
    "energy": "能源", "chemicals": "化工", "steel": "钢铁", "automotive": "汽车", "machinery": "重工",
    "electronics": "电子", "telecom": "通信", "healthcare": "医药", "logistics": "物流", "construction": "建设",
    "food": "食品", "banking": "银行", "retail": "商贸", "software": "软件", "mining": "矿业", "utilities": "水务",
}
_PREFIXES = (
    "Northwind", "Blue River", "Summit", "Granite", "Pacific", "Atlas", "Crescent", "Evergreen", "Redwood",
    "Silverline", "Harbor", "Keystone", "Meridian", "Pinnacle", "Riverside", "Sterling", "Apex", "Beacon",
    "Cobalt", "Frontier", "Horizon", "Ironwood", "Lakeshore", "Orion", "Prairie", "Sequoia", "Tidewater",
    "Vanguard", "Westbrook", "Zenith",
)
_SUFFIXES = ("Group", "Inc.", "Ltd.", "Holdings", "Corp.", "AG", "GmbH", "plc", "Co.", "S.A.")
_ZH_PLACES = ("华东", "华北", "华南", "西部", "中原", "东方", "长江", "珠江", "北方", "海峡")
_ZH_SUFFIXES = ("集团", "股份有限公司", "有限公司", "控股")

_FIRST = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Carlos", "Karen",
    "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra", "Mark", "Ashley", "Steven", "Emily",
    "Andrew", "Laura", "Kenji", "Priya", "Lars", "Sofia", "Ahmed", "Olga", "Pierre", "Ana",
)
_LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee",
    "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "Allen", "King", "Wright",
    "Schmidt", "Nakamura", "Patel", "Johansson", "Rossi", "Dubois", "Novak", "Kowalski", "Silva", "Cohen",
)
_ZH_SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("黄", "huang"),
    ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"),
)
_ZH_GIVEN = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("强", "qiang"), ("磊", "lei"),
    ("洋", "yang"), ("艳", "yan"), ("勇", "yong"), ("军", "jun"), ("杰", "jie"), ("建华", "jianhua"),
    ("晓明", "xiaoming"), ("海燕", "haiyan"), ("志强", "zhiqiang"),
)
_SCHOOLS = ("tsinghua", "wharton", "insead", "mit", "fudan", "lse", "stanford", "ceibs")


class Title(NamedTuple):
    title: str
    department: str
    seniority: int


_LAYERS = ("user_influencer", "executor", "decision_maker")
_TITLES_EN: tuple[tuple[Title, ...], ...] = (
    (  # user / influencer
        Title("Engineer", "Engineering", 2), Title("Senior Engineer", "Engineering", 3),
        Title("Plant Manager", "Production", 5), Title("Operations Manager", "Operations", 4),
        Title("Maintenance Supervisor", "Maintenance", 3), Title("Quality Engineer", "Quality", 2),
        Title("Production Manager", "Production", 4), Title("Financial Analyst", "Finance", 1),
        Title("Lab Technician", "R&D", 1), Title("Facilities Manager", "Facilities", 3),
        Title("HSE Officer", "HSE", 2), Title("Research Scientist", "R&D", 3),
    ),
    (  # executor
        Title("Procurement Manager", "Procurement", 5), Title("Purchasing Director", "Procurement", 6),
        Title("Head of Strategic Sourcing", "Procurement", 6), Title("Category Buyer", "Procurement", 3),
        Title("Project Manager", "Projects", 5), Title("Technical Director", "Engineering", 6),
        Title("IT Director", "IT", 6), Title("Supply Chain Manager", "Supply Chain", 5),
        Title("Senior Buyer", "Procurement", 4),
    ),
    (  # decision maker
        Title("Chief Executive Officer", "Executive Office", 9), Title("President", "Executive Office", 9),
        Title("Chairman", "Board", 10), Title("General Manager", "Executive Office", 8),
        Title("Managing Director", "Executive Office", 8), Title("Chief Operating Officer", "Operations", 8),
        Title("Chief Financial Officer", "Finance", 8), Title("Chief Technology Officer", "Technology", 8),
    ),
)
_TITLES_ZH: tuple[tuple[Title, ...], ...] = (
    (Title("工程师", "技术部", 2), Title("设备主管", "设备部", 3), Title("车间主任", "生产部", 4), Title("质量工程师", "质量部", 2)),
    (Title("采购经理", "采购部", 5), Title("项目经理", "项目部", 5), Title("技术总监", "技术部", 6), Title("供应链经理", "供应链部", 5)),
    (Title("总经理", "总经理办公室", 8), Title("董事长", "董事会", 10), Title("副总经理", "总经理办公室", 7)),
)
_SALES_TITLES = (
    Title("Key Account Manager", "Sales", 4), Title("Sales Director", "Sales", 6), Title("Sales Engineer", "Sales", 3),
    Title("Vice President, Sales", "Sales", 7), Title("Business Development Manager", "Sales", 4),
    Title("大客户经理", "销售部", 4),
)
_BOARD_TITLES = (Title("Board Member", "Board", 9), Title("Independent Director", "Board", 9), Title("独立董事", "董事会", 9))
_EMPLOYMENT_SOURCES = ("web_research", "company_archives", "sales_accounts", "company_executives", "personal_network")
_LONG_RANGE = (
    ("friend", "personal_network"), ("association", "industry_associations"), ("event", "sales_accounts"),
    ("partner", "business_partners"), ("customer", "customer_referrals"), ("other", "web_research"),
)
_TEAM_TYPES = ("visit", "meeting", "call", "email", "site_survey", "trade_show", "event", "trial", "gift", "visit", "meeting", "call")
_PEER_TYPES = ("email", "email", "email", "call", "call", "meeting", "meeting", "event", "other")
_SUBJECTS = {
    "visit": ("Account visit", "Quarterly business review", "拜访客户"),
    "meeting": ("Project kickoff", "Budget planning", "Technical exchange", "技术交流"),
    "call": ("Follow-up call", "Pricing discussion", ""),
    "email": ("Proposal", "Re: delivery schedule", "Meeting notes", ""),
    "site_survey": ("Site survey", "现场勘察"),
    "trade_show": ("Industry expo", "Trade fair booth", "行业展会"),
    "event": ("Golf day", "Customer dinner", "Tea with the plant team", "商务宴请"),
    "trial": ("Free trial follow-up", "试用回访"),
    "gift": ("Branded gift", "节日礼品"),
    "other": ("", "Catch-up"),
}
_OUTCOMES = ("pending", "pending", "met", "met", "met", "won", "declined", "none")
_REFERRAL_SOURCES = ("customer_referrals", "customer_referrals", "personal_network", "industry_associations", "business_partners")


def _mix(x: int) -> int:
    """splitmix64 finaliser: a well-spread 64-bit hash of an integer."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _pick(rng: random.Random, weights: Sequence[float], values: Sequence[str]) -> str:
    r = rng.random() * sum(weights)
    for weight, value in zip(weights, values):
        r -= weight
        if r < 0:
            return value
    return values[-1]


class Job(NamedTuple):
    """One employment of a generated career; dates as ordinals, already rounded to the precision."""

    company: int
    start: int
    end: int | None
    title: Title
    layer: str | None
    board: bool


class Synthetic:
    """One synthetic world: a plan of companies plus per-kind streams computed from the seed.

    Parameters
    ----------
    people
        Number of persons, our team included.
    companies
        Number of companies, our own included; default ``max(2, people // 20)``.
    ties_per_person
        Ties each person emits on average; the average degree is about twice this.
    interactions_per_person, referrals_per_person
        Interactions initiated and referrals made per person on average (team
        members initiate ``25x`` as many interactions and make no referrals).
    team_size
        The first ``team_size`` persons are our team.
    seed
        Same seed and parameters, same output, on every platform.
    """

    def __init__(
        self,
        people: int,
        *,
        companies: int | None = None,
        ties_per_person: float = 10.0,
        interactions_per_person: float = 3.0,
        referrals_per_person: float = 0.05,
        team_size: int = 20,
        seed: int = 0,
    ) -> None:
        if people < 2:
            raise ValueError("people: at least 2")
        if min(ties_per_person, interactions_per_person, referrals_per_person) < 0 or team_size < 0:
            raise ValueError("ties_per_person, interactions_per_person, referrals_per_person, team_size: not negative")
        self.people = people
        self.companies = max(2, people // 20) if companies is None else companies
        if self.companies < 2:
            raise ValueError("companies: at least 2 (our own and one other)")
        self.ties_per_person = ties_per_person
        self.interactions_per_person = interactions_per_person
        self.referrals_per_person = referrals_per_person
        self.team_size = min(team_size, people)
        self.seed = seed
        self._pfmt = f"p%0{max(7, len(str(people)))}d"
        self._cfmt = f"c%0{max(5, len(str(self.companies)))}d"
        self._salts = {kind: _mix((seed << 8) ^ code) for code, kind in enumerate(
            ("plan", "start", "career", "tie", "interaction", "referral", "name", "company", "own", "focus", "person"))}
        self._own = self._salts["own"]
        self._plan()
        self._snap_tables()

    # -- plan ---------------------------------------------------------------

    def _plan(self) -> None:
        """Company weights and industries, the position ranges of current staff, the id permutation."""
        rng = random.Random(self._salts["plan"])
        n_companies = self.companies
        cap = 2 * n_companies ** (1 / PARETO_ALPHA)  # about twice the expected largest: no one company takes half the world
        weights = [0.0] + [min(cap, rng.paretovariate(PARETO_ALPHA)) for _ in range(n_companies - 1)]
        self._industry = bytes([0] + [int(rng.random() * len(INDUSTRIES)) for _ in range(n_companies - 1)])
        total = sum(weights)
        m = self.people - self.team_size
        self._m = m
        cum, running = array("q", [0]), 0.0
        cumw = array("d")
        for w in weights:
            running += w
            cum.append(round(m * running / total))
            cumw.append(running)
        self._cum = cum  # company c employs positions cum[c] .. cum[c+1]-1
        self._cumw = cumw
        self._by_industry: list[tuple[array, array]] = []
        for code in range(len(INDUSTRIES)):
            members = array("q", (c for c in range(1, n_companies) if self._industry[c] == code))
            acc, run = array("d"), 0.0
            for c in members:
                run += weights[c]
                acc.append(run)
            self._by_industry.append((members, acc))
        ranks: dict[int, int] = {}
        for members, _ in self._by_industry:
            for rank, c in enumerate(sorted(members, key=lambda c: -weights[c]), start=1):
                ranks[c] = rank
        self._rank = array("q", (ranks.get(c, 0) for c in range(n_companies)))
        if m > 1:
            a = int(m * 0.6180339887498949) | 1
            while math.gcd(a, m) != 1:
                a += 2 if a + 2 < m else -(a - 1)
            self._a, self._b = a, int(rng.random() * m)
        else:
            self._a, self._b = 1, 0
        self._a_inv = pow(self._a, -1, m) if m > 1 else 1

    def _snap_tables(self) -> None:
        """Rounding a day down to its month or year, by table (``[ordinal - EARLIEST]``)."""
        month, year = array("q"), array("q")
        for o in range(_EARLY, _AS + 1):
            d = date.fromordinal(o)
            month.append(date(d.year, d.month, 1).toordinal())
            year.append(date(d.year, 1, 1).toordinal())
        self._snap = (None, month, year)

    def _round(self, ordinal: int, precision: int) -> int:
        table = self._snap[precision]
        return ordinal if table is None else table[max(ordinal, _EARLY) - _EARLY]

    def person_id(self, index: int) -> str:
        return self._pfmt % (index + 1)

    def company_id(self, index: int) -> str:
        return self._cfmt % (index + 1)

    @property
    def team_ids(self) -> list[str]:
        return [self.person_id(t) for t in range(self.team_size)]

    def company_size(self, company: int) -> int:
        """Persons whose current (latest) employment is at ``company``; our team at ours."""
        return self.team_size if company == 0 else self._cum[company + 1] - self._cum[company]

    def _position(self, person: int) -> int:
        return (self._a * (person - self.team_size) + self._b) % self._m

    def _at_position(self, position: int) -> int:
        return self.team_size + ((position - self._b) * self._a_inv) % self._m

    def _company_at(self, position: int) -> int:
        return bisect.bisect_right(self._cum, position) - 1

    def current_company(self, person: int) -> int:
        return 0 if person < self.team_size else self._company_at(self._position(person))

    def _weighted_company(self, rng: random.Random, industry: int | None = None) -> int:
        if industry is not None:
            members, acc = self._by_industry[industry]
            if members:
                return members[min(bisect.bisect_right(acc, rng.random() * acc[-1]), len(members) - 1)]
        return min(bisect.bisect_right(self._cumw, rng.random() * self._cumw[-1]), self.companies - 1)

    def _status(self, company: int) -> str:
        if company == 0:
            return "other"
        r = (_mix(self._salts["company"] ^ company) & 0xFFFF) / 0x10000
        for bound, status in ((0.45, "prospect"), (0.62, "customer"), (0.70, "partner"), (0.75, "competitor"), (0.77, "association")):
            if r < bound:
                return status
        return "other"

    # -- careers --------------------------------------------------------------

    def _current_start(self, person: int) -> tuple[int, int]:
        """Start (ordinal, rounded) of a person's latest employment, and the person's date precision.

        Within a company, lower positions joined earlier (up to ``TENURE`` days
        ago), so the people who overlapped with someone who left on a given day
        form a prefix of the company's range (see :meth:`_overlap_end`).
        """
        h = _mix(self._salts["start"] ^ person)
        r = (h >> 40) % 20
        precision = 1 if r < 12 else 0 if r < 17 else 2
        if person < self.team_size:
            return self._round(_AS - 60 - h % (10 * 365), precision), precision
        position = self._position(person)
        company = self._company_at(position)
        lo, hi = self._cum[company], self._cum[company + 1]
        offset = 60 + int(((hi - 1 - position) + (h & 0xFFFF) / 0x10000) * TENURE / (hi - lo))
        return self._round(_AS - offset, precision), precision

    def _overlap_end(self, company: int, day: int) -> int:
        """End of the prefix of ``company``'s positions whose current employment started before ``day``."""
        lo, hi = self._cum[company], self._cum[company + 1]
        need = _AS - 60 - day + 1
        return min(hi, hi + (-need * (hi - lo)) // TENURE)

    def _is_chinese(self, person: int) -> bool:
        return _mix(self._salts["name"] ^ person) % 100 < 12

    def career(self, person: int) -> list[Job]:
        """The person's employments, oldest first; board seats last."""
        return self._career(person)[0]

    def _career(self, person: int) -> tuple[list[Job], random.Random]:
        """The career and the random stream after it, which :meth:`ties_of` continues."""
        rng = random.Random(_mix(self._salts["career"] ^ person))
        start, precision = self._current_start(person)
        chinese = self._is_chinese(person)
        titles = _TITLES_ZH if chinese and rng.random() < 0.7 else _TITLES_EN
        team = person < self.team_size
        company = self.current_company(person)
        r = rng.random()
        level = 2 if r < 0.08 else 1 if r < 0.33 else 0
        end = None
        if not team and rng.random() < 0.05:
            end = self._round(start + int(rng.random() * (_AS - start)), precision)
        if team:
            jobs = [Job(0, start, None, _SALES_TITLES[int(rng.random() * len(_SALES_TITLES))], None, False)]
        else:
            jobs = [self._job(rng, titles, company, start, end, level, False)]
        r = rng.random()
        previous = 0 if r < 0.35 else 1 if r < 0.70 else 2 if r < 0.90 else 3
        if team:
            previous = max(previous, 1)
        later_start, later_company, later_level = start, company, level
        for _ in range(previous):
            r = rng.random()
            gap = 0 if r < 0.4 else 1 + int(rng.random() * 120) if r < 0.8 else 120 + int(rng.random() * 280)
            job_end = later_start - gap
            job_start = job_end - 365 - int(rng.random() * 7 * 365)
            if job_start < _EARLY:
                break
            industry = self._industry[later_company] if later_company and rng.random() < 0.6 else None
            former = self._weighted_company(rng, industry)
            for _ in range(4):
                if former != later_company:
                    break
                former = self._weighted_company(rng)
            former_level = max(0, later_level - (rng.random() < 0.4))
            jobs.append(self._job(rng, titles, former, self._round(job_start, precision),
                                  self._round(job_end, precision), former_level, False))
            later_start, later_company, later_level = job_start, former, former_level
        jobs.reverse()
        if not team and ((level == 2 and rng.random() < 0.3) or rng.random() < 0.01):
            seat = self._weighted_company(rng)
            if seat != company:
                seat_start = self._round(start + int(rng.random() * (_AS - start)), precision)
                seat_end = None if rng.random() < 0.7 else self._round(seat_start + int(rng.random() * (_AS - seat_start)), precision)
                title = _BOARD_TITLES[int(rng.random() * len(_BOARD_TITLES))]
                jobs.append(Job(seat, seat_start, seat_end, title, "decision_maker" if rng.random() < 0.5 else None, True))
        return jobs, rng

    @staticmethod
    def _job(rng: random.Random, titles: tuple[tuple[Title, ...], ...], company: int, start: int,
             end: int | None, level: int, board: bool) -> Job:
        choices = titles[level]
        title = choices[int(rng.random() * len(choices))]
        layer = _LAYERS[level] if rng.random() < 0.4 else None
        return Job(company, start, end, title, layer, board)

    # -- ties -------------------------------------------------------------------

    def _owns(self, p: int, q: int) -> bool:
        """Whether ``p`` emits the pair ``{p, q}``: one side, picked by a hash of the pair.

        :meth:`ties_of` inlines this test in its loops; keep the two the same.
        """
        lo, hi = (p, q) if p < q else (q, p)
        bit = ((((lo * _K1 + hi) ^ self._own) * _K2) >> 61) & 1
        return (p == lo) == bool(bit)

    def _count(self, rng: random.Random, mean: float) -> int:
        whole = int(mean)
        return whole + (rng.random() < mean - whole)

    def ties_of(self, person: int) -> list[tuple[int, float, str, str, int]]:
        """The ties ``person`` emits: ``(other, strength, kind, source, since_ordinal)``.

        The hot path of the generator: helpers are inlined.
        """
        if person < self.team_size:
            return self._team_ties(person)
        jobs, rng = self._career(person)
        rand = rng.random
        main = [j for j in jobs if not j.board]
        current, past = main[-1], main[:-1]
        T, m, a_inv, b, cum, own = self.team_size, self._m, self._a_inv, self._b, self._cum, self._own
        lo, hi = cum[current.company], cum[current.company + 1]
        size = hi - lo
        here = self._position(person)
        pk = person * _K1
        target = self._count(rng, self.ties_per_person)
        out: list[tuple[int, float, str, str, int]] = []
        append = out.append
        seen = {person}
        # quotas: colleagues a small company cannot supply go to former colleagues, then to long-range ties
        colleagues = round(target * P_COLLEAGUE)
        cap = size // 2  # about the colleagues whose pair this person emits
        former = round(target * P_FORMER) + max(0, colleagues - cap) if past else 0
        close = colleagues + round(target * P_FORMER)
        # former colleagues: people now where the person was before, who joined before the person left
        for _ in range(3 * former):
            if len(out) >= former:
                break
            job = past[int(rand() * len(past))]
            flo = cum[job.company]
            fend = self._overlap_end(job.company, job.end)
            if fend <= flo:
                continue
            position = flo + int(rand() * (fend - flo))
            q = T + ((position - b) * a_inv) % m
            if q in seen or (((((q * _K1 + person) ^ own) * _K2) >> 61) & 1 if q < person else not ((((pk + q) ^ own) * _K2) >> 61) & 1):
                continue
            seen.add(q)
            q_start = _AS - 60 - (cum[job.company + 1] - 1 - position) * TENURE // (cum[job.company + 1] - flo)
            since = max(job.start, q_start)
            since += int(rand() * max(1, min(90, job.end - since)))
            append((q, (50 + int(rand() * 700)) / 1000, "colleague", "personal_network", since))
        # current colleagues, mostly within the department (a window of nearby positions)
        colleagues = min(close - len(out), cap)
        limit = len(out) + colleagues
        span = 2 * DEPARTMENT + 1
        for _ in range(3 * colleagues):
            if len(out) >= limit:
                break
            if rand() < 0.7:
                position = here + int(rand() * span) - DEPARTMENT
                position = lo if position < lo else hi - 1 if position >= hi else position
            else:
                position = lo + int(rand() * size)
            q = T + ((position - b) * a_inv) % m
            if q in seen or (((((q * _K1 + person) ^ own) * _K2) >> 61) & 1 if q < person else not ((((pk + q) ^ own) * _K2) >> 61) & 1):
                continue
            seen.add(q)
            q_start = _AS - 60 - (hi - 1 - position) * TENURE // size
            since = max(current.start, q_start) + int(rand() * 180)
            append((q, (150 + int(rand() * 850)) / 1000, "colleague", "company_archives", since if since < _AS else _AS - 1))
        # long-range ties make the world small
        for _ in range(3 * target):
            if len(out) >= target:
                break
            q = T + int(rand() * m)
            if q in seen or (((((q * _K1 + person) ^ own) * _K2) >> 61) & 1 if q < person else not ((((pk + q) ^ own) * _K2) >> 61) & 1):
                continue
            seen.add(q)
            kind, source = _LONG_RANGE[int(rand() * 6)]
            append((q, (50 + int(rand() * 550)) / 1000, kind, source, _LONG_FROM + int(rand() * (_AS - _LONG_FROM))))
        return out

    def focus_accounts(self, member: int) -> list[int]:
        """The accounts a team member works: large companies that are customers, prospects or partners."""
        rng = random.Random(_mix(self._salts["focus"] ^ member))
        accounts: list[int] = []
        for _ in range(20 * FOCUS_ACCOUNTS):
            if len(accounts) >= FOCUS_ACCOUNTS:
                break
            c = self._weighted_company(rng)
            if c and c not in accounts and self.company_size(c) > 0 and self._status(c) in ("customer", "prospect", "partner"):
                accounts.append(c)
        return accounts

    def _team_ties(self, member: int) -> list[tuple[int, float, str, str, int]]:
        """A team member's ties: the rest of the team, contacts at the focus accounts, former colleagues, friends."""
        jobs, rng = self._career(member)
        start = jobs[-1].start
        out = [
            (other, round(0.5 + 0.5 * rng.random(), 3), "colleague", "company_archives",
             max(start, self._current_start(other)[0]))
            for other in range(member + 1, self.team_size)
        ]
        if self._m == 0:
            return out
        past = [j for j in jobs[:-1] if j.end is not None]
        accounts = self.focus_accounts(member)
        cum, seen = self._cum, {member}
        target = len(out) + min(self._m, round(self.ties_per_person * TEAM_TIE_FACTOR))
        for _ in range(4 * target + 8):
            if len(out) >= target:
                break
            r = rng.random()
            if r < 0.65 and accounts:
                c = accounts[int(rng.random() * len(accounts))]
                q = self._at_position(cum[c] + int(rng.random() * (cum[c + 1] - cum[c])))
                kind, source = ("partner", "business_partners") if self._status(c) == "partner" else ("customer", "sales_accounts")
                strength = round(0.1 + 0.9 * rng.random() ** 1.5, 3)
                since = start + int(rng.random() * (_AS - start))
            elif r < 0.80 and past:
                job = past[int(rng.random() * len(past))]
                flo, fend = cum[job.company], self._overlap_end(job.company, job.end)
                if fend <= flo:
                    continue
                q = self._at_position(flo + int(rng.random() * (fend - flo)))
                kind, source, strength = "colleague", "personal_network", round(0.1 + 0.7 * rng.random(), 3)
                since = max(job.start, self._current_start(q)[0])
                since += int(rng.random() * max(1, job.end - since))
            else:
                q = self.team_size + int(rng.random() * self._m)
                kind, source = _LONG_RANGE[int(rng.random() * len(_LONG_RANGE))]
                strength = round(0.05 + 0.6 * rng.random(), 3)
                since = _LONG_FROM + int(rng.random() * (_AS - _LONG_FROM))
            if q in seen:
                continue
            seen.add(q)
            out.append((q, strength, kind, source, min(since, _AS - 1)))
        return out

    # -- raw rows -----------------------------------------------------------------

    def tie_rows(self) -> Iterator[tuple[str, str, float]]:
        """Every tie as a bare ``(a, b, strength)`` with ``a < b``: the fast path for benchmarks."""
        pfmt, ties_of = self._pfmt, self.ties_of
        for p in range(self.people):
            a = pfmt % (p + 1)
            for q, strength, _, _, _ in ties_of(p):
                b = pfmt % (q + 1)
                yield (a, b, strength) if p < q else (b, a, strength)

    def rows(self, kind: str) -> Iterator[dict[str, object]]:
        """Raw rows of one kind, shaped and normalised like the model, without validation."""
        try:
            return getattr(self, f"_{kind}_rows")()
        except AttributeError:
            raise ValueError(f"kind: one of {', '.join(KINDS)}") from None

    def records(self, kind: str) -> Iterator[Record]:
        """Validated model records of one kind, streamed."""
        model = ENTITY_MODELS[kind]
        return (model(**row) for row in self.rows(kind))

    def _person_rows(self) -> Iterator[dict[str, object]]:
        salt = self._salts["name"]
        tag_salt = self._salts["person"]
        for p in range(self.people):
            h = _mix(salt ^ p)
            if h % 100 < 12:
                surname, s_pinyin = _ZH_SURNAMES[(h >> 8) % len(_ZH_SURNAMES)]
                given, g_pinyin = _ZH_GIVEN[(h >> 16) % len(_ZH_GIVEN)]
                name, local = surname + given, f"{g_pinyin}.{s_pinyin}"
            else:
                first, last = _FIRST[(h >> 8) % len(_FIRST)], _LAST[(h >> 16) % len(_LAST)]
                name, local = f"{first} {last}", f"{first}.{last}".lower()
            team = p < self.team_size
            t = _mix(tag_salt ^ p) % 1000
            tags = ["team"] if team else ["industry-figure"] if t < 5 else [f"alumni-{_SCHOOLS[t % len(_SCHOOLS)]}"] if t < 60 else []
            yield {
                "id": self.person_id(p),
                "name": name,
                "emails": [f"{local}.{p + 1}@{self._domain(self.current_company(p))}"],
                "internal": team,
                "tags": tags,
            }

    def _domain(self, company: int) -> str:
        return "ours.example" if company == 0 else f"{self.company_id(company)}.example"

    def _company_rows(self) -> Iterator[dict[str, object]]:
        for c in range(self.companies):
            yield self._company_row(c)

    def _company_row(self, c: int) -> dict[str, object]:
        if c == 0:
            return {"id": self.company_id(0), "name": "Our Company Ltd.", "domain": self._domain(0), "industry": "machinery",
                    "industry_rank": None, "ownership": "private", "employees": max(self.team_size * 10, 50),
                    "revenue": 2.5e7, "status": "other", "health": "growing", "payment_reputation": "good",
                    "account_kind": "unknown"}
        rng = random.Random(_mix(self._salts["company"] ^ (c << 1)))
        industry = INDUSTRIES[self._industry[c]]
        if rng.random() < 0.1:
            name = _ZH_PLACES[c % len(_ZH_PLACES)] + _ZH_INDUSTRY[industry] + _ZH_SUFFIXES[(c // 10) % len(_ZH_SUFFIXES)]
        else:
            word = _INDUSTRY_WORDS[industry][(c // len(_PREFIXES)) % 3]
            name = f"{_PREFIXES[c % len(_PREFIXES)]} {word} {_SUFFIXES[(c // 90) % len(_SUFFIXES)]}"
        size = self.company_size(c)
        employees = int(max(size, 1) * (20 + rng.random() * 280)) if rng.random() < 0.85 else None
        return {
            "id": self.company_id(c),
            "name": name,
            "domain": self._domain(c),
            "industry": industry,
            "industry_rank": self._rank[c] if rng.random() < 0.4 else None,
            "ownership": _pick(rng, (15, 40, 10, 20, 12, 3), ("state_owned", "private", "individual", "listed", "foreign", "other")),
            "employees": employees,
            "revenue": round(employees * (5e4 + rng.random() * 5.5e5), -3) if employees and rng.random() < 0.8 else None,
            "status": self._status(c),
            "health": _pick(rng, (35, 35, 15, 15), ("growing", "stable", "declining", "unknown")),
            "payment_reputation": _pick(rng, (45, 25, 10, 20), ("good", "fair", "poor", "unknown")),
            "account_kind": _pick(rng, (30, 25, 15, 30), ("steady", "growing", "price_insensitive", "unknown")),
        }

    def _employment_rows(self) -> Iterator[dict[str, object]]:
        for p in range(self.people):
            pid = self.person_id(p)
            precision = _PRECISIONS[self._current_start(p)[1]]
            source = _EMPLOYMENT_SOURCES[_mix(self._salts["career"] ^ ~p) % len(_EMPLOYMENT_SOURCES)]
            for job in self.career(p):
                yield {
                    "person_id": pid,
                    "company_id": self.company_id(job.company),
                    "title": job.title.title,
                    "department": job.title.department,
                    "decision_layer": job.layer,
                    "seniority": job.title.seniority if job.layer else None,
                    "start": date.fromordinal(job.start),
                    "end": date.fromordinal(job.end) if job.end is not None else None,
                    "precision": precision,
                    "source": source,
                }

    def _tie_rows(self) -> Iterator[dict[str, object]]:
        pid = self.person_id
        for p in range(self.people):
            a = pid(p)
            team = p < self.team_size
            for q, strength, kind, source, since in self.ties_of(p):
                b = pid(q)
                private = team and q >= self.team_size and (q * 7919 + p) % 20 == 0
                yield {
                    "a": min(a, b),
                    "b": max(a, b),
                    "strength": strength,
                    "kind": kind,
                    "source": source,
                    "since": date.fromordinal(since),
                    "notes": "",
                    "owner": a if team else None,
                    "visibility": "private" if private else "team",
                }

    def _interaction_rows(self) -> Iterator[dict[str, object]]:
        pid = self.person_id
        team_ids = self.team_ids
        for p in range(self.people):
            ties = self.ties_of(p)
            if not ties:
                continue
            team = p < self.team_size
            rng = random.Random(_mix(self._salts["interaction"] ^ p))
            mean = self.interactions_per_person * (TEAM_INTERACTION_FACTOR if team else 1)
            initiator = pid(p)
            for _ in range(self._count(rng, mean)):
                kind = (_TEAM_TYPES if team else _PEER_TYPES)[int(rng.random() * (len(_TEAM_TYPES) if team else len(_PEER_TYPES)))]
                r = rng.random()
                size = 1 if r < 0.7 else 2 + int(rng.random() * 2) if r < 0.9 or kind not in ("event", "trade_show") else 3 + int(rng.random() * 6)
                chosen = rng.sample(ties, min(size, len(ties)))
                participants = sorted({pid(t[0]) for t in chosen})
                cc: set[str] = set()
                if kind == "email" and rng.random() < 0.3:
                    cc.add(pid(ties[int(rng.random() * len(ties))][0]))
                if team and len(team_ids) > 1 and rng.random() < 0.2:
                    cc.add(team_ids[int(rng.random() * len(team_ids))])
                cc -= set(participants)
                cc.discard(initiator)
                earliest = max(_IFROM, max(t[4] for t in chosen) + 1)
                day = earliest + int(rng.random() * max(1, _AS - earliest))
                minute = 8 * 60 + int(rng.random() * 11 * 60)
                subjects = _SUBJECTS[kind]
                yield {
                    "type": kind,
                    "at": datetime.fromordinal(min(day, _AS - 1)).replace(hour=minute // 60, minute=minute % 60, tzinfo=timezone.utc),
                    "initiator": initiator,
                    "participants": participants,
                    "cc": sorted(cc),
                    "source": "sales_accounts" if team else "company_archives",
                    "subject": subjects[int(rng.random() * len(subjects))],
                    "owner": initiator if team else None,
                    "visibility": "team",
                }

    def _referral_rows(self) -> Iterator[dict[str, object]]:
        pid = self.person_id
        team_ids = self.team_ids
        for p in range(self.team_size, self.people):
            rng = random.Random(_mix(self._salts["referral"] ^ p))
            count = self._count(rng, self.referrals_per_person)
            if not count:
                continue
            ties = self.ties_of(p)
            if not ties:
                continue
            for _ in range(count):
                referred, _, _, _, since = ties[int(rng.random() * len(ties))]
                r = rng.random()
                to_id: str | None = None
                if r < 0.6 and team_ids:
                    to_id = team_ids[int(rng.random() * len(team_ids))]
                elif r < 0.75 and len(ties) > 1:
                    other = ties[int(rng.random() * len(ties))][0]
                    to_id = pid(other) if other != referred else None
                day = max(_IFROM, since) + int(rng.random() * max(1, _AS - max(_IFROM, since)))
                yield {
                    "referrer_id": pid(p),
                    "referred_id": pid(referred),
                    "to_id": to_id,
                    "on": date.fromordinal(min(day, _AS - 1)),
                    "outcome": _OUTCOMES[int(rng.random() * len(_OUTCOMES))],
                    "source": _REFERRAL_SOURCES[int(rng.random() * len(_REFERRAL_SOURCES))],
                    "notes": "",
                }


def generate(
    people: int,
    *,
    companies: int | None = None,
    ties_per_person: float = 10.0,
    interactions_per_person: float = 3.0,
    referrals_per_person: float = 0.05,
    team_size: int = 20,
    seed: int = 0,
) -> dict[str, Iterator[Record]]:
    """A synthetic world as validated record streams, one single-use iterator per kind, in :data:`KINDS` order.

    See :class:`Synthetic` for the parameters and the module docstring for the shape of the data.
    """
    world = Synthetic(people, companies=companies, ties_per_person=ties_per_person,
                      interactions_per_person=interactions_per_person, referrals_per_person=referrals_per_person,
                      team_size=team_size, seed=seed)
    return {kind: world.records(kind) for kind in KINDS}


def tie_rows(
    people: int,
    *,
    companies: int | None = None,
    ties_per_person: float = 10.0,
    team_size: int = 20,
    seed: int = 0,
) -> Iterator[tuple[str, str, float]]:
    """Bare ``(a, b, strength)`` tie rows, unvalidated: the fast path for benchmarks."""
    return Synthetic(people, companies=companies, ties_per_person=ties_per_person,
                     team_size=team_size, seed=seed).tie_rows()


# ---------------------------------------------------------------------------
# Files in the import format


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _json_default(value: object) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_files(
    out_dir: Path,
    world: Synthetic,
    *,
    format: str = "csv",
    kinds: Sequence[str] = KINDS,
) -> dict[str, tuple[Path, int]]:
    """Write one file per kind (``persons.csv``, ``ties.jsonl``, ...) in the import format.

    Rows are written from the raw stream (no model validation). Ids the model
    derives (employment, tie, interaction, referral) are left empty in CSV and
    left out in JSONL.

    Returns ``{kind: (path, rows written)}``.
    """
    if format not in ("csv", "jsonl"):
        raise ValueError("format: csv or jsonl")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, tuple[Path, int]] = {}
    for kind in kinds:
        path = out_dir / f"{FILE_STEMS[kind]}.{format}"
        count = 0
        with open(path, "w", newline="", encoding="utf-8") as file:
            if format == "csv":
                fields = list(ENTITY_MODELS[kind].model_fields)
                writer = csv.writer(file)
                writer.writerow(fields)
                for row in world.rows(kind):
                    writer.writerow([_cell(row.get(f)) for f in fields])
                    count += 1
            else:
                for row in world.rows(kind):
                    file.write(json.dumps(row, ensure_ascii=False, default=_json_default))
                    file.write("\n")
                    count += 1
        written[kind] = (path, count)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graph_service.generate", description="Write a deterministic synthetic graph as import files.")
    parser.add_argument("--people", type=int, required=True)
    parser.add_argument("--companies", type=int, default=None)
    parser.add_argument("--ties-per-person", type=float, default=10.0)
    parser.add_argument("--interactions-per-person", type=float, default=3.0)
    parser.add_argument("--referrals-per-person", type=float, default=0.05)
    parser.add_argument("--team-size", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated subset of " + ",".join(KINDS))
    args = parser.parse_args(argv)
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        parser.error(f"--kinds: unknown {', '.join(unknown)}")
    try:
        world = Synthetic(args.people, companies=args.companies, ties_per_person=args.ties_per_person,
                          interactions_per_person=args.interactions_per_person,
                          referrals_per_person=args.referrals_per_person, team_size=args.team_size, seed=args.seed)
    except ValueError as err:
        parser.error(str(err))
    for kind in kinds:
        started = time.perf_counter()
        (path, count), = write_files(args.out, world, format=args.format, kinds=[kind]).values()
        print(f"{kind:<12} {count:>12,} rows  {time.perf_counter() - started:8.1f} s  {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
