#!/bin/sh
# DFT benchmark, the Si64 timing case of the DFT reference data (case6_si64_timing): a 2×2×2
# supercell of diamond Si (a = 5.431 Å) with atom 0 displaced by (0.10, 0.05, −0.07) Å, PZ LDA,
# the GTH-PADE-q4 pseudopotential, ecut 15 Ha, Γ only, 128 bands (occupied only), 72³ FFT grid,
# no forces or stress, SCF to 1e-8 Ha. galore (`galore dft`), Quantum ESPRESSO (`pw.x`, Debian
# quantum-espresso) and ABINIT (`abinit`, Debian abinit) run one process each, in this order, in
# one invocation, with the same OpenBLAS, single-threaded. Prints wall time, CPU time (user +
# system; steadier than wall time on a shared machine) and peak memory (/usr/bin/time -v), SCF
# iterations and total energy of each, the ratios galore/QE and galore/ABINIT, and checks that
# the energies agree.
#
# SCF stopping rules, "SCF to 1e-8 Ha" for each: galore |ΔE| < 1e-8 Ha between steps; ABINIT
# toldfe 1e-8 Ha (twice in a row); QE conv_thr 2e-8 Ry (its estimated error, 1e-8 Ha). galore
# runs a second time as `galore-d` with its default for labels, which also requires the
# density residual ∫|Δρ|/N_el < 1e-6 (for forces; QE and ABINIT have no such condition here):
# the ratios are printed for both.
#
# --profile adds a profile of galore's time: bench_dft_si64 (same settings) under perf (Debian
# linux-perf), with the engine's own per-phase timers, and perf's samples grouped by the galore
# function they were taken in (library time goes to the galore function that called it).
#
# As root, missing Debian packages are installed (apt-get install --no-install-recommends); a
# program that cannot be installed is skipped with a message. The system's BLAS alternatives
# are only read: when libblas.so.3/liblapack.so.3 do not point to OpenBLAS, the runs get
# OpenBLAS through LD_LIBRARY_PATH. The inputs are generated here; when the reference case is
# found (DFT_SI64_REF, default ../shared/reference/dft/case6_si64_timing next to the
# repository) they are checked against it and its tight energy is used as the reference.
# Usage: bench/dft_si64.sh [--profile] [--no-ref] [--keep] [BUILD_DIR]
#   --no-ref: galore only; --keep: keep the work directory (inputs, outputs, perf.data).
# About 4.5 min on one free core (galore 2 × ~0.5, QE ~0.5, ABINIT ~2.6), 5.5 with --profile.
set -eu
profile=0 noref=0 keep=0 build=build
for a in "$@"; do
    case $a in
    --profile) profile=1 ;;
    --no-ref) noref=1 ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,/^# About/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "dft_si64.sh: unknown option $a" >&2; exit 2 ;;
    *) build=$a ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
galore=$(cd "$build" 2>/dev/null && pwd)/orchestrator/galore
benchprog=$(dirname "$galore")/../bench/bench_dft_si64
[ -x "$galore" ] || { echo "no galore in $build/orchestrator: build the project first" >&2; exit 1; }
ref=${DFT_SI64_REF:-$here/../../shared/reference/dft/case6_si64_timing}
[ -d "$ref" ] || ref=""
dir=$(mktemp -d /tmp/dft_si64.XXXXXX)
if [ $keep = 1 ]; then echo "work directory (kept): $dir"; else trap 'rm -rf "$dir"' EXIT; fi

# ---- Debian packages --------------------------------------------------------------------
multi=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
libdir=/usr/lib/$multi
missing=""
[ -x /usr/bin/time ] || missing="$missing time"
[ $noref = 1 ] || command -v pw.x >/dev/null 2>&1 || missing="$missing quantum-espresso"
[ $noref = 1 ] || command -v abinit >/dev/null 2>&1 || missing="$missing abinit"
ls "$libdir"/openblas*/libblas.so.3 >/dev/null 2>&1 || missing="$missing libopenblas0-pthread"
[ $profile = 0 ] || command -v perf >/dev/null 2>&1 || missing="$missing linux-perf"
updated=0
for p in $missing; do
    if [ "$(id -u)" != 0 ]; then echo "missing Debian package $p (not root: not installing)"; continue; fi
    echo "installing $p"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$p" \
        >"$dir/apt-$p.log" 2>&1; then
        if [ $updated = 0 ]; then apt-get update >/dev/null 2>&1 || true; updated=1; fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$p" \
            >"$dir/apt-$p.log" 2>&1 || echo "could not install $p: $(tail -1 "$dir/apt-$p.log")"
    fi
