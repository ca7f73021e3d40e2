"""SOAP vectors of a few environments from the independent NumPy implementation of QUIP's
definitions (shared/reference/si-sw/quip/soap_reference.py, which reproduces QUIP's stored
sparse vectors to 5e-15), for tests/desc/test_soap.c. Run with /usr/bin/python3 (NumPy, SciPy,
ASE) from this folder: /usr/bin/python3 make_soap_fixtures.py PATH/TO/soap_reference.py"""
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
with open("soap_reference.txt", "w") as out:
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
