#!/bin/sh
# Enforces the module dependency graph of DESIGN.md on #include lines, and gives each
# third-party library exactly one home. Usage: check_includes.sh <repository root>
root=${1:-.}
cd "$root" || exit 2
status=0

# module folder | allowed project include prefixes (regex) | allowed third-party headers (regex)
# (BLAS/LAPACKE are linked through gal_core; every numeric module may include their headers.)
rules='core|core/|hdf5|H5|mpi|lapacke|cblas
engines/dft|core/|engines/dft/|fftw3|xc|xc_funcs|lapacke|cblas
engines/md|core/|engines/md/|
engines/analysis|core/|engines/analysis/|
gp/desc|core/|gp/desc/|lapacke|cblas
gp/bo|core/|gp/[^/]*\.h|gp/bo/|lapacke|cblas
gp|core/|gp/desc/|gp/[^/]*\.h|hdf5|H5|libxml/|lapacke|cblas
selectors|core/|selectors/|lapacke|cblas
orchestrator|.*|yaml|curl/|mpi|hdf5|H5'

for src in $(find core engines gp selectors orchestrator -name '*.[ch]' | sort); do
    dir=$(dirname "$src")
    best_len=0
    rule=""
    for r in $(echo "$rules" | tr ' ' '_'); do
        mod=$(echo "$r" | cut -d'|' -f1)
        case "$dir/" in "$mod"/*)
            if [ ${#mod} -gt $best_len ]; then best_len=${#mod}; rule=$r; fi ;;
        esac
    done
    [ -n "$rule" ] || continue
    mod=$(echo "$rule" | cut -d'|' -f1)
    allowed=$(echo "$rule" | cut -d'|' -f2- | sed 's/|$//')
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$src" | while IFS= read -r line; do
        inc=$(echo "$line" | sed 's/.*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/')
        if ! echo "$inc" | grep -Eq "^($allowed)"; then
            echo "$src:${line%%:*}: module $mod may not include \"$inc\""
            echo x >> /tmp/check_includes.$$
        fi
    done
    # third-party <...> headers that are not from the C library
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*<' "$src" | while IFS= read -r line; do
        inc=$(echo "$line" | sed 's/.*<\([^>]*\)>.*/\1/')
        case "$inc" in
            assert.h|complex.h|ctype.h|errno.h|float.h|inttypes.h|limits.h|math.h|signal.h|\
            stdarg.h|stdatomic.h|stdbool.h|stddef.h|stdint.h|stdio.h|stdlib.h|string.h|strings.h|time.h|\
            unistd.h|fcntl.h|dirent.h|getopt.h|libgen.h|poll.h|setjmp.h|sys/*|netinet/*|arpa/*|netdb.h|\
            pthread.h|locale.h|wchar.h|termios.h|spawn.h) continue ;;
        esac
        if ! echo "$inc" | grep -Eq "^($allowed)"; then
            echo "$src:${line%%:*}: module $mod may not include <$inc>"
            echo x >> /tmp/check_includes.$$
        fi
    done
done
if [ -s /tmp/check_includes.$$ ]; then status=1; fi
rm -f /tmp/check_includes.$$
[ $status -eq 0 ] && echo "include graph ok"
exit $status
