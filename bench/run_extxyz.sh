#!/bin/sh
# extxyz read throughput: galore's streaming reader against ASE's ase.io.read (the reference,
# Debian python3-ase) on the same ~MB-megabyte file, in one invocation.
# Usage: bench/run_extxyz.sh [BUILD_DIR] [MB]
set -eu
build=${1:-build}
mb=${2:-100}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$build/bench/bench_extxyz_read" --make "$dir/bench.xyz" "$mb"
"$build/bench/bench_extxyz_read" "$dir/bench.xyz" | tee "$dir/galore.txt"
/usr/bin/python3 - "$dir/bench.xyz" "$dir/galore.txt" <<'PY'
import os, resource, sys, time
import ase.io
path = sys.argv[1]
size = os.path.getsize(path) / 1e6
t0 = time.perf_counter()
n = 0
for atoms in ase.io.iread(path, index=":", format="extxyz"):
    n += 1
dt = time.perf_counter() - t0
ours = float(open(sys.argv[2]).read().split(" = ")[1].split()[0])
print("ASE:    %.1f MB in %.3f s = %.1f MB/s (%d frames), peak %.1f MiB" %
      (size, dt, size / dt, n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
print("galore/ASE throughput ratio: %.1f" % (ours / (size / dt)))
PY
