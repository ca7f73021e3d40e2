#!/usr/bin/python3
"""Makes quip_small.xml and quip_small_ref.xyz for tests/gp/test_gap_quip.c.

Run once with Debian's /usr/bin/python3 (ASE, NumPy, SciPy):
    /usr/bin/python3 make_quip_fixture.py /work/shared/reference/si-sw
quip_small.xml is QUIP's gap_a.xml (gap_fit output on the si-sw training set) with its 2-body
sparse points unchanged and the SOAP part cut to its first 30 sparse points; all alphas are
replaced by seeded random numbers (order 0.5 for 2-body, 10 for SOAP): the original ones are
of order 1e6 and cancel, which would leave finite differences of the energy at ~1e-4 eV/A.
quip_small_ref.xyz holds test frames 0 (diamond 300 K), 26 (liquid) and 47 (sheared) of the
si-sw test set with the energy of that model computed by the independent NumPy
re-implementation soap_reference.py (gap_energy), and the forces on atoms 0, 1, 2, 3 (other
atoms zero; a per-atom column ref_mask marks them) by central finite differences of it
(h = 1e-4 Angstrom, with a Richardson step h/2).
"""
import sys
import xml.etree.ElementTree as ET

import numpy as np
from ase.io import read, write

ref = sys.argv[1]
sys.path.insert(0, ref + "/quip")
import soap_reference as sr  # noqa: E402

tree = ET.parse(ref + "/quip/gap_a.xml")
root = tree.getroot()
rng = np.random.default_rng(5)
for c in root.iter("gpCoordinates"):
    if c.find("descriptor").text.strip().startswith("distance_2b"):
        for x in c.findall("sparseX"):
            x.set("alpha", "%.17g" % (0.5 * rng.standard_normal()))
    if c.find("descriptor").text.strip().startswith("soap"):
        xs = c.findall("sparseX")
        for x in xs[30:]:
            c.remove(x)
        for x in xs[:30]:
            x.set("alpha", "%.17g" % (10.0 * rng.standard_normal()))
        c.set("n_sparseX", "30")
for p in root.iter("GAP_params"):
    for cl in p.findall("command_line"):
        p.remove(cl)
tree.write("quip_small.xml")

frames = [read(ref + "/test.xyz", i) for i in (0, 26, 47)]
out = []
for at in frames:
    e = sr.gap_energy("quip_small.xml", at)
    f = np.zeros((len(at), 3))
    for i in range(4):
        for c in range(3):
            def fd(h):
                ap = at.copy(); ap.positions[i, c] += h
                am = at.copy(); am.positions[i, c] -= h
                return -(sr.gap_energy("quip_small.xml", ap) - sr.gap_energy("quip_small.xml", am)) / (2 * h)
            f1, f2 = fd(1e-4), fd(5e-5)
            f[i, c] = (4 * f2 - f1) / 3
    a = at.copy()
    a.calc = None
    for k in ("energy", "free_energy", "virial", "stress"):
        a.info.pop(k, None)
    a.arrays.pop("forces", None)
    a.info["ref_energy"] = e
    a.new_array("ref_forces", f)
    mask = np.zeros(len(at), int); mask[:4] = 1
    a.new_array("ref_mask", mask)
    out.append(a)
    print(at.info.get("config_type"), "E = %.10f" % e, "F[0] =", f[0])
write("quip_small_ref.xyz", out, format="extxyz")

# The same model in gap_fit's default layout (sparse_separate_file=T): empty <sparseX> elements
# and the vectors, one number per line, in a side file named by sparseX_filename.
tree = ET.parse("quip_small.xml")
for k, c in enumerate(tree.getroot().iter("gpCoordinates")):
    side = "quip_small_sep.xml.sparseX.%d" % (k + 1)
    with open(side, "w") as fp:
        for x in c.findall("sparseX"):
            sl = x.findall("sparseX_slice")
            txt = " ".join(s.text for s in sl) if sl else x.text
            for v in txt.split():
                fp.write("%s\n" % v)
            for s in sl:
                x.remove(s)
            x.text = None
            x.attrib.pop("sliced", None)
    c.set("sparseX_filename", side)
    c.set("sparseX_md5sum", "not-checked")
tree.write("quip_small_sep.xml")
