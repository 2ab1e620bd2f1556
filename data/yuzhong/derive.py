#!/usr/bin/env python3
"""Derive the CSV files of popalloc's default scenario (Yuzhong District, Chongqing).

Standard library only (Python 3.11).  Reads the shared source tables and writes
areas.csv, base_population.csv, mortality_standard.csv, e0.csv,
fertility_shape.csv, stock.csv, caps.csv, costs.csv and conversions.csv next to
this script.  Every number is explained in SOURCES.md beside it.

Usage:
    python3 derive.py [DATA_DIR]

DATA_DIR is the folder that holds chongqing-census/ and wpp2024-china/.  The
default is ../../../shared/data relative to this script (the script lives in
data/yuzhong/ of the repository, and shared/ sits beside the repository).  A
relative DATA_DIR given on the command line is taken relative to the current
directory; an absolute one is used as is.

The run is deterministic: no clock, no randomness, fixed orders everywhere.
It ends with checks (assertions) and prints the check figures.
"""

import csv
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# --------------------------------------------------------------------------
# Fixed inputs (each one is explained in SOURCES.md)
# --------------------------------------------------------------------------

DISTRICT_2020 = 588_717          # [census] resident population, 1 Nov 2020
DISTRICT_2010 = 630_090          # [census] resident population, 1 Nov 2010

# The 11 streets: id, statistical code (verified), Chinese and English names,
# approximate centroid (WGS84) [estimate, see SOURCES.md].
STREETS = [
    # id,           code,        zh,     en,            lat,     lon
    ("qixinggang",  "500103001", "七星岗", "Qixinggang",  29.5560, 106.5640),
    ("jiefangbei",  "500103003", "解放碑", "Jiefangbei",  29.5575, 106.5760),
    ("lianglukou",  "500103004", "两路口", "Lianglukou",  29.5545, 106.5450),
    ("shangqingsi", "500103005", "上清寺", "Shangqingsi", 29.5630, 106.5480),
    ("caiyuanba",   "500103007", "菜园坝", "Caiyuanba",   29.5480, 106.5500),
    ("nanjimen",    "500103008", "南纪门", "Nanjimen",    29.5515, 106.5690),
    ("chaotianmen", "500103010", "朝天门", "Chaotianmen", 29.5610, 106.5845),
    ("daxigou",     "500103011", "大溪沟", "Daxigou",     29.5640, 106.5575),
    ("daping",      "500103012", "大坪",   "Daping",      29.5430, 106.5240),
    ("hualongqiao", "500103013", "化龙桥", "Hualongqiao", 29.5535, 106.5230),
    ("shiyoulu",    "500103014", "石油路", "Shiyoulu",    29.5405, 106.5070),
]
STREET_IDS = [s[0] for s in STREETS]

# 2020 street totals published [census]
KNOWN_2020 = {"caiyuanba": 32_034, "chaotianmen": 35_662}

# 2010 census street totals used as weights for the other nine streets.
# jiefangbei gets half of the abolished Wanglongmen (41,358 / 2 = 20,679);
# the combined Daping + Hualongqiao + Shiyoulu figure is split in equal
# thirds (168,618 / 3 = 56,206 exactly) -- see SOURCES.md for the argument.
WANGLONGMEN_2010 = 41_358
DPH_2010 = 168_618
WEIGHTS_2010 = {
    "qixinggang": 68_872,
    "jiefangbei": 64_629 + WANGLONGMEN_2010 // 2,
    "lianglukou": 51_811,
    "shangqingsi": 55_903,
    "nanjimen": 46_862,
    "daxigou": 66_319,
    "daping": DPH_2010 // 3,
    "hualongqiao": DPH_2010 // 3,
    "shiyoulu": DPH_2010 // 3,
}
assert WANGLONGMEN_2010 % 2 == 0 and DPH_2010 % 3 == 0

# The census's own age groups (county table of the seventh census): 0, 1-4, 5-9, ..., 80-84, 85+.
AGE_GROUPS = ["0", "1-4"] + [f"{a}-{a + 4}" for a in range(5, 85, 5)] + ["85+"]
GROUP_START = [0, 1] + list(range(5, 85, 5)) + [85]
DISTRICT_60PLUS_2020 = 116_320   # [census] residents aged 60+ (county table)
SEXES = ["female", "male"]

# e0 [plan], both sexes
E0_PLAN = {2020: 80.78, 2025: 81.0}
SRB = 1.08                       # recommended sex ratio at birth (males per female birth)

