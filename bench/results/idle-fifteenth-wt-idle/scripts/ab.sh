#!/bin/bash
# usage: ab.sh label "tagA:dllA tagB:dllB ..." rounds
cd /work/wt/idle
B=bench/Hubbub.Bench/bin/Release/net10.0/Hubbub.Bench.dll
ARGS="idle --idle-levels 10000 --rounds 1 --servers hubbub,kestrel --idle-hold-seconds 45"
L=$1; shift; CFGS=$1; shift; R=$1
mkdir -p /tmp/idle/runs
for i in $(seq 1 $R); do
 for c in $CFGS; do
  t=${c%%:*}; d=${c#*:}
  echo "$(date -u +%T) $L $t $i start load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/idle/runs/runs.log
  HUBBUB_BENCH_SERVER_DLL=$d timeout 900 dotnet $B $ARGS --out /tmp/idle/runs/$L-$t-$i > /tmp/idle/runs/$L-$t-$i.out 2>&1
  echo "$(date -u +%T) $L $t $i end rc=$? load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/idle/runs/runs.log
 done
done
echo "$(date -u +%T) $L done" >> /tmp/idle/runs/runs.log
