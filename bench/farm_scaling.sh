#!/bin/sh
# Labels per hour of a campaign's task farm: the same DFT-labeled campaign
# (bench/farm_scaling.yaml) on one process and under mpiexec with 2 and 3 ranks (rank 0 runs
# the campaign, the others label: 1 and 2 workers). Prints the label stage's wall time, labels
# per hour, the parallel efficiency per worker, and whether the dataset equals the one-process
# dataset frame for frame. Usage: sh bench/farm_scaling.sh BUILD_DIR ["1 2 3"]
build=$(cd "${1:-build}" && pwd)
ranks=${2:-"1 2 3"}
here=$(cd "$(dirname "$0")" && pwd)
out=${TMPDIR:-/tmp}/galore_bench_farm
galore="$build/orchestrator/galore"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
rm -rf "$out" && mkdir -p "$out" || exit 1
echo "cores: $(nproc --all), load: $(cut -d" " -f1-3 /proc/loadavg); campaign: $here/farm_scaling.yaml"
printf '%-6s %-8s %-10s %-12s %-11s %s\n' ranks workers label_s labels/hour efficiency "dataset = 1 process"
base_rate=
for n in $ranks; do
    dir="$out/np$n"
    sed "s#directory: farm-scaling#directory: $dir#; s#structure: \.\./#structure: $here/../#" \
        "$here/farm_scaling.yaml" > "$out/np$n.yaml"
    if [ "$n" = 1 ]; then
        "$galore" run "$out/np$n.yaml" > "$out/np$n.log" 2>&1 || { echo "np $n failed: $out/np$n.log"; exit 1; }
    else
        mpiexec -n "$n" "$galore" run "$out/np$n.yaml" > "$out/np$n.log" 2>&1 ||
            { echo "np $n failed: $out/np$n.log"; exit 1; }
    fi
    "$galore" convert "$dir/campaign.h5" "$out/np$n.xyz" > /dev/null 2>&1 || { echo "cannot export $dir"; exit 1; }
    line=$(grep '"event":"label_end"' "$dir/events.jsonl" | head -1)
    secs=$(echo "$line" | sed 's/.*"seconds":\([0-9.e+-]*\).*/\1/')
    labeled=$(echo "$line" | sed 's/.*"labeled":\([0-9]*\).*/\1/')
    workers=$(( n > 1 ? n - 1 : 1 ))
    rate=$(awk -v l="$labeled" -v s="$secs" 'BEGIN { printf "%.1f", 3600 * l / s }')
    [ -z "$base_rate" ] && base_rate=$rate
    eff=$(awk -v r="$rate" -v b="$base_rate" -v w="$workers" 'BEGIN { printf "%.2f", r / (b * w) }')
    same=$(cmp -s "$out/np1.xyz" "$out/np$n.xyz" && echo yes || echo NO)
    printf '%-6s %-8s %-10.1f %-12s %-11s %s\n' "$n" "$workers" "$secs" "$rate" "$eff" "$same"
done