# Chongqing crude rates [quoted figures, Chongqing statistical yearbook / bulletins]
CQ_CBR = {2015: 11.07, 2019: 10.48}   # per 1,000
CQ_CDR = {2015: 7.06, 2019: 7.57}     # per 1,000

# Births [quoted figures]: Chongqing 2019 and 2023; China 2019 and 2023 (NBS communiques)
CQ_BIRTHS = {2019: 326_200, 2023: 178_800}
CN_BIRTHS = {2019: 14_650_000, 2023: 9_020_000}

# Stock [plan] district totals, 2020
ELDER_BEDS = 1_915
NURSING_SHARE = 0.374
GOVERNMENT_SHARE = 0.40
CHILDCARE_INSTITUTIONS = 5
CHILDCARE_INSTITUTION_PLACES = 258
CHILDCARE_KINDERGARTEN_PLACES = 830
SEAT_MARGIN = 1.05               # [estimate] seats per child of the band in 2020
KINDERGARTEN_SPLIT = [("public", 0.50), ("inclusive_private", 0.35), ("private", 0.15)]

# caps [estimate: assumption], most that a street can add over 2021-2025
CAPS = [
    ("elder_beds", 500),
    ("childcare", 400),
    ("kindergarten", 600),
    ("primary", 1000),
    ("junior", 600),
    ("senior", 600),
]

# costs [estimate: assumption], relative, 10,000 CNY (wan yuan) per unit added
COSTS = [
    ("elder_beds", "nursing_government", 15.0, "wan_yuan_per_bed"),
    ("elder_beds", "nursing_social", 12.0, "wan_yuan_per_bed"),
    ("elder_beds", "ordinary_government", 10.0, "wan_yuan_per_bed"),
    ("elder_beds", "ordinary_social", 8.0, "wan_yuan_per_bed"),
    ("childcare", "inclusive", 2.0, "wan_yuan_per_place"),
    ("childcare", "market", 1.5, "wan_yuan_per_place"),
    ("kindergarten", "public", 4.0, "wan_yuan_per_place"),
    ("kindergarten", "inclusive_private", 3.0, "wan_yuan_per_place"),
    ("kindergarten", "private", 2.5, "wan_yuan_per_place"),
    ("primary", "public", 6.0, "wan_yuan_per_seat"),
    ("junior", "public", 7.0, "wan_yuan_per_seat"),
    ("senior", "public", 8.0, "wan_yuan_per_seat"),
]
CONVERSIONS = [
    ("elder_beds", "ordinary_government", "nursing_government", 3.0),
    ("elder_beds", "ordinary_social", "nursing_social", 3.0),
    ("kindergarten", "private", "inclusive_private", 0.5),
]


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def largest_remainder(total, weights):
    """Integers proportional to weights that sum exactly to total.

    Floors first, then the units left go to the largest fractional parts;
    ties go to the earlier index (deterministic)."""
    assert total >= 0 and all(w >= 0 for w in weights)
    s = sum(weights)
    assert s > 0
    exact = [total * w / s for w in weights]
    out = [math.floor(x) for x in exact]
    left = total - sum(out)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - out[i]), i))
    for i in order[:left]:
        out[i] += 1
    assert sum(out) == total
    return out


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(name, header, rows):
    path = os.path.join(HERE, name)
    tmp = path + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(r)
    os.replace(tmp, path)


def fmt(x, nd):
    return f"{x:.{nd}f}"


def chongqing_label(age_from, age_to):
    """The label of a group of the Chongqing census table (0, 1-4, 5-9, ..., 95-99, 100+)."""
    if age_from == 100:
        return "100+"
    if age_from == age_to:
        return str(age_from)
    return f"{age_from}-{age_to}"


def split_single_years(groups):
    """Single years 0..84 (plus the open 85+) from counts by AGE_GROUPS, linear split.

    The density (persons per single year) of each closed group is placed at the
    group's mid-age (0.5 for age 0, 3.0 for 1-4, 7.5 for 5-9, ...); the value
    of single age x is the density interpolated linearly at x + 0.5 (held
    constant beyond the last mid-age), then the single years of each group are
    rescaled so that the group total is kept exactly.  Only the school and
    infant bands (ages 0-17) are read from it."""
    closed = len(AGE_GROUPS) - 1
    widths = [GROUP_START[k + 1] - GROUP_START[k] for k in range(closed)]
    mids = [GROUP_START[k] + widths[k] / 2 for k in range(closed)]
    dens = [groups[k] / widths[k] for k in range(closed)]
    out = []
    for k in range(closed):
        start = GROUP_START[k]
        vals = []
        for x in range(start, start + widths[k]):
            t = x + 0.5
            if t >= mids[-1]:
                v = dens[-1]
            else:
                j = max(jj for jj in range(closed) if mids[jj] <= t)
                w = (t - mids[j]) / (mids[j + 1] - mids[j])
                v = dens[j] * (1.0 - w) + dens[j + 1] * w
            vals.append(v)
        s = sum(vals)
        out += [groups[k] * v / s if s > 0 else 0.0 for v in vals]
    out.append(groups[closed])
    assert len(out) == GROUP_START[-1] + 1
    assert all(abs(sum(out[GROUP_START[k]:GROUP_START[k] + widths[k]]) - groups[k]) < 1e-6
               for k in range(closed))
    return out