done
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (Debian time)" >&2; exit 1; }
have_qe=0 have_abinit=0 have_perf=0
if [ $noref = 0 ]; then
    if command -v pw.x >/dev/null 2>&1; then have_qe=1; else echo "pw.x not available: QE skipped"; fi
    if command -v abinit >/dev/null 2>&1; then have_abinit=1; else echo "abinit not available: ABINIT skipped"; fi
fi
if [ $profile = 1 ]; then
    if command -v perf >/dev/null 2>&1 && perf record -q -o "$dir/probe.data" true >/dev/null 2>&1
    then have_perf=1
    else echo "perf not usable here (perf_event_paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null)): profile from galore's phase timers only"
    fi
fi

# ---- BLAS: OpenBLAS, one thread, for all three --------------------------------------------
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
use_dir=""
for l in libblas.so.3 liblapack.so.3; do
    alt=$(update-alternatives --query "$l-$multi" 2>/dev/null | awk '/^Value:/ {print $2}')
    echo "alternative $l-$multi -> ${alt:-$(readlink -f "$libdir/$l")}"
    case $(readlink -f "$libdir/$l") in *openblas*) ;; *) use_dir=1 ;; esac
done
if [ -n "$use_dir" ]; then
    for d in openblas-serial openblas-pthread openblas-openmp; do
        [ -e "$libdir/$d/libblas.so.3" ] && { use_dir=$libdir/$d; break; }
    done
    export LD_LIBRARY_PATH="$use_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "the system BLAS is not OpenBLAS: the runs use LD_LIBRARY_PATH=$use_dir (alternatives unchanged)"
fi
echo "OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1"
blas_of() {  # program -> its BLAS/LAPACK libraries, resolved through symlinks
    ldd "$1" | awk '/blas|lapack/ && $3 ~ /^\// {print $1, $3}' | while read -r n p; do
        printf ' %s=%s' "$n" "$(readlink -f "$p")"
    done
}
check_blas() {  # name program
    b=$(blas_of "$2")
    echo "$1 BLAS:$b"
    case $b in *openblas*) ;; *) echo "  WARNING: $1 does not resolve to OpenBLAS" ;; esac
    echo "$b" | tr ' ' '\n' | grep -E 'libblas|liblapack\.|libopenblas' | grep -qv openblas &&
        echo "  WARNING: $1 loads a non-OpenBLAS library too" || true
}
check_blas galore "$galore"
[ $have_qe = 0 ] || check_blas pw.x "$(command -v pw.x)"
[ $have_abinit = 0 ] || check_blas abinit "$(command -v abinit)"

# ---- inputs ---------------------------------------------------------------------------------
# GTH-PADE-q4 for Si (CP2K GTH_POTENTIALS, Goedecker-Teter-Hutter): ABINIT pspcod 10 layout,
# which QE 6.7 reads too (.gth), and the same numbers in CP2K's layout for galore.
cat >"$dir/Si.pade.gth" <<'EOF'
Si GTH-PADE-q4 from cp2k-data GTH_POTENTIALS (line 1307); ABINIT pspcod 10 / QE .gth
14 4 20230101   zatom,zion,pspdat
10 1 1 0 2001 0   pspcod,pspxc,lmax,lloc,mmax,r2well
0.44000000 1 -7.33610297   rloc nloc C1..
2   nnonloc
0.42273813 2 5.90692831 -1.26189397
3.25819622
0.48427842 1 2.72701346
0.00000000
EOF
cat >"$dir/GTH_SI" <<'EOF'
Si GTH-PADE-q4 GTH-LDA-q4
    2    2
     0.44000000    1    -7.33610297
    2
     0.42273813    2     5.90692831    -1.26189397
                                        3.25819622
     0.48427842    1     2.72701346
