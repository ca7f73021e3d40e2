#!/bin/sh
# GAP benchmarks on the si-sw reference set (../shared/reference/si-sw): QUIP agreement, fit time,
# memory and test errors, and prediction time per atom. Single process, one BLAS thread (as the
# QUIP reference figures). Usage: sh bench/run_gap.sh BUILD_DIR [REFERENCE_DIR]
build=${1:-build}
ref=${2:-/work/shared/reference/si-sw}
out=${TMPDIR:-/tmp}/galore_bench_gap
mkdir -p "$out"
export OPENBLAS_NUM_THREADS=1
"$build/bench/bench_gap_predict" quip "$ref/quip/gap_a.xml" "$ref/test.xyz" "$ref/quip/test_pred_gap_a.xyz" || exit 1
"$build/bench/bench_gap_fit" "$ref/train.xyz" "$ref/test.xyz" "$out/model_a.h5" || exit 1
echo "prediction, QUIP's gap_a.xml:"
"$build/bench/bench_gap_predict" time "$ref/quip/gap_a.xml" || exit 1
echo "prediction, galore's model (with uncertainty):"
"$build/bench/bench_gap_predict" time "$out/model_a.h5"
