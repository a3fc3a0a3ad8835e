#!/usr/bin/env bash
# Runs the libFuzzer targets of the fuzz preset, each for a bounded time, over its checked-in
# seed corpus (tests/fuzz/corpus/<target>, read-only) plus the inputs it finds on the way
# (kept in a temp dir and thrown away). Fails if any target crashes, leaks, hangs, exceeds
# its memory limit or breaks one of its invariants; the input that did it is left in
# build/fuzz/artifacts/ (crash-*, leak-*, timeout-*, oom-*) with the target's log.
# Build first: cmake --preset fuzz && cmake --build --preset fuzz
# Usage: scripts/fuzz.sh [seconds per target (default 15)] [target...]   (default: all)
# Reproduce a crash: build/fuzz/tests/fuzz/<target> build/fuzz/artifacts/<target>-crash-<sha1>
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-15}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(request_body_fuzz api_key_fuzz jwt_verify_fuzz werkzeug_hash_fuzz
           dotenv_config_fuzz route_match_fuzz front_door_fuzz signature_input_fuzz)
fi

bin_dir="build/fuzz/tests/fuzz"
artifacts="build/fuzz/artifacts"
mkdir -p "$artifacts"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# One target's run; its verdict goes to a file (the runs go side by side, one per CPU: each
# target is one single-threaded process, and the fuzz stage is the test command's last).
run_target() {
  local target="$1" log="$artifacts/$1.log"
  mkdir -p "$scratch/$target"
  # -timeout: one input taking this long is a hang. -rss_limit_mb: ASan's shadow memory
  # included. The first corpus directory is the writable one.
  if "$bin_dir/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 \
       -print_final_stats=1 -artifact_prefix="$artifacts/$target-" \
       "$scratch/$target" "tests/fuzz/corpus/$target" >"$log" 2>&1; then
    local runs coverage
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
    coverage="$(grep -o 'cov: [0-9]*' "$log" | tail -1)"
    echo "fuzz: $target ok (${seconds}s, ${runs:-?} runs, ${coverage:-cov: ?})"
  else
    touch "$scratch/$target.failed"
    echo "fuzz: $target FAILED (log: $log)"
    grep -E "ERROR|invariant broken|runtime error|Test unit written|SUMMARY" "$log" | head -20 || true
  fi
}

parallel="$(nproc)"
for target in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= parallel)); do wait -n || true; done
  run_target "$target" &
done
wait

failed=()
for target in "${targets[@]}"; do
  if [[ -e "$scratch/$target.failed" ]]; then failed+=("$target"); fi
done

if ((${#failed[@]} > 0)); then
  echo "fuzz: failed: ${failed[*]}"
  exit 1
fi
