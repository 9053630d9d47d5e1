#!/usr/bin/env bash
# gctrace.sh OUT [DLL] : events run, the server's GC events traced for 25 s of it
out=$1; dll=${2:-}
mkdir -p $out; cd /work/main
HUBBUB_BENCH_SERVER_DLL=$dll dotnet bench/Hubbub.Bench/bin/Release/net10.0/Hubbub.Bench.dll events --issue-size --databases sqlite --rounds 1 --step-seconds 10 --out $out > $out/bench.log 2>&1 &
bench=$!
for i in $(seq 1 240); do grep -q "POST /api/events" $out/bench.log 2>/dev/null && break; sleep 0.5; done
pid=$(pgrep -f "${dll:-work/main/src/Hubbub.Server/bin/Release/net10.0/Hubbub.Server.dll}" -n)
echo "server $pid $(ps -o args= -p $pid | cut -c1-150)" > $out/pid
~/.dotnet/tools/dotnet-trace collect --duration 00:00:00:20 -p $pid --providers Microsoft-Windows-DotNETRuntime:0x1:5 -o $out/gc.nettrace > $out/trace.log 2>&1
wait $bench
