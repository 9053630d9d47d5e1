#!/bin/bash
cd /work/wt/conn
for i in 1 2; do
 for mode in none frame; do
  echo "$(date -u +%T) $mode $i load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/conn/step1.log
  dotnet bench/Hubbub.Bench/bin/Release/net10.0/Hubbub.Bench.dll idle --idle-levels 10000 --rounds 1 --servers hubbub,kestrel --idle-hold-seconds 45 --idle-subscribe $mode --out /tmp/conn/s1-$mode-$i > /tmp/conn/s1-$mode-$i.out 2>&1
 done
done
echo done >> /tmp/conn/step1.log
