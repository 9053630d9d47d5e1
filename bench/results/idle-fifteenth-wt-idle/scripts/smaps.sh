#!/bin/bash
# usage: smaps.sh tag dll : Hubbub alone; per-mapping RSS before the level (2s after warm-up) and at 10k connected and after the hold
cd /work/wt/idle
T=$1; DLL=$2; O=/tmp/idle/smaps/$T; mkdir -p $O
HUBBUB_BENCH_SERVER_DLL=$DLL timeout 600 dotnet bench/Hubbub.Bench/bin/Release/net10.0/Hubbub.Bench.dll idle --idle-levels 10000 --rounds 1 --servers hubbub --idle-hold-seconds 45 --out $O/res > $O/bench.log 2>&1 &
BP=$!
pid=""
for i in $(seq 1 120); do pid=$(pgrep -f "^dotnet $DLL" | head -1); [ -n "$pid" ] && break; sleep 1; done
echo "server $pid" > $O/log
# before: wait for fds to exceed 200 (connections starting), snapshot taken just before
prev=""
for i in $(seq 1 600); do n=$(ls /proc/$pid/fd 2>/dev/null | wc -l); if [ "$n" -ge 400 ]; then break; fi; cp /proc/$pid/smaps $O/before.smaps 2>/dev/null; sleep 0.2; done
for i in $(seq 1 300); do n=$(ls /proc/$pid/fd 2>/dev/null | wc -l); [ "$n" -ge 10060 ] && break; sleep 1; done
sleep 3
cp /proc/$pid/smaps $O/connected.smaps
sleep 40
cp /proc/$pid/smaps $O/held.smaps
wait $BP
echo done >> $O/log
