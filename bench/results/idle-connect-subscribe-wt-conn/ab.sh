#!/bin/bash
cd /work/wt/conn
B=bench/Hubbub.Bench/bin/Release/net10.0/Hubbub.Bench.dll
ARGS="idle --idle-levels 10000 --rounds 1 --servers hubbub,kestrel --idle-hold-seconds 45"
for i in 1 2 3; do
 for cfg in connect frame base; do
  echo "$(date -u +%T) $cfg $i load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/conn/ab.log
  if [ $cfg = base ]; then
    HUBBUB_BENCH_SERVER_DLL=/work/baseline/Hubbub.Server.dll dotnet $B $ARGS --idle-subscribe frame --out /tmp/conn/ab-$cfg-$i > /tmp/conn/ab-$cfg-$i.out 2>&1
  else
    dotnet $B $ARGS --idle-subscribe $cfg --out /tmp/conn/ab-$cfg-$i > /tmp/conn/ab-$cfg-$i.out 2>&1
  fi
  echo "$(date -u +%T) end rc=$? load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/conn/ab.log
 done
done
echo done >> /tmp/conn/ab.log
