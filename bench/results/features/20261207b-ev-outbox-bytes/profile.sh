#!/usr/bin/env bash
# perf record of the events scenario's server (this worktree's build), whole server life, 299 Hz, call graphs.
cd /work/wt/ev
out=/tmp/ev/prof3-$(date +%H%M%S); mkdir -p $out
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 dotnet run -c Release --no-build --project bench/Hubbub.Bench -- events --issue-size --databases sqlite --rounds 1 --step-seconds 10 --out $out > $out/bench.log 2>&1 &
bench=$!
for i in $(seq 1 120); do
  pid=$(pgrep -f "wt/ev/.*Hubbub.Server.dll" | head -1)
  [ -n "$pid" ] && break; sleep 0.5
done
echo "server $pid" > $out/pid
perf record -F 299 -g -p $pid -o $out/perf.data > $out/perf.log 2>&1 &
wait $bench
sleep 2
echo done >> $out/pid
