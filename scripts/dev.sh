#!/usr/bin/env bash
# Copia's developer entry point: installs what is missing, then builds, runs the demo or the tests.
#   scripts/dev.sh demo    run Pipelines/digits.json on SampleData and verify the output
#   scripts/dev.sh test    build and run the test suite
#   scripts/dev.sh deps    only install the system libraries
#   scripts/dev.sh bench   release-mode benchmarks (JSON lines)
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian/Ubuntu packages for the codecs (libpng, libjpeg-turbo, libdeflate), SHA-256 (OpenSSL) and BLAS (OpenBLAS).
PACKAGES=(pkg-config libpng-dev libjpeg-dev libdeflate-dev libssl-dev libopenblas-dev)

deps() {
  command -v swift > /dev/null || { echo "error: swift is not on PATH; install the Swift 6 toolchain first (swift.org/install)" >&2; exit 1; }
  local missing=()
  if command -v dpkg-query > /dev/null; then
    for p in "${PACKAGES[@]}"; do
      dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p")
    done
  else
    echo "note: not a Debian/Ubuntu system; make sure these libraries are installed: ${PACKAGES[*]}" >&2
    return 0
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
}

case "${1:-}" in
  deps)
    deps ;;
  demo)
    deps
    # COPIA_CONFIGURATION=debug reuses the test build (CI does); release is faster on real data.
    configuration=${COPIA_CONFIGURATION:-release}
    swift build -c "$configuration" --product copia
    bin=$(swift build -c "$configuration" --show-bin-path)/copia
    "$bin" run Pipelines/digits.json --out out/digits --overwrite
    "$bin" verify out/digits
    # Replay one augmented sample from its manifest line alone.
    id=$(grep -m1 '"origin":"augmented"' out/digits/manifest.jsonl | sed 's/^{"id":"\([^"]*\)".*/\1/')
    "$bin" replay out/digits/manifest.jsonl --id "$id" ;;
  test)
    deps
    swift build --build-tests
    swift test --skip-build "${@:2}" ;;
  bench)
    deps
    swift build -c release
    bin=$(swift build -c release --show-bin-path)
    for b in pipeline image table learn; do "$bin/copia-bench-$b"; done ;;
  *)
    echo "usage: scripts/dev.sh demo|test|deps|bench" >&2
    exit 64 ;;
esac