def controlled_rounding(rows, cols):
    """Integers x[i][j] >= 0 with row sums `rows` and column sums `cols` (sum(rows) ==
    sum(cols)), each within one unit of the proportional value rows[i] * cols[j] / total.

    Floors first; the units left over go one per cell, to the cells with the largest
    fractional parts first (greedy), then by augmenting paths (a small max flow: rows with
    units left -> cells not yet raised -> columns with units left), which always completes
    because the proportional matrix itself is a fractional solution."""
    total = sum(rows)
    assert total == sum(cols)
    exact = [[r * c / total for c in cols] for r in rows]
    x = [[math.floor(v) for v in row] for row in exact]
    need_r = [rows[i] - sum(x[i]) for i in range(len(rows))]
    need_c = [cols[j] - sum(x[i][j] for i in range(len(rows))) for j in range(len(cols))]
    raised = [[False] * len(cols) for _ in rows]
    order = sorted(((exact[i][j] - x[i][j], i, j) for i in range(len(rows))
                    for j in range(len(cols))), key=lambda t: (-t[0], t[1], t[2]))
    for frac, i, j in order:
        if frac > 0 and need_r[i] > 0 and need_c[j] > 0:
            x[i][j] += 1
            raised[i][j] = True
            need_r[i] -= 1
            need_c[j] -= 1
    # Augmenting paths: row i0 (units left) -> col j (cell not raised) -> row i (cell raised,
    # lower it) -> col j' ... -> a column with units left.
    while any(need_r):
        i0 = next(i for i, n in enumerate(need_r) if n > 0)
        prev = {}
        frontier = [("r", i0)]
        seen = {("r", i0)}
        end = None
        while frontier and end is None:
            nxt = []
            for kind, k in frontier:
                if kind == "r":
                    for j in range(len(cols)):
                        if not raised[k][j] and ("c", j) not in seen:
                            seen.add(("c", j))
                            prev[("c", j)] = ("r", k)
                            if need_c[j] > 0:
                                end = ("c", j)
                                break
                            nxt.append(("c", j))
                else:
                    for i in range(len(rows)):
                        if raised[i][k] and ("r", i) not in seen:
                            seen.add(("r", i))
                            prev[("r", i)] = ("c", k)
                            nxt.append(("r", i))
                if end is not None:
                    break
            frontier = nxt
        assert end is not None, "controlled rounding: no augmenting path"
        node = end
        while node != ("r", i0):
            p = prev[node]
            if node[0] == "c":      # edge row p -> col node: raise the cell
                i, j = p[1], node[1]
                x[i][j] += 1
                raised[i][j] = True
            else:                   # edge col p -> row node: lower the cell
                i, j = node[1], p[1]
                x[i][j] -= 1
                raised[i][j] = False
            node = p
        need_r[i0] -= 1
        need_c[end[1]] -= 1
    for i in range(len(rows)):
        assert sum(x[i]) == rows[i]
        for j in range(len(cols)):
            assert x[i][j] >= 0 and abs(x[i][j] - exact[i][j]) < 1.0
    for j in range(len(cols)):
        assert sum(x[i][j] for i in range(len(rows))) == cols[j]
    return x


# --------------------------------------------------------------------------
# Life tables (DESIGN.md section 3)
# --------------------------------------------------------------------------

def a0_andreev_kingkade(m0, sex):
    """a0 from Andreev & Kingkade (2015), rule based on m0."""
    if sex == "male":
        if m0 < 0.02300:
            return 0.14929 - 1.99545 * m0
        if m0 < 0.08307:
            return 0.02832 + 3.26021 * m0
        return 0.29915
    if m0 < 0.01724:
        return 0.14903 - 2.05527 * m0
    if m0 < 0.06891:
        return 0.04667 + 3.88089 * m0
    return 0.31411


