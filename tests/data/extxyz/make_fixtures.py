"""Writes the extxyz fixtures of tests/core/test_extxyz.c with ASE, and what ASE reads back
from them (expected.txt), so the C reader is checked against an independent implementation.
Run with Debian's python3-ase: /usr/bin/python3 make_fixtures.py"""
import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator
import ase.io

rng = np.random.default_rng(7)

def triclinic(a):
    return np.array([[a, 0, 0], [0.3, a * 0.9, 0], [-0.4, 0.7, a * 1.1]])

frames = []
# 1: periodic, labelled through a calculator (ASE writes energy, forces and stress).
at = Atoms("Si2O", cell=triclinic(4.1), pbc=True,
           positions=rng.uniform(0, 3.5, (3, 3)))
at.calc = SinglePointCalculator(at, energy=-17.123456789012345,
                                forces=rng.normal(0, 1, (3, 3)),
                                stress=rng.normal(0, 0.01, 6))
at.info["config_type"] = "liquid melt"
at.info["step"] = 1200
at.info["temperature"] = 1500.25
frames.append(at)
# 2: a molecule without a cell.
mol = Atoms("GeSe", positions=[[0, 0, 0], [0.1, -0.2, 2.31]])
mol.info["config_type"] = "dimer"
frames.append(mol)
# 3: mixed periodicity, extra per-atom arrays of every type, array-valued info.
mix = Atoms("NaVPO4", cell=triclinic(6.0), pbc=[True, False, True],
            positions=rng.uniform(-1, 6, (7, 3)))
mix.set_array("tags", np.arange(7, dtype=int) * 3 - 5)
mix.set_array("charges", rng.normal(0, 1, 7))
mix.set_array("fixed", np.array([True, False, True, True, False, False, True]))
mix.set_array("dipole", rng.normal(0, 1, (7, 3)))
mix.info["flag"] = True
mix.info["weights"] = np.array([0.5, 1.25, 2.0])
mix.info["note"] = "NVP glass"
frames.append(mix)
ase.io.write("ase_mixed.xyz", frames, format="extxyz")

with open("expected.txt", "w") as out:
    for k, a in enumerate(ase.io.read("ase_mixed.xyz", ":")):
        def put(key, values):
            values = np.asarray(values, dtype=float).ravel()
            out.write(f"{k} {key} {len(values)} " + " ".join(repr(float(v)) for v in values) + "\n")
        put("natoms", [len(a)])
        put("numbers", a.numbers)
        put("cell", a.cell.array)
        put("pbc", a.pbc)
        put("positions", a.positions)
        if a.calc is not None:
            put("energy", [a.get_potential_energy()])
            put("forces", a.get_forces())
            # ASE stress (eV/Å³, Voigt) as the full tensor; galore stores virial = −σ·V.
            put("virial", -a.get_stress(voigt=False) * a.get_volume())
        for name in ("tags", "charges", "fixed", "dipole"):
            if name in a.arrays:
                put("array_" + name, a.arrays[name])
        for key in ("step", "temperature", "flag", "weights"):
            if key in a.info:
                put("info_" + key, np.atleast_1d(a.info[key]))
