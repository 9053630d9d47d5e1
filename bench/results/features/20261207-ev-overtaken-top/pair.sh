#!/usr/bin/env bash
# Alternating A (baseline) / B (new build) runs of the events scenario at issue size on SQLite; logs which file is which.
cd /work/wt/ev
for which in "$@"; do
  case $which in A) dll=/work/baseline/Hubbub.Server.dll;; B) dll=/tmp/ev/newbuild/Hubbub.Server.dll;; esac
  echo "== $which start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/ev/runs.log
  before=$(ls bench/results/*.md 2>/dev/null | sort)
  HUBBUB_BENCH_SERVER_DLL=$dll dotnet run -c Release --project bench/Hubbub.Bench -- events --issue-size --databases sqlite --rounds 1 --step-seconds 10 > /tmp/ev/run-$which-$(date +%H%M%S).log 2>&1
  after=$(ls bench/results/*.md 2>/dev/null | sort)
  echo "== $which end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) new: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')" >> /tmp/ev/runs.log
done
