"""Frames for tests/bo/test_select_si.c, copied verbatim (text blocks) from the silicon benchmark
set shared/reference/si-sw/train.xyz (64-atom cells labeled with the Stillinger-Weber potential
by LAMMPS; see that folder's README.md). Training: the first 6 diamond_T1000 frames; candidates:
the next 4 diamond_T1000 frames, the first 4 diamond_T300 frames and the first 4 liquid_T2500
frames. Run: python3 make_si_fixture.py PATH/TO/si-sw/train.xyz"""
import sys

lines = open(sys.argv[1]).read().splitlines()
blocks, i = [], 0
while i < len(lines):
    n = int(lines[i])
    blocks.append(lines[i:i + n + 2])
    i += n + 2

def kind(b):
    return b[1].split("config_type=")[1].split()[0]

d1000 = [b for b in blocks if kind(b) == "diamond_T1000"]
d300 = [b for b in blocks if kind(b) == "diamond_T300"]
liq = [b for b in blocks if kind(b) == "liquid_T2500"]
with open("si_crystal_train.xyz", "w") as f:
    for b in d1000[:6]:
        f.write("\n".join(b) + "\n")
with open("si_candidates.xyz", "w") as f:
    for b in d1000[6:10] + d300[:4] + liq[:4]:
        f.write("\n".join(b) + "\n")
