#!/bin/sh
# MD benchmark: galore's NVE with Stillinger-Weber silicon against LAMMPS (Debian package
# lammps, pair_style sw with its Si.sw, the same parameters) on the same diamond supercells,
# same start temperature, time step, neighbour skin (1 Å) and rebuild rule (check every step),
# in one invocation. Prints steps/s, ns/day, the ratio LAMMPS/galore, and memory.
# Usage: bench/md_sw.sh [BUILD_DIR]
set -eu
build=${1:-build}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
set -- 2 10000 4 2000 8 300
"$build/bench/bench_md_sw" "$@" | tee "$dir/galore.txt"
command -v lmp >/dev/null || { echo "lmp not found (apt-get install lammps): no reference"; exit 0; }
sw=/usr/share/lammps/potentials/Si.sw
printf '%8s %8s %12s %10s %14s %14s\n' atoms steps lmp_steps/s ns/day lmp/galore lmp_peak_MiB
while [ $# -ge 2 ]; do
  n=$1 steps=$2; shift 2
  cat > "$dir/in.sw" <<IN
units metal
atom_style atomic
lattice diamond 5.431
region box block 0 $n 0 $n 0 $n
create_box 1 box
create_atoms 1 box
mass 1 28.0855
pair_style sw
pair_coeff * * $sw Si
velocity all create 1000 4928459 mom yes rot no dist gaussian
neighbor 1.0 bin
neigh_modify every 1 delay 0 check yes
timestep 0.001
fix 1 all nve
thermo $steps
run $steps
IN
  timer=""
  [ -x /usr/bin/time ] && timer="/usr/bin/time -f %M -o $dir/rss"
  (cd "$dir" && OMP_NUM_THREADS=1 $timer lmp -in in.sw -log none -screen lmp.out >/dev/null 2>&1 || true)
  loop=$(awk '/^Loop time of/ {print $4}' "$dir/lmp.out")
  if [ -s "$dir/rss" ]; then mem=$(awk '{printf "%.1f", $1 / 1024}' "$dir/rss")
  else mem="~$(awk '/Per MPI rank memory/ {print $(NF-1)}' "$dir/lmp.out" | tail -1)"; fi
  atoms=$((8 * n * n * n))
  ours=$(awk -v a=$atoms '$1 == a {print $3}' "$dir/galore.txt")
  awk -v a=$atoms -v s=$steps -v t="$loop" -v o="$ours" -v m="$mem" 'BEGIN {
    sps = s / t; printf "%8d %8d %12.1f %10.3f %14.2f %14s\n", a, s, sps, sps * 86400e-6, sps / o, m }'
done
echo "(lmp/galore > 1: LAMMPS is faster by that factor; memory is peak RSS, ~ marks LAMMPS's own estimate)"