EOF
# Positions in bohr (1 bohr = 0.52917720859 Å, the constant of ABINIT 9.6 and QE 6.7), in the
# reference's order: cells (i,j,k) with k fastest, then the 8 atoms of the conventional cell.
awk 'BEGIN {
    b = 0.52917720859; a = 5.431 / b
    split("0 0 0  0 .5 .5  .5 0 .5  .5 .5 0  .25 .25 .25  .25 .75 .75  .75 .25 .75  .75 .75 .25", f, " ")
    printf "%.12f\n", 2 * a
    for (i = 0; i < 2; i++) for (j = 0; j < 2; j++) for (k = 0; k < 2; k++) for (s = 0; s < 8; s++) {
        x = (i + f[3*s+1]) * a; y = (j + f[3*s+2]) * a; z = (k + f[3*s+3]) * a
        if (n++ == 0) { x += 0.10 / b; y += 0.05 / b; z -= 0.07 / b }
        printf "%.12f %.12f %.12f\n", x, y, z
    }
}' >"$dir/geom_bohr"
L=$(head -1 "$dir/geom_bohr")
tail -n +2 "$dir/geom_bohr" >"$dir/pos_bohr"
if [ -n "$ref" ]; then
    if awk '/^ATOMIC_POSITIONS/ {on = 1; next} /^K_POINTS/ {on = 0} on {print $2, $3, $4}' \
        "$ref/qe_si64_pz.pwi" | paste -d' ' - "$dir/pos_bohr" |
        awk '{for (d = 1; d <= 3; d++) {e = $d - $(d+3); if (e < 0) e = -e; if (e > m) m = e}}
             END {printf "geometry vs reference case: max |Δx| = %.1e bohr\n", m; exit !(NR == 64 && m < 1e-9)}'
    then :; else echo "WARNING: the generated geometry differs from $ref/qe_si64_pz.pwi"; fi
    tail -n +2 "$dir/Si.pade.gth" >"$dir/psp_body"   # all but the comment line
    if tail -n +2 "$ref/../pseudos/Si.pade.gth" 2>/dev/null | cmp -s - "$dir/psp_body"; then echo "pseudopotential identical to the reference's pseudos/Si.pade.gth"
    else echo "WARNING: the pseudopotential differs from $ref/../pseudos/Si.pade.gth"; fi
fi
# galore reads Å and converts with CODATA 2018 (1 bohr = 0.529177210903 Å): giving it the bohr
# geometry times that factor puts it at exactly the positions ABINIT and QE use.
awk -v L="$L" 'BEGIN {b = 0.529177210903; l = L * b
    print 64
    printf "Lattice=\"%.15f 0 0 0 %.15f 0 0 0 %.15f\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n", l, l, l}
    {printf "Si %.15f %.15f %.15f\n", $1 * b, $2 * b, $3 * b}' "$dir/pos_bohr" >"$dir/si64.xyz"