def single_year_table(m, sex):
    """Single-year life table, ages 0..100 (100 = open).  Returns (l, L, e0)."""
    omega = len(m) - 1
    l = [1.0]
    L = []
    for x in range(omega):
        a = a0_andreev_kingkade(m[0], sex) if x == 0 else 0.5
        q = m[x] / (1.0 + (1.0 - a) * m[x])
        d = l[x] * q
        l.append(l[x] - d)
        L.append(l[x + 1] + a * d)
    L.append(l[omega] / m[omega])
    return l, L, sum(L) / l[0]


def abridged_e0(starts, mx, sex):
    """e0 of an abridged table: a0 Andreev-Kingkade, n*a = n/2 elsewhere, open L = l/m."""
    l = 1.0
    total = 0.0
    for i, x in enumerate(starts):
        m = mx[i]
        if i == len(starts) - 1:
            total += l / m
            break
        n = starts[i + 1] - x
        a = a0_andreev_kingkade(m, sex) if x == 0 else n / 2.0
        q = n * m / (1.0 + (n - a) * m)
        d = l * q
        total += (l - d) * n + a * d
        l -= d
    return total


def expand_mx(starts, mx, sex, iterations=50):
    """Single-year m(x), 0..100, from abridged rates (see SOURCES.md).

    0 = m(0); 1-4 = the 1-4 rate; 5..99 log-linear interpolation between the
    midpoints of the five-year groups (constant beyond the first and last
    midpoints), then rescaled group by group so that the person-years-weighted
    mean of the single-year rates equals the group rate; 100 = 100+ rate."""
    by_start = dict(zip(starts, mx))
    g_starts = list(range(5, 100, 5))
    mids = [s + 2.5 for s in g_starts]
    logs = [math.log(by_start[s]) for s in g_starts]
    m = [0.0] * 101
    m[0] = by_start[0]
    for x in range(1, 5):
        m[x] = by_start[1]
    for x in range(5, 100):
        t = x + 0.5
        if t <= mids[0]:
            v = logs[0]
        elif t >= mids[-1]:
            v = logs[-1]
        else:
            k = int((t - mids[0]) // 5)
            w = (t - mids[k]) / 5.0
            v = logs[k] * (1.0 - w) + logs[k + 1] * w
        m[x] = math.exp(v)
    m[100] = by_start[100]
    raw = list(m)
    for _ in range(iterations):
        _, L, _ = single_year_table(m, sex)
        for s in g_starts:
            ages = range(s, s + 5)
            wmean = sum(m[x] * L[x] for x in ages) / sum(L[x] for x in ages)
            k = by_start[s] / wmean
            for x in ages:
                m[x] *= k
    # final check of the constraint
    _, L, _ = single_year_table(m, sex)
    for s in g_starts:
        ages = range(s, s + 5)
        wmean = sum(m[x] * L[x] for x in ages) / sum(L[x] for x in ages)
        assert abs(wmean / by_start[s] - 1.0) < 1e-12, (sex, s)
    return m, raw


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main(argv):
    if len(argv) > 1:
        data = os.path.abspath(argv[1])
    else:
        data = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data"))
    census_path = os.path.join(data, "chongqing-census", "census_by_age.csv")
    county_path = os.path.join(HERE, "census_2020.csv")   # Yuzhong's own rows [census]
    wpp = os.path.join(data, "wpp2024-china")
    for p in (census_path, wpp):
        if not os.path.exists(p):
            sys.exit(f"derive.py: not found: {p} (give the shared data folder as argument)")

    report = []   # check figures printed at the end

    # ---------------- Chongqing census by kind (for the fertility estimates) ----------------
    census = read_csv(census_path)
    allk = {}      # (year, sex, label) -> all kinds
    city = {}      # (year, sex, label) -> city
    for r in census:
        a_from = int(r["age_from"])
        a_to = int(r["age_to"]) if r["age_to"] else 100
        lab = chongqing_label(a_from, a_to)
        v = int(r["value"])
        key = (r["year"], r["sex"], lab)
        allk[key] = allk.get(key, 0) + v
        if r["kind"] == "city":
            city[key] = v

    # ---------------- the district's census table ----------------
    county = {}    # (sex, group) -> persons, Yuzhong 2020 [census]
    for r in read_csv(county_path):
        assert r["code"] == "500103", r["code"]
        county[(r["sex"], r["age"])] = int(r["value"])
    assert set(county) == {(s, g) for s in SEXES for g in AGE_GROUPS}
    assert sum(county.values()) == DISTRICT_2020

    # ---------------- street totals 2020 ----------------
    rest = DISTRICT_2020 - sum(KNOWN_2020.values())
    assert rest == 521_021
    est_ids = [i for i in STREET_IDS if i not in KNOWN_2020]
    est = largest_remainder(rest, [WEIGHTS_2010[i] for i in est_ids])
    totals = dict(KNOWN_2020)
    totals.update(dict(zip(est_ids, est)))
    assert sum(totals.values()) == DISTRICT_2020

    # ---------------- age x sex: the census table, spread over the streets ----------------
    # Every street has the district's age-sex shape; the integer cells keep both the street
    # totals and the census cells exactly (controlled rounding).
    cells = [(s, g) for s in SEXES for g in AGE_GROUPS]
    matrix = controlled_rounding([totals[i] for i in STREET_IDS], [county[c] for c in cells])
    pop = {}   # (area, sex, group) -> int
    for i, row in zip(STREET_IDS, matrix):
        for c, v in zip(cells, row):
            pop[(i, c[0], c[1])] = v
    report.append("base population: the 2020 census table of 500103 by sex and group, "
                  "spread over the streets by controlled rounding")

    def street_sum(i, pred=lambda s, g: True):
        return sum(pop[(i, s, g)] for s in SEXES for g in AGE_GROUPS if pred(s, g))

    def district_sum(pred=lambda s, g: True):
        return sum(street_sum(i, pred) for i in STREET_IDS)

    def g60(s, g):
        return GROUP_START[AGE_GROUPS.index(g)] >= 60

    p60 = {i: street_sum(i, g60) for i in STREET_IDS}
    d60 = sum(p60.values())
    # children 0-2: age 0 + 3/4 of 1-4 (rough check, as asked)
    c02 = {i: street_sum(i, lambda s, g: g == "0") + 0.75 * street_sum(i, lambda s, g: g == "1-4")
           for i in STREET_IDS}
    d02 = sum(c02.values())

    # school bands: single years from the 5-year groups by a linear split
    # (see split_single_years), then summed over the band's ages
    BANDS = {"kindergarten": (3, 5), "primary": (6, 11), "junior": (12, 14), "senior": (15, 17),
             "infants": (0, 2)}
    single = {}
    for i in STREET_IDS:
        grp = [street_sum(i, lambda s, g, lab=lab: g == lab) for lab in AGE_GROUPS]
        single[i] = split_single_years(grp)
    band_pop = {svc: {i: sum(single[i][lo:hi + 1]) for i in STREET_IDS}
                for svc, (lo, hi) in BANDS.items()}

    write_csv("base_population.csv", ["area", "sex", "age", "value"],
              [(i, s, g, pop[(i, s, g)]) for i in STREET_IDS for s in SEXES for g in AGE_GROUPS])

    # ---------------- mortality standard ----------------
    mxrows = [r for r in read_csv(os.path.join(wpp, "mx_abridged.csv"))
              if r["period_start"] == "2020" and r["period_end"] == "2025"]
    mort_rows = []
    e0_check = {}
    mstd = {}
    for sex in SEXES:
        rows = sorted((int(r["age"]), float(r["value"])) for r in mxrows if r["sex"] == sex)
        starts = [x for x, _ in rows]
        mx = [v for _, v in rows]
        assert starts == [0, 1] + list(range(5, 101, 5))
        m, raw = expand_mx(starts, mx, sex)
        mstd[sex] = m
        e_ab = abridged_e0(starts, mx, sex)
        e_single = single_year_table(m, sex)[2]
        e_raw = single_year_table(raw, sex)[2]
        e0_check[sex] = (e_ab, e_single, e_raw)
        for x in range(101):
            mort_rows.append((sex, x, f"{m[x]:.8g}"))
        report.append(f"e0 {sex}: abridged {e_ab:.3f}, single-year rescaled {e_single:.3f} "
                      f"(diff {e_single - e_ab:+.3f}); before rescaling {e_raw:.3f}")
    write_csv("mortality_standard.csv", ["sex", "age", "value"], mort_rows)

    # ---------------- e0 by sex ----------------
    wpp_e0 = {(int(r["year"]), r["sex"]): float(r["value"])
              for r in read_csv(os.path.join(wpp, "e0.csv"))}
    e0_rows = []
    e0_out = {}
    for year in (2020, 2025):
        gap = wpp_e0[(year, "female")] - wpp_e0[(year, "male")]
        em = E0_PLAN[year] - gap / (1.0 + SRB)
        ef = em + gap
        e0_out[year] = (ef, em, gap)
        both = (ef + SRB * em) / (1.0 + SRB)
        assert abs(both - E0_PLAN[year]) < 1e-9
        e0_rows += [(year, "female", fmt(ef, 3)), (year, "male", fmt(em, 3))]
        report.append(f"e0 {year}: female {ef:.3f}, male {em:.3f} (WPP gap {gap:.4f}; "
                      f"(f + SRB*m)/(1+SRB) = {both:.3f})")
    write_csv("e0.csv", ["year", "sex", "value"], e0_rows)

    # ---------------- fertility ----------------
    pasfr = [(int(r["age"]), float(r["value"]))
             for r in read_csv(os.path.join(wpp, "pasfr_abridged.csv"))
             if r["period_start"] == "2020" and r["period_end"] == "2025"]
    pasfr.sort()
    assert [x for x, _ in pasfr] == list(range(15, 50, 5))
    psum = sum(v for _, v in pasfr)
    assert abs(psum - 100.0) < 1e-6, psum
    write_csv("fertility_shape.csv", ["age", "value"],
              [(f"{x}-{x + 4}", f"{v:.6f}") for x, v in pasfr])

    # TFR implied by the 2020 census, city population: births of the 12 months
    # before the census ~ age-0 persons; exposure = women 15-49 by group;
    # TFR = B / sum_g W_g * (pasfr_g / 100 / 5).
    def implied_tfr(table, year):
        births = table[(year, "female", "0")] + table[(year, "male", "0")]
        denom = sum(table[(year, "female", f"{x}-{x + 4}")] * v / 100.0 / 5.0 for x, v in pasfr)
        return births / denom
    tfr_city_2020 = implied_tfr(city, "2020")
    tfr_all_2020 = implied_tfr(allk, "2020")
    tfr_base = round(tfr_city_2020, 2)
    wpp_tfr = {int(r["year"]): float(r["value"]) for r in read_csv(os.path.join(wpp, "tfr.csv"))}
    cq_ratio = CQ_BIRTHS[2023] / CQ_BIRTHS[2019]
    cn_ratio = CN_BIRTHS[2023] / CN_BIRTHS[2019]
    k_extra = cq_ratio / cn_ratio          # Chongqing fell faster than China
    tfr_rows = []
    tfr_path = {}
    for year in range(2020, 2026):
        ramp = min(year - 2020, 3) / 3.0   # extra fall phased in 2020 -> 2023, then held
        adj = 1.0 + (k_extra - 1.0) * ramp
        v = tfr_base * wpp_tfr[year] / wpp_tfr[2020] * adj
        tfr_path[year] = round(v, 3)
        tfr_rows.append((year, fmt(v, 3)))
    # tfr.csv itself starts from Yuzhong's own census children (reverse survival, SOURCES.md
    # section 6.1) and is written by `cargo run --example census_fertility`; this path gives
    # only its movement after 2020 (YUZHONG_TFR_MOVEMENT in the library), printed to check.
    del tfr_rows
    report.append(f"census-implied TFR 2020: Chongqing city {tfr_city_2020:.3f}, all kinds "
                  f"{tfr_all_2020:.3f}; WPP China 2020 {wpp_tfr[2020]:.3f}")
    report.append(f"births ratio 2023/2019: Chongqing {cq_ratio:.4f}, China {cn_ratio:.4f}, "
                  f"extra factor {k_extra:.4f}")
    report.append("TFR movement (old path, tfr.csv scales it): " + ", ".join(f"{y} {v:.3f}" for y, v in tfr_path.items()))

    # ---------------- migration ----------------
    # births: Chongqing CBR x (city age-0 share / all-kinds age-0 share), mean of 2010 and 2020
    def age0_share(table, year):
        tot = sum(v for (y, s, g), v in table.items() if y == year)
        a0 = table[(year, "female", "0")] + table[(year, "male", "0")]
        return a0 / tot
    rb = 0.5 * (age0_share(city, "2010") / age0_share(allk, "2010")
                + age0_share(city, "2020") / age0_share(allk, "2020"))
    # deaths: Chongqing CDR x (expected deaths per head at Yuzhong's 2020 structure /
    # at Chongqing's 2020 all-kinds structure), both with the WPP 2020-2025 schedule
    # (indirect standardisation; group rate = the abridged rate of the group).
    wpp_rate = {}   # (sex, first age of an abridged group) -> WPP 2020-2025 m(x)
    for r in mxrows:
        wpp_rate[(r["sex"], int(r["age"]))] = float(r["value"])
    exp_y = sum(wpp_rate[(s, GROUP_START[AGE_GROUPS.index(g)])] * county[(s, g)]
                for s, g in cells) / DISTRICT_2020
    tot_all20 = sum(v for (y, s, g), v in allk.items() if y == "2020")
    exp_cq = sum(wpp_rate[(s, int(g.split("-")[0].rstrip("+")))] * v
                 for (y, s, g), v in allk.items() if y == "2020") / tot_all20
    rd = exp_y / exp_cq
    cbr = sum(CQ_CBR.values()) / len(CQ_CBR) * rb
    cdr = sum(CQ_CDR.values()) / len(CQ_CDR) * rd
    mean_pop = (DISTRICT_2010 + DISTRICT_2020) / 2.0
    natural = (cbr - cdr) / 1000.0 * mean_pop * 10.0
    change = DISTRICT_2020 - DISTRICT_2010
    migr10 = change - natural
    migr_year = round(migr10 / 10.0)
    report.append(f"births factor rb={rb:.4f} -> CBR {cbr:.3f}/1000; deaths factor rd={rd:.4f} "
                  f"-> CDR {cdr:.3f}/1000")
    report.append(f"2010-2020: change {change:+,}, natural change {natural:+,.0f}, "
                  f"net migration {migr10:+,.0f} ({migr_year:+,} a year)")
    mig = largest_remainder(-migr_year, [totals[i] for i in STREET_IDS]) if migr_year < 0 \
        else largest_remainder(migr_year, [totals[i] for i in STREET_IDS])
    sign = -1 if migr_year < 0 else 1
    net_mig = {i: sign * v for i, v in zip(STREET_IDS, mig)}
    assert sum(net_mig.values()) == migr_year

    write_csv("areas.csv",
              ["id", "code", "name_zh", "name_en", "latitude", "longitude",
               "fertility_multiplier", "mortality_multiplier", "net_migration"],
              [(i, code, zh, en, fmt(lat, 4), fmt(lon, 4), "1.0", "1.0", net_mig[i])
               for i, code, zh, en, lat, lon in STREETS])

    # ---------------- stock 2020 ----------------
    stock = []   # (area, service, variant, value)
    nursing = round(ELDER_BEDS * NURSING_SHARE)
    government = round(ELDER_BEDS * GOVERNMENT_SHARE)
    ng = round(ELDER_BEDS * NURSING_SHARE * GOVERNMENT_SHARE)   # independence
    bed_cells = {
        "nursing_government": ng,
        "nursing_social": nursing - ng,
        "ordinary_government": government - ng,
        "ordinary_social": ELDER_BEDS - nursing - government + ng,
    }
    assert sum(bed_cells.values()) == ELDER_BEDS and min(bed_cells.values()) >= 0
    for variant, tot in bed_cells.items():
        vals = largest_remainder(tot, [p60[i] for i in STREET_IDS])
        stock += [(i, "elder_beds", variant, v) for i, v in zip(STREET_IDS, vals)]

    # childcare: the 5 institutions go to the 5 streets with the most children 0-2
    inf = band_pop["infants"]
    ranked = sorted(STREET_IDS, key=lambda i: (-inf[i], STREET_IDS.index(i)))
    hosts = ranked[:CHILDCARE_INSTITUTIONS]
    inst = largest_remainder(CHILDCARE_INSTITUTION_PLACES, [1] * CHILDCARE_INSTITUTIONS)
    market = {i: 0 for i in STREET_IDS}
    for i, v in zip(hosts, inst):
        market[i] = v
    incl = dict(zip(STREET_IDS, largest_remainder(CHILDCARE_KINDERGARTEN_PLACES,
                                                  [inf[i] for i in STREET_IDS])))
    stock += [(i, "childcare", "inclusive", incl[i]) for i in STREET_IDS]
    stock += [(i, "childcare", "market", market[i]) for i in STREET_IDS]

    seat_tot = {}
    for svc in ("kindergarten", "primary", "junior", "senior"):
        dband = sum(band_pop[svc].values())
        seat_tot[svc] = round(dband * SEAT_MARGIN)
        report.append(f"band {svc}: {dband:,.1f} children -> {seat_tot[svc]:,} seats")
        if svc == "kindergarten":
            var_tot = largest_remainder(seat_tot[svc], [w for _, w in KINDERGARTEN_SPLIT])
            for (variant, _), vt in zip(KINDERGARTEN_SPLIT, var_tot):
                vals = largest_remainder(vt, [band_pop[svc][i] for i in STREET_IDS])
                stock += [(i, svc, variant, v) for i, v in zip(STREET_IDS, vals)]
        else:
            vals = largest_remainder(seat_tot[svc], [band_pop[svc][i] for i in STREET_IDS])
            stock += [(i, svc, "public", v) for i, v in zip(STREET_IDS, vals)]

    order_svc = ["elder_beds", "childcare", "kindergarten", "primary", "junior", "senior"]
    stock.sort(key=lambda r: (STREET_IDS.index(r[0]), order_svc.index(r[1]), r[2]))
    write_csv("stock.csv", ["area", "service", "variant", "value"], stock)

    write_csv("caps.csv", ["area", "service", "max_added"],
              [(i, svc, cap) for i in STREET_IDS for svc, cap in CAPS])
    write_csv("costs.csv", ["service", "variant", "add_cost", "unit"],
              [(s, v, fmt(c, 1), u) for s, v, c, u in COSTS])
    write_csv("conversions.csv", ["service", "from", "to", "cost"],
              [(s, f, t, fmt(c, 1)) for s, f, t, c in CONVERSIONS])

    # ---------------- checks ----------------
    check(report, totals, pop, p60, d60, d02, c02, stock, bed_cells, seat_tot, net_mig,
          migr_year, hosts, e0_check, band_pop)
    print("\n".join(report))


def check(report, totals, pop, p60, d60, d02, c02, stock, bed_cells, seat_tot, net_mig,
          migr_year, hosts, e0_check, band_pop):
    # every street x sex x group exactly once, non-negative integers, totals hold
    rows = read_csv(os.path.join(HERE, "base_population.csv"))
    keys = [(r["area"], r["sex"], r["age"]) for r in rows]
    assert len(keys) == len(set(keys)) == len(STREET_IDS) * 2 * len(AGE_GROUPS)
    assert set(keys) == {(i, s, g) for i in STREET_IDS for s in SEXES for g in AGE_GROUPS}
    per = {}
    for r in rows:
        v = int(r["value"])
        assert v >= 0 and str(v) == r["value"]
        per[r["area"]] = per.get(r["area"], 0) + v
    assert per == totals
    assert sum(per.values()) == DISTRICT_2020
    share60 = d60 / DISTRICT_2020
    assert d60 == DISTRICT_60PLUS_2020, d60
    census = {}
    for r in read_csv(os.path.join(HERE, "census_2020.csv")):
        census[(r["sex"], r["age"])] = int(r["value"])
    for (s, g), v in census.items():
        assert sum(pop[(i, s, g)] for i in STREET_IDS) == v, (s, g)

    # stock totals
    def stot(svc, var=None):
        return sum(v for a, s, vv, v in stock if s == svc and (var is None or vv == var))
    assert stot("elder_beds") == ELDER_BEDS
    for variant, t in bed_cells.items():
        assert stot("elder_beds", variant) == t
    assert stot("childcare", "market") == CHILDCARE_INSTITUTION_PLACES
    assert stot("childcare", "inclusive") == CHILDCARE_KINDERGARTEN_PLACES
    assert sum(1 for a, s, vv, v in stock if s == "childcare" and vv == "market" and v > 0) \
        == CHILDCARE_INSTITUTIONS
    for svc, t in seat_tot.items():
        assert stot(svc) == t
    for _, _, _, v in stock:
        assert isinstance(v, int) and v >= 0
    skeys = [(a, s, vv) for a, s, vv, _ in stock]
    assert len(skeys) == len(set(skeys))
    assert sum(net_mig.values()) == migr_year
    for sex, (ab, single, _) in e0_check.items():
        assert abs(single - ab) < 0.15, (sex, ab, single)

    report.append("")
    report.append("street totals 2020 (60+, 60+ share, children 0-2 est., net migrants/yr):")
    for i in STREET_IDS:
        report.append(f"  {i:12s} {totals[i]:7,d}  60+ {p60[i]:6,d} ({p60[i] / totals[i]:.2%})"
                      f"  0-2 {c02[i]:7,.0f}  mig {net_mig[i]:+5d}")
    report.append(f"district {sum(totals.values()):,}: 60+ {d60:,} = {share60:.3%}; "
                  f"children 0-2: age 0 + 3/4 of 1-4 = {d02:,.0f}; "
                  f"linear split = {sum(band_pop['infants'].values()):,.0f}")
    report.append(f"net migration {migr_year:+,} a year")
    report.append("stock totals: " + ", ".join(
        f"{svc} {stot(svc):,}" for svc in
        ["elder_beds", "childcare", "kindergarten", "primary", "junior", "senior"]))
    report.append("elder beds: " + ", ".join(f"{k} {v}" for k, v in bed_cells.items()))
    report.append("kindergarten: " + ", ".join(
        f"{v} {stot('kindergarten', v):,}" for v, _ in KINDERGARTEN_SPLIT))
    report.append("childcare institutions in: " + ", ".join(hosts))
    report.append("all checks passed")


if __name__ == "__main__":
    main(sys.argv)
