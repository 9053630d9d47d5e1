#!/bin/bash
# Alternates builds (copies in /tmp/idle/NAME) through the idle bench, Kestrel beside each; logs the load.
# usage: ab.sh ROUNDS NAME...
cd /work/wt/idle
out=bench/results/idle-sixteenth-wt-idle
rounds=$1; shift
for r in $(seq 1 "$rounds"); do
  for name in "$@"; do
    for i in $(seq 1 30); do   # wait (bounded, 5 min) while another helper's bench runs
      others=$(pgrep -f "Hubbub.Bench.dll" | grep -v "^$$\$" | while read p; do [ "$(readlink /proc/$p/cwd)" != "/work/wt/idle" ] && echo $p; done)
      [ -z "$others" ] && break
      sleep 10
    done
    echo "$(date -u +%H:%M:%S) $name-$r start load $(cut -d' ' -f1-3 /proc/loadavg) others:[$others]" >> $out/runs.log
    HUBBUB_BENCH_SERVER_DLL=/tmp/idle/$name/Hubbub.Server.dll timeout 900 dotnet bench/Hubbub.Bench/bin/Release/net10.0/Hubbub.Bench.dll idle \
      --idle-levels 10000 --rounds 1 --servers hubbub,kestrel --idle-hold-seconds 45 --out $out/$name-$r > $out/$name-$r.txt 2>&1
    echo "$(date -u +%H:%M:%S) $name-$r end rc=$? load $(cut -d' ' -f1-3 /proc/loadavg)" >> $out/runs.log
  done
done