settings() {  # density tolerance -> galore settings
    cat <<EOF
dft:
  ecut: 15 Ha
  xc: lda-pz
  kpts: [1, 1, 1]
  smearing: none
  pseudopotential_file: $dir/GTH_SI
  pseudopotentials: {Si: GTH-PADE-q4}
  scf_energy_tol: 1e-8 Ha
  scf_density_tol: $1
  max_scf_iterations: 300
  mixing_beta: 0.5
  extra_bands: 0
  fft_grid: [72, 72, 72]
EOF
}
# ∫|ρ_out − ρ_in|/N_el never exceeds 2: a tolerance of 2 leaves the energy rule alone
settings 2 >"$dir/dft.yaml"
settings 1e-6 >"$dir/dft_d.yaml"
{
    cat <<EOF
# Si64 PZ LDA, ecut 15 Ha, Gamma, default CG eigensolver (bench/dft_si64.sh)
acell 3*1.0
rprim $L 0 0  0 $L 0  0 0 $L
natom 64
ntypat 1
znucl 14
typat 64*1
pp_dirpath "$dir"
pseudos "Si.pade.gth"
ixc 2
ecut 15
kptopt 1
ngkpt 1 1 1
nshiftk 1
shiftk 0 0 0
nband 128
occopt 1
ngfft 72 72 72
toldfe 1.0d-8
nstep 300
chkprim 0
prtwf 0
prtden 0
prteig 0
prtgsr 0
optforces 0
optstress 0
xcart
EOF
    cat "$dir/pos_bohr"
} >"$dir/si64.abi"
{
    cat <<EOF
&control
  calculation = 'scf', prefix = 'si64', outdir = '$dir/qe_tmp', pseudo_dir = '$dir',
  disk_io = 'none'
/
&system
  ibrav = 0, nat = 64, ntyp = 1, ecutwfc = 30.0, nbnd = 128, input_dft = 'PZ',
  nr1 = 72, nr2 = 72, nr3 = 72
/
&electrons
  conv_thr = 2.0d-8, electron_maxstep = 300
/
ATOMIC_SPECIES
  Si 28.0855 Si.pade.gth
CELL_PARAMETERS bohr
  $L 0 0
  0 $L 0
  0 0 $L
ATOMIC_POSITIONS bohr
EOF
    sed 's/^/  Si /' "$dir/pos_bohr"
    echo "K_POINTS gamma"
} >"$dir/si64.pwi"

# ---- runs -----------------------------------------------------------------------------------
timed() {  # tag command... -> $dir/tag.time (time -v), $dir/tag.out (stdout and stderr)
    t=$1; shift
    echo "running $t ($(cut -d' ' -f1-3 /proc/loadavg) load)"
    (cd "$dir" && /usr/bin/time -v -o "$t.time" "$@" >"$t.out" 2>&1) || echo "  $t exited with an error (see $dir/$t.out)"
}
wall_of() {  # time -v file -> seconds
    awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0
        for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$1"
}
mem_of() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }
cpu_of() { awk -F': ' '/Percent of CPU/ {print $2}' "$1"; }
cpus_of() { awk -F': ' '/(User|System) time \(seconds\)/ {s += $2} END {printf "%.1f", s}' "$1"; }

echo "uptime:$(uptime)"
energy_of() { awk -F'energy=' 'NR == 2 && NF > 1 {split($2, v, " "); printf "%.11f", v[1] / 27.211386245988}' "$1" 2>/dev/null || true; }
steps_of() { sed -n 's/.*dft_scf_iterations=\([0-9]*\).*/\1/p' "$1" 2>/dev/null || true; }
timed galore "$galore" dft si64.xyz -o si64_out.xyz --settings dft.yaml --no-forces
g_e=$(energy_of "$dir/si64_out.xyz") g_it=$(steps_of "$dir/si64_out.xyz")
timed galore_d "$galore" dft si64.xyz -o si64_out_d.xyz --settings dft_d.yaml --no-forces
d_e=$(energy_of "$dir/si64_out_d.xyz") d_it=$(steps_of "$dir/si64_out_d.xyz")
if [ $have_qe = 1 ]; then
    timed qe pw.x -in si64.pwi
    q_e=$(awk '/^!/ {printf "%.11f", $5 / 2}' "$dir/qe.out")   # Ry -> Ha (QE: 1 Ha = 2 Ry)
    q_it=$(awk '/convergence has been achieved in/ {print $6}' "$dir/qe.out")
fi
if [ $have_abinit = 1 ]; then
    timed abinit abinit si64.abi
    a_e=$(awk '$1 == "ETOT" {e = $3} END {if (e != "") printf "%.11f", e}' "$dir/si64.abo" 2>/dev/null || true)
    a_it=$(awk '$1 == "ETOT" {n = $2} END {print n}' "$dir/si64.abo" 2>/dev/null || true)
fi
echo "uptime:$(uptime)"

