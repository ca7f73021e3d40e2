#!/bin/sh
# GAP-driven MD benchmark: steps/s, ns/day and the share of wall time outside force evaluation
# (target below 5%) for 64-, 512- and 4096-atom diamond silicon, NVE at 1 fs with the
# uncertainty evaluated every 10 steps, with a 2-body + SOAP GAP (n_max = l_max = 6, 200 SOAP
# sparse points, cutoff 4.5 Å) fitted by `galore fit` to the Stillinger-Weber frames of
# tests/data/md/sw_frames.xyz. Usage: bench/md_gap.sh [BUILD_DIR]
set -eu
build=${1:-build}
galore="$build/orchestrator/galore"
src=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/gap.yaml" <<'YAML'
gap:
  two_body: {cutoff: 5.0 Å, n_sparse: 15, delta: 1.0 eV}
  soap: {cutoff: 4.5 Å, n_max: 6, l_max: 6, atom_sigma: 0.5 Å, n_sparse: 200, delta: 0.2 eV}
YAML
"$galore" --log-level warn fit "$src/tests/data/md/sw_frames.xyz" -o "$dir/model.h5" --gap "$dir/gap.yaml"

# n×n×n cubic diamond cells, a = 5.431 Å, as extxyz.
diamond() {
  awk -v n="$1" 'BEGIN {
    a = 5.431; split("0 0 0 0 .5 .5 .5 0 .5 .5 .5 0 .25 .25 .25 .25 .75 .75 .75 .25 .75 .75 .75 .25", b, " ")
    printf "%d\nLattice=\"%g 0 0 0 %g 0 0 0 %g\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n", 8*n*n*n, n*a, n*a, n*a
    for (i = 0; i < n; i++) for (j = 0; j < n; j++) for (k = 0; k < n; k++) for (m = 0; m < 8; m++)
      printf "Si %.6f %.6f %.6f\n", a*(i+b[3*m+1]), a*(j+b[3*m+2]), a*(k+b[3*m+3]) }'
}

printf '%8s %8s %12s %10s %16s %12s\n' atoms steps steps/s ns/day outside_forces_% peak_MiB
for spec in "2 200" "4 40" "8 20"; do
  set -- $spec
  diamond "$1" > "$dir/start.xyz"
  timer=""
  [ -x /usr/bin/time ] && timer="/usr/bin/time -f %M -o $dir/rss"
  $timer "$galore" md "$dir/model.h5" "$dir/start.xyz" --schedule "hold:600:$2" --ensemble nve \
    --check-every 10 --window 0:10 --quiet > "$dir/out.txt"
  mem=$( [ -s "$dir/rss" ] && awk '{printf "%.1f", $1 / 1024}' "$dir/rss" || echo "?")
  awk -v n=$((8 * $1 * $1 * $1)) -v s="$2" -v m="$mem" '/^replica 0:/ {
    for (i = 1; i <= NF; i++) { if ($i == "steps/s,") sps = $(i-1); if ($i == "of") pct = $(i-1) }
    sub("%", "", pct); printf "%8d %8d %12.2f %10.4f %16s %12s\n", n, s, sps, sps * 86400e-6, pct, m }' "$dir/out.txt"
done
