#!/bin/bash
# usage: census.sh tag dll ; Hubbub alone: gcdump at 0 (after warm-up), at 10k connected, and late in the hold
cd /work/wt/idle
T=$1; DLL=$2; O=/tmp/idle/census/$T; mkdir -p $O
HUBBUB_BENCH_SERVER_DLL=$DLL timeout 600 dotnet bench/Hubbub.Bench/bin/Release/net10.0/Hubbub.Bench.dll idle --idle-levels 10000 --rounds 1 --servers hubbub --idle-hold-seconds 45 --out $O/res > $O/bench.log 2>&1 &
BP=$!
pid=""
for i in $(seq 1 120); do pid=$(pgrep -f "^dotnet $DLL" | head -1); [ -n "$pid" ] && break; sleep 1; done
echo "server $pid" > $O/log
for i in $(seq 1 300); do n=$(ls /proc/$pid/fd 2>/dev/null | wc -l); [ "$n" -ge 10060 ] && break; sleep 1; done
sleep 3
echo "connected fds=$n $(date -u +%T) rss=$(grep VmRSS /proc/$pid/status)" >> $O/log
/tmp/conn-tools/dotnet-gcdump collect -p $pid -o $O/connected.gcdump >> $O/log 2>&1
sleep 34
echo "held $(date -u +%T) rss=$(grep VmRSS /proc/$pid/status)" >> $O/log
/tmp/conn-tools/dotnet-gcdump collect -p $pid -o $O/held.gcdump >> $O/log 2>&1
wait $BP
for f in connected held; do /tmp/conn-tools/dotnet-gcdump report $O/$f.gcdump > $O/$f.txt 2>&1; done
echo done >> $O/log