# ---- table ----------------------------------------------------------------------------------
printf '\n%-8s %9s %9s %8s %9s %10s %18s\n' program wall_s cpu_s cpu_% peak_MiB scf_iter E_total_Ha
row() {  # name tag energy iterations
    if [ -s "$dir/$2.time" ] && [ -n "$3" ]; then
        printf '%-8s %9.1f %9s %8s %9s %10s %18s\n' "$1" "$(wall_of "$dir/$2.time")" \
            "$(cpus_of "$dir/$2.time")" "$(cpu_of "$dir/$2.time")" "$(mem_of "$dir/$2.time")" "$4" "$3"
    else
        printf '%-8s failed or skipped\n' "$1"
    fi
}
row galore galore "$g_e" "$g_it"
row galore-d galore_d "$d_e" "$d_it"
[ $have_qe = 0 ] || row QE qe "${q_e:-}" "${q_it:-}"
[ $have_abinit = 0 ] || row ABINIT abinit "${a_e:-}" "${a_it:-}"
ratio() {  # galore-name galore-tag galore-energy name tag energy
    [ -n "$3" ] && [ -n "$6" ] || return 0
    awk -v gw="$(wall_of "$dir/$2.time")" -v rw="$(wall_of "$dir/$5.time")" \
        -v gc="$(cpus_of "$dir/$2.time")" -v rc="$(cpus_of "$dir/$5.time")" \
        -v gm="$(mem_of "$dir/$2.time")" -v rm="$(mem_of "$dir/$5.time")" -v n="$1/$4" \
        'BEGIN {printf "%-16s wall %.2f  CPU time %.2f  peak memory %.2f\n", n, gw / rw, gc / rc, gm / rm}'
}
echo
ratios() {  # galore-name galore-tag galore-energy
    [ $have_qe = 0 ] || ratio "$1" "$2" "$3" QE qe "${q_e:-}"
    [ $have_abinit = 0 ] || ratio "$1" "$2" "$3" ABINIT abinit "${a_e:-}"
}
ratios galore galore "$g_e"
ratios galore-d galore_d "$d_e"
echo "(galore: |dE| < 1e-8 Ha, as QE and ABINIT here; galore-d: galore's default for labels,"
echo " which also requires the density residual < 1e-6)"

# ---- energies -------------------------------------------------------------------------------
# With the same functional, grid and pseudopotential the three total energies agree to the
# SCF tolerance plus each code's own small differences: ABINIT and galore to ~1e-10 Ha when
# converged tightly; QE sits ~2e-8 Ha below both (its Ewald sum is converged to ~1e-8 Ha).
# QE's eigenvalues differ by the G = 0 convention (psp_core/N_el), not its total energy.
tight=-253.7012132199   # ABINIT, tolvrs 1e-14 (reference case 6)
if [ -n "$ref" ]; then
    t=$(awk '$1 == "ETOT" {e = $3} END {print e}' "$ref/abinit_si64_pz_tight.abo" 2>/dev/null)
    [ -z "$t" ] || tight=$t
fi
echo
check() {  # label a b tolerance
    [ -n "$2" ] && [ -n "$3" ] || return 0
    awk -v a="$2" -v b="$3" -v tol="$4" -v n="$1" 'BEGIN {d = a - b
        printf "%-26s %+.2e Ha  %s (expected |Δ| < %.0e)\n", n, d, (d < tol && -d < tol) ? "ok" : "MISMATCH", tol}'
}
check "galore - ABINIT" "$g_e" "${a_e:-}" 1e-6
check "galore - QE" "$g_e" "${q_e:-}" 1e-6
check "galore - tight ABINIT" "$g_e" "$tight" 1e-7
check "galore-d - tight ABINIT" "$d_e" "$tight" 1e-7
check "ABINIT - tight ABINIT" "${a_e:-}" "$tight" 1e-7
check "QE - tight ABINIT" "${q_e:-}" "$tight" 1e-7
echo "(tight ABINIT: $tight Ha, SCF converged to 1e-14 in the residual; QE tightly converged is ~2e-8 Ha lower)"

