#!/usr/bin/env bash
# Alternating runs of the events scenario at issue size on SQLite: B = /work/baseline (session start), others = builds
# copied to /tmp/ev2/<name> (head = the branch before this change, b1 = the player rows as JSON). CPU ticks per second beside each run.
cd /work/wt/ev
out=/tmp/ev2/results; mkdir -p $out
for which in "$@"; do
  case $which in B) dll=/work/baseline/Hubbub.Server.dll;; *) dll=/tmp/ev2/$which/Hubbub.Server.dll;; esac
  stamp=$(date +%H%M%S)
  echo "== $which start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/ev2/runs.log
  before=$(ls $out/*.md 2>/dev/null | sort)
  HUBBUB_BENCH_SERVER_DLL=$dll dotnet run -c Release --no-build --project bench/Hubbub.Bench -- events --issue-size --databases sqlite --rounds 1 --step-seconds 10 --out $out > /tmp/ev2/run-$which-$stamp.log 2>&1 &
  run=$!
  for i in $(seq 1 600); do
    kill -0 $run 2>/dev/null || break
    # this run's client (the worktree's bench) and its server (the client's child; other helpers run servers of the same dll)
    c=$(pgrep -f "wt/ev/bench/Hubbub.Bench/bin/Release/net10.0/Hubbub.Bench events" | head -1); s=$( [ -n "$c" ] && pgrep -P $c -f "Hubbub.Server.dll" | head -1)
    ct=$( [ -n "$c" ] && awk '{print $14+$15}' /proc/$c/stat 2>/dev/null); st=$( [ -n "$s" ] && awk '{print $14+$15}' /proc/$s/stat 2>/dev/null)
    echo "$(date +%s) client ${ct:-0} server ${st:-0}" >> /tmp/ev2/cpu-$which-$stamp.log
    sleep 1
  done
  wait $run
  after=$(ls $out/*.md 2>/dev/null | sort)
  echo "== $which end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) new: $(comm -13 <(echo "$before") <(echo "$after") | grep -v latest | tr '\n' ' ') cpu: cpu-$which-$stamp.log" >> /tmp/ev2/runs.log
done
