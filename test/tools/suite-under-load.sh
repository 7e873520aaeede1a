#!/usr/bin/env bash
# Proves the suite is green on a busy machine (issue: "green under load, by design"): clones the
# repository fresh, installs, then runs the README's test command N times in a row (default 3)
# while two processes burn a CPU each beside it. Prints each run's closing line and, last,
# "N passed, N failed" counting runs. Not part of CI's normal run (it takes N full suites).
#   bash test/tools/suite-under-load.sh [runs]
set -euo pipefail
runs="${1:-3}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d /tmp/vswitch-lab-load-XXXXXX)"
burners=()
cleanup() {
  for p in "${burners[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

git clone -q "$repo" "$work/repo"
cd "$work/repo"
npm ci --no-audit --no-fund >/dev/null

# two CPU burners (busy loops in their own processes), for the whole of the runs
for _ in 1 2; do
  node -e 'for (;;) {}' &
  burners+=("$!")
done

ok=0
bad=0
for i in $(seq 1 "$runs"); do
  log="$work/run-$i.log"
  if npm test >"$log" 2>&1; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
  echo "run $i: $(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)"
  if ! grep -qE '^[0-9]+ passed, 0 failed' "$log"; then
    grep -E '(FAIL|×) ' "$log" | head -20 || true
    cp "$log" "/tmp/suite-under-load-run-$i.log"
    echo "  (full log: /tmp/suite-under-load-run-$i.log)"
  fi
done
echo "$ok passed, $bad failed"
[ "$bad" -eq 0 ]