# ---- profile --------------------------------------------------------------------------------
[ $profile = 1 ] || exit 0
[ -x "$benchprog" ] || { echo "no $benchprog: build the project (bench targets)" >&2; exit 1; }
echo
echo "profile: bench_dft_si64 (the same settings), uptime:$(uptime)"
if [ $have_perf = 1 ]; then
    # DWARF call chains at a low rate keep the data small; a sample in BLAS, FFTW or libxc is
    # charged to the innermost galore function on its chain.
    (cd "$dir" && perf record -q -F 49 --call-graph dwarf,16384 -o perf.data \
        "$benchprog" si64.xyz GTH_SI 72 >profile.out 2>profile.err) || echo "profile run failed"
else
    (cd "$dir" && "$benchprog" si64.xyz GTH_SI 72 >profile.out 2>profile.err) || echo "profile run failed"
fi
grep -E '^(energy_ha|scf_iter|grid|peak)' "$dir/profile.out" || true
echo "galore's own timers (share of the whole run):"
grep '^phase' "$dir/profile.out" | sed 's/^phase /  /'
if [ -s "$dir/qe.out" ]; then
    echo "for comparison, QE's own timers of the run above (CPU s; h_psi = vloc_psi (FFTs) + calbec + add_vuspsi):"
    awk '$2 == ":" && $1 ~ /^(electrons|c_bands|sum_band|regterg|rdiaghg|h_psi|vloc_psi|calbec|add_vuspsi|fftw|PWSCF)$/ {
        printf "  %-12s %7.2f s\n", $1, $3}' "$dir/qe.out"
fi
[ $have_perf = 1 ] || exit 0
(cd "$dir" && perf script -F comm,ip,sym,dso -i perf.data 2>/dev/null) | awk -v prog=bench_dft_si64 '
    # One sample: a header line, then its frames "ip sym (dso)", leaf first. The owner is the
    # innermost galore function that is not a thin wrapper around FFTW, BLAS or LAPACK.
    function flush() {
        if (!nf) return
        if (own == "") own = "[outside galore]"
        total++; leafdso[ld]++; owner[own]++; pair[own "  in " ld]++; leaf[ls " (" ld ")"]++
        nf = 0; own = ""
    }
    /^[^ \t]/ { flush(); ni = 0; next }
    NF == 0 { flush(); ni = 0; next }
    {
        dso = $NF; gsub(/[()]/, "", dso); sub(/.*\//, "", dso)
        sym = $2; sub(/\+0x[0-9a-f]+$/, "", sym); sub(/\.(constprop|part|isra)\..*/, "", sym)
        if (dso == "inlined") { inl[ni++] = sym; next }   # belongs to the next frame (same ip)
        if (nf == 0) { ld = dso; ls = sym }
        for (i = 0; i <= ni; i++) {
            f = i < ni ? inl[i] : sym
            if (own == "" && dso == prog && f !~ /^(pw_fft_forward|pw_fft_backward|gemm|heev|__.*|\[unknown\])$/) own = f
        }
        ni = 0; nf++
    }
    END {
        flush()
        if (!total) { print "perf: no samples"; exit }
        printf "perf: %d samples; where the time was spent, by library:\n", total
        for (d in leafdso) printf "  %5.1f %%  %s\n", 100 * leafdso[d] / total, d | "sort -rn"
        close("sort -rn")
        print "by galore function (including the FFTW/BLAS/LAPACK/libxc calls it makes), top 15:"
        for (f in owner) printf "  %5.1f %%  %s\n", 100 * owner[f] / total, f | "sort -rn | head -15"
        close("sort -rn | head -15")
        print "by galore function and library, top 15:"
        for (f in pair) printf "  %5.1f %%  %s\n", 100 * pair[f] / total, f | "sort -rn | head -15"
        close("sort -rn | head -15")
        print "by function where the sample fell (BLAS kernels, FFTW codelets), top 12:"
        for (f in leaf) printf "  %5.1f %%  %s\n", 100 * leaf[f] / total, f | "sort -rn | head -12"
        close("sort -rn | head -12")
    }'
