"""The numpy reference of the projection benchmark: a fully vectorised cohort-component
projection of the same shape as popalloc's step (2 sexes x 101 single ages x N areas,
survival to the next age with an open 100+ group, births from the female population of
reproductive age split by the sex ratio at birth, half of a year's net migrants exposed to
the year's mortality), timed over 15 years.

Usage: python3 benches/numpy_ccmpp.py AREAS [AREAS ...]
Prints one line per size: "numpy AREAS areas: NS ns per area-year" (the best of 5 runs).
Run by benches/national.rs in the same process tree, so that the ratio is of one machine
at one moment.
"""

import sys
import time

import numpy as np

AGES = 101
YEARS = 15


def schedules():
    ages = np.arange(AGES, dtype=np.float64)
    mx = 0.00003 * np.exp(0.092 * ages) + np.where(ages == 0, 0.002, 0.0002)
    mx = np.stack([mx, mx * 1.25])  # female, male
    # Survival from age x to x + 1 (the open group survives within itself).
    survival = np.exp(-mx)
    asfr = np.zeros(AGES)
    reproductive = np.arange(15, 50)
    asfr[reproductive] = 0.05 * np.exp(-0.5 * ((reproductive - 30.0) / 5.5) ** 2)
    return survival, asfr


def base(areas):
    size = 200.0 + (np.arange(areas) % 97) * 3.0
    shape = 1.0 - np.arange(AGES) / 130.0
    pop = size[None, :, None] * shape[None, None, :]
    return np.repeat(pop, 2, axis=0)  # sex x area x age


def migrants(areas):
    totals = (np.arange(areas) % 13) * 10.0 - 60.0
    schedule = np.exp(-0.5 * ((np.arange(AGES) - 25.0) / 8.0) ** 2)
    schedule /= schedule.sum()
    per_sex = 0.5 * totals[:, None] * schedule[None, :]
    return np.stack([per_sex, per_sex])


def project(pop, survival, asfr, net, srb=1.07):
    half = 0.5 * net
    for _ in range(YEARS):
        exposed = np.maximum(pop + half, 0.0)
        nxt = np.empty_like(pop)
        nxt[:, :, 1:] = exposed[:, :, :-1] * survival[:, None, :-1]
        nxt[:, :, -1] += exposed[:, :, -1] * survival[:, None, -1]
        births = exposed[0] @ asfr
        nxt[0, :, 0] = births / (1.0 + srb)
        nxt[1, :, 0] = births * srb / (1.0 + srb)
        pop = np.maximum(nxt + half, 0.0)
    return pop


def main():
    survival, asfr = schedules()
    for areas in (int(a) for a in sys.argv[1:]):
        pop, net = base(areas), migrants(areas)
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            project(pop, survival, asfr, net)
            best = min(best, time.perf_counter() - started)
        print(f"numpy {areas} areas: {best / (areas * YEARS) * 1e9:.0f} ns per area-year")


if __name__ == "__main__":
    main()
