#!/usr/bin/env bash
# Alternating runs of the events scenario at issue size on SQLite: A = /work/baseline (session start), B1.. = builds copied to /tmp/ev/<name>.
cd /work/wt/ev
out=/tmp/ev/results; mkdir -p $out
for which in "$@"; do
  case $which in A) dll=/work/baseline/Hubbub.Server.dll;; *) dll=/tmp/ev/$which/Hubbub.Server.dll;; esac
  echo "== $which start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/ev/runs.log
  before=$(ls $out/*.md 2>/dev/null | sort)
  HUBBUB_BENCH_SERVER_DLL=$dll dotnet run -c Release --no-build --project bench/Hubbub.Bench -- events --issue-size --databases sqlite --rounds 1 --step-seconds 10 --out $out > /tmp/ev/run-$which-$(date +%H%M%S).log 2>&1
  after=$(ls $out/*.md 2>/dev/null | sort)
  echo "== $which end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) new: $(comm -13 <(echo "$before") <(echo "$after") | grep -v latest | tr '\n' ' ')" >> /tmp/ev/runs.log
done
