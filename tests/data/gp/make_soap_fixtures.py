"""SOAP vectors of a few environments from the independent NumPy implementation of QUIP's
definitions (shared/reference/si-sw/quip/soap_reference.py, which reproduces QUIP's stored
sparse vectors to 5e-15), for tests/desc/test_soap.c; and multi-species SOAP vectors
(QUIP's n_species/species_Z, written here from descriptors.f95's definition: one density per
neighbour species, channels numbered species-outer, the centre atom's Gaussian only in its own
species' channels) of small GeSe and NaPO cells for tests/gp/test_soap_species.c.
Run with /usr/bin/python3 (NumPy, SciPy, ASE) from this folder:
/usr/bin/python3 make_soap_fixtures.py PATH/TO/soap_reference.py [--all]
(--all also rewrites soap_reference.txt, which other SciPy versions change in the last bit)."""
import importlib.util
import sys

import numpy as np
from ase.io import read
from ase.neighborlist import neighbor_list

spec = importlib.util.spec_from_file_location("ref", sys.argv[1])
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)

frames = read("../md/sw_frames.xyz", ":")
cases = [(5.0, 1.0, 6, 6, 0.5), (4.5, 0.5, 4, 3, 0.7)]
with open("soap_reference.txt" if "--all" in sys.argv else "/dev/null", "w") as out:
    out.write("# cutoff width n_max l_max sigma frame atom dim values...\n")
    for rc, w, n_max, l_max, sigma in cases:
        alpha, rb, L, T = ref.quip_soap_setup(rc, n_max, sigma)
        for fi in (0, 1):
            at = frames[fi]
            i, D = neighbor_list("iD", at, rc)
            for a in (0, 17, 42):
                v = ref.soap_env(D[i == a], rc, w, n_max, l_max, alpha, rb, L, T)
                out.write("%g %g %d %d %g %d %d %d " % (rc, w, n_max, l_max, sigma, fi, a, len(v)))
                out.write(" ".join(repr(float(x)) for x in v) + "\n")


def soap_env_species(D, zn, zc, species, rc, w, n_max, l_max, alpha, rb, L, T, central_all=False):
    """Multi-species SOAP of one centre of species zc: D (n, 3) neighbour vectors, zn their
    atomic numbers. Neighbours of species outside `species` are ignored."""
    from scipy.special import ive, sph_harm
    r = np.linalg.norm(D, axis=1)
    keep = (r < rc) & np.isin(zn, species)
    D, r, zn = D[keep], r[keep], zn[keep]
    x = 2.0 * alpha * r[:, None] * rb[None, :]
    h = np.zeros((len(r), l_max + 1, n_max))
    for l in range(l_max + 1):
        with np.errstate(divide="ignore", invalid="ignore"):
            il = np.sqrt(np.pi / (2.0 * x)) * ive(l + 0.5, x)
        il = np.where(x == 0.0, 1.0 if l == 0 else 0.0, il)
        h[:, l, :] = np.exp(-alpha * (r[:, None] - rb[None, :]) ** 2) * il
    c = np.einsum("jlk,kn->jln", h, T) * ref.fcut(r, rc, w)[:, None, None]
    theta = np.arccos(np.clip(D[:, 2] / r, -1, 1))
    phi = np.arctan2(D[:, 1], D[:, 0])
    K = len(species) * n_max
    P = []
    for l in range(l_max + 1):
        m = np.arange(-l, l + 1)
        Y = sph_harm(m[None, :], l, phi[:, None], theta[:, None])
        X = np.zeros((2 * l + 1, K), complex)
        for s, z in enumerate(species):
            sel = zn == z
            X[:, s * n_max:(s + 1) * n_max] = np.einsum("jn,jm->mn", c[sel, l, :], Y[sel])
            if l == 0 and (central_all or z == zc):
                X[0, s * n_max:(s + 1) * n_max] += L[0, :] * np.sqrt(1.0 / (4.0 * np.pi))
        P.append((X.conj().T @ X).real / np.sqrt(2.0 * l + 1.0))
    v = np.zeros((l_max + 1) * K * (K + 1) // 2 + 1)
    i = 0
    for a in range(K):
        for b in range(a + 1):
            for l in range(l_max + 1):
                v[i] = P[l][a, b] * (np.sqrt(2.0) if a != b else 1.0)
                i += 1
    v /= np.linalg.norm(v)
    v[-1] = 0.0
    return v


def species_fixtures():
    from ase import Atoms
    from ase.io import write
    rng = np.random.default_rng(5)
    cells = {"GeSe": ([32, 34, 34] * 3, 6.2), "NaPO": ([11, 15, 8, 8, 8, 8, 11, 8], 6.0)}
    frames = []
    for name, (z, a) in cells.items():
        cell = a * np.eye(3) + 0.6 * (rng.random((3, 3)) - 0.5)
        pos = []
        while len(pos) < len(z):   # no pair closer than 1.7 Å (minimum image is enough here)
            p = rng.random(3) @ cell
            if all(np.linalg.norm(p - q) > 1.7 for q in pos):
                pos.append(p)
        frames.append(Atoms(numbers=z, positions=pos, cell=cell, pbc=True))
    write("soap_species.xyz", frames, format="extxyz")
    frames = read("soap_species.xyz", ":")   # the rounded coordinates the test reads
    # A single-species list reproduces the reference implementation (sanity of this code).
    alpha, rb, L, T = ref.quip_soap_setup(4.0, 4, 0.5)
    i, D = neighbor_list("iD", frames[0], 4.0)
    j = neighbor_list("j", frames[0], 4.0)
    zn = frames[0].numbers[j]
    one = soap_env_species(D[i == 1], zn[i == 1], 34, [34], 4.0, 1.0, 4, 3, alpha, rb, L, T, True)
    sel = (i == 1) & (zn == 34)
    assert np.abs(one - ref.soap_env(D[sel], 4.0, 1.0, 4, 3, alpha, rb, L, T)).max() < 1e-14
    cases = [(0, [32, 34], 4.0, 1.0, 4, 3, 0.5), (1, [8, 11, 15], 3.5, 0.8, 3, 2, 0.6)]
    with open("soap_species_reference.txt", "w") as out:
        out.write("# frame cutoff width n_max l_max sigma n_species species... atom dim values...\n")
        for fi, species, rc, w, n_max, l_max, sigma in cases:
            at = frames[fi]
            alpha, rb, L, T = ref.quip_soap_setup(rc, n_max, sigma)
            i, j, D = neighbor_list("ijD", at, rc)
            for a in range(len(at)):
                v = soap_env_species(D[i == a], at.numbers[j[i == a]], at.numbers[a], species, rc, w, n_max,
                                     l_max, alpha, rb, L, T)
                out.write("%d %g %g %d %d %g %d %s %d %d " % (fi, rc, w, n_max, l_max, sigma, len(species),
                                                             " ".join(map(str, species)), a, len(v)))
                out.write(" ".join(repr(float(x)) for x in v) + "\n")


species_fixtures()
