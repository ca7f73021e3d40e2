#!/bin/sh
# Neighbour-list benchmark: galore's cell lists against ASE's neighbor_list (the reference,
# Debian python3-ase) on the same frames, in one invocation. Usage: bench/run_nlist.sh [BUILD_DIR]
set -eu
build=${1:-build}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$build/bench/bench_nlist" --write "$dir" | tee "$dir/galore.txt"
/usr/bin/python3 - "$dir" <<'PY'
import sys, time, resource
import ase.io
from ase.neighborlist import neighbor_list
d = sys.argv[1]
ours = {}
for line in open(d + "/galore.txt"):
    f = line.split()
    if f and f[0].isdigit():
        ours[int(f[0])] = float(f[2])
print("# ASE neighbor_list('ij', cutoff 5.5 Å) on the same frames")
print("%8s %12s %14s %16s" % ("atoms", "ase_ms", "galore_ms", "ase/galore"))
for n in sorted(ours):
    atoms = ase.io.read("%s/cell_%d.xyz" % (d, n))
    reps = 3 if n >= 100000 else 5
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        i, j = neighbor_list("ij", atoms, 5.5)
        ts.append(time.perf_counter() - t0)
    ts.sort()
    med = ts[len(ts) // 2] * 1e3
    print("%8d %12.1f %14.3f %16.1f" % (n, med, ours[n], med / ours[n]))
print("ASE peak memory: %.1f MiB" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
PY
