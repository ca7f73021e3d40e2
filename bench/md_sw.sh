#!/bin/sh
# MD benchmark: galore's NVE with Stillinger-Weber silicon against LAMMPS (Debian package
# lammps, pair_style sw with its Si.sw, the same parameters) on the same diamond supercells,
# same start temperature, time step, neighbour skin (1 Å) and rebuild rule (check every step),
# in one invocation. Each program runs each size REPS times (default 3), alternating, and the
# fastest run counts, which keeps the ratio meaningful on a shared machine.
# Prints steps/s, ns/day, the share of time outside force evaluation, the ratio LAMMPS/galore,
# and peak memory. Usage: bench/md_sw.sh [BUILD_DIR [REPS]]
set -eu
build=${1:-build}
reps=${2:-3}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
have_lmp=1
command -v lmp >/dev/null || { have_lmp=0; echo "lmp not found (apt-get install lammps): no reference"; }
sw=/usr/share/lammps/potentials/Si.sw

lammps() {  # n steps -> prints "loop_seconds peak_MiB"
  cat > "$dir/in.sw" <<IN
units metal
atom_style atomic
lattice diamond 5.431
region box block 0 $1 0 $1 0 $1
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
thermo $2
run $2
IN
  timer=""
  [ -x /usr/bin/time ] && timer="/usr/bin/time -f %M -o $dir/rss"
  (cd "$dir" && OMP_NUM_THREADS=1 $timer lmp -in in.sw -log none -screen lmp.out >/dev/null 2>&1 || true)
  loop=$(awk '/^Loop time of/ {print $4}' "$dir/lmp.out")
  if [ -s "$dir/rss" ]; then mem=$(awk '{printf "%.1f", $1 / 1024}' "$dir/rss")
  else mem="~$(awk '/Per MPI rank memory/ {print $(NF-1)}' "$dir/lmp.out" | tail -1)"; fi
  echo "$loop $mem"
}

printf '%8s %8s %12s %9s %11s %10s %12s %9s %11s %11s\n' atoms steps galore_st/s ns/day \
  non-force_% galore_MiB lammps_st/s ns/day lmp/galore lammps_MiB
for spec in "2 10000" "4 2000" "8 300"; do
  set -- $spec
  best=0 bestl=0 gline="" lmem="-"
  i=0
  while [ $i -lt "$reps" ]; do
    line=$("$build/bench/bench_md_sw" "$1" "$2" | tail -1)
    sps=$(echo "$line" | awk '{print $3}')
    if awk -v a="$sps" -v b="$best" 'BEGIN {exit !(a > b)}'; then best=$sps gline=$line; fi
    if [ $have_lmp = 1 ]; then
      set -- $1 $2 $(lammps "$1" "$2")
      lsps=$(awk -v s="$2" -v t="$3" 'BEGIN {print s / t}')
      if awk -v a="$lsps" -v b="$bestl" 'BEGIN {exit !(a > b)}'; then bestl=$lsps lmem=$4; fi
      set -- $1 $2
    fi
    i=$((i + 1))
  done
  echo "$gline" | awk -v l="$bestl" -v m="$lmem" '{
    printf "%8d %8d %12.1f %9.2f %11.2f %10.1f %12.1f %9.2f %11.2f %11s\n", $1, $2, $3, $4, $5, $6,
      l, l * 86400e-6, (l > 0 ? l / $3 : 0), m }'
done
echo "(lmp/galore > 1: LAMMPS is faster by that factor; memory is peak RSS, ~ marks LAMMPS's own estimate)"
