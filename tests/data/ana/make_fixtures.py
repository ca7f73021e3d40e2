"""Reference g(r) from ASE (Debian python3-ase) for tests/ana/test_analysis.c: a random binary
cell written as extxyz, ASE's total RDF and its Ge-Se partial (ASE normalises partials by
N_a·N/V, i.e. c_b·g_ab in galore's convention). Run: /usr/bin/python3 make_fixtures.py"""
import numpy as np
from ase import Atoms
from ase.geometry.analysis import Analysis
from ase.ga.utilities import get_rdf
import ase.io

rng = np.random.default_rng(11)
n = 60
cell = np.array([[14.0, 0, 0], [1.0, 13.5, 0], [-0.5, 0.8, 14.2]])
pos = rng.uniform(0, 1, (n, 3)) @ cell
atoms = Atoms(["Ge"] * 20 + ["Se"] * 40, positions=pos, cell=cell, pbc=True)
ase.io.write("binary.xyz", atoms, format="extxyz")
atoms = ase.io.read("binary.xyz")   # exactly what the C test reads
rmax, nbins = 6.0, 60
total, r = get_rdf(atoms, rmax, nbins)
part, _ = get_rdf(atoms, rmax, nbins, elements=[32, 34])
with open("ase_rdf.txt", "w") as out:
    out.write("# r  g_total(ASE)  g_GeSe(ASE partial, = c_Se g_GeSe)\n")
    for i in range(nbins):
        out.write("%.17g %.17g %.17g\n" % (r[i], total[i], part[i]))
