#!/usr/bin/env bash
# pair.sh OUT which... ; which = A (baseline) or a build dir name under /tmp/lead
out=$1; shift; mkdir -p $out
for which in "$@"; do
  case $which in A) dll=/work/baseline/Hubbub.Server.dll;; *) dll=/tmp/lead/$which/Hubbub.Server.dll;; esac
  echo "== $which start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $out/runs.log
  before=$(ls $out/*.md 2>/dev/null | sort)
  HUBBUB_BENCH_SERVER_DLL=$dll timeout 900 dotnet /work/main/bench/Hubbub.Bench/bin/Release/net10.0/Hubbub.Bench.dll events --issue-size --databases sqlite --rounds 1 --step-seconds 10 --out $out > $out/run-$which-$(date +%H%M%S).log 2>&1
  after=$(ls $out/*.md 2>/dev/null | sort)
  new=$(comm -13 <(echo "$before") <(echo "$after") | grep -v latest)
  echo "== $which end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) $new" >> $out/runs.log
  echo "$which $(basename $new) $(grep -E '^\| (event_per_s|event_writer_cpu_us|event_server_cpu_us|event_allocated_kib|event_gc_gen0_per_1000|event_gc_gen1_per_1000|event_gc_pause_us|event_gc_pause_per_collection_ms|xp_gained_p99_ms|lost_xp_gained|extra_xp_gained) ' $new | awk -F'|' '{gsub(/ /,"",$2); gsub(/ /,"",$4); printf "%s=%s ", $2, $4}')" >> $out/figures.txt
done
