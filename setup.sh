#!/bin/sh
# galore set-up on Debian 12: installs the Debian packages that are missing, configures,
# builds, then runs one of:
#   sh setup.sh demo   the main job: the demo campaign (configs/demo.yaml, a few minutes on
#                      2 cores), its status and report, built optimised in ./build
#   sh setup.sh test   the test suite (ctest), built optimised with AddressSanitizer and
#                      UndefinedBehaviorSanitizer in ./build-test
# Run as root (or with sudo available) on a machine that reaches Debian's package archive.
set -eu
cd "$(dirname "$0")"
job=${1:-demo}
case "$job" in
test) build=${GALORE_BUILD_DIR:-build-test}; flags="-DCMAKE_BUILD_TYPE=RelWithDebInfo -DGALORE_SANITIZE=ON" ;;
*) build=${GALORE_BUILD_DIR:-build}; flags="-DCMAKE_BUILD_TYPE=Release" ;;
esac

packages="build-essential cmake pkg-config libyaml-dev libhdf5-dev libopenblas-dev liblapacke-dev
libfftw3-dev libxc-dev libcurl4-openssl-dev libxml2-dev libopenmpi-dev openmpi-bin librsvg2-bin
cp2k-data"

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing Debian packages:$missing"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
fi

cmake -S . -B "$build" $flags ${GALORE_CMAKE_ARGS:-}
cmake --build "$build" -j "$(nproc)"

case "$job" in
demo)
    # The demo campaign writes ./demo-campaign; run again, it finds the campaign finished.
    "$build/orchestrator/galore" run configs/demo.yaml
    "$build/orchestrator/galore" status demo-campaign
    "$build/orchestrator/galore" report demo-campaign
    ;;
test)
    ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
    ;;
*)
    echo "usage: sh setup.sh demo|test" >&2
    exit 2
    ;;
esac
