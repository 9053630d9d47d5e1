#!/bin/bash
# usage: prof.sh NAME METRIC PROFILE DURATION -- bench args
# Waits until the server's /metrics line METRIC (a regex) has a value > 0, then traces DURATION seconds.
name=$1; metric=$2; profile=$3; dur=$4; shift 5
cd /work/wt/cpu
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 HUBBUB_BENCH_SERVER_DLL=${DLL:-/work/cpu-prof/build0/Hubbub.Server.dll} setsid dotnet run -c Release --no-build --project bench/Hubbub.Bench -- "$@" > /work/cpu-prof/$name.bench.log 2>&1 &
bench=$!
pid=
for i in $(seq 1 1200); do
  for p in $(pgrep -f "Hubbub.Server.dll --urls"); do
    pp=$(ps -o ppid= -p $p | tr -d ' ')
    while [ -n "$pp" ] && [ "$pp" != 1 ] && [ "$pp" != 0 ]; do
      if [ "$pp" = "$bench" ]; then pid=$p; break 2; fi
      pp=$(ps -o ppid= -p $pp | tr -d ' ')
    done
  done
  if [ -n "$pid" ]; then
    port=$(tr '\0' ' ' < /proc/$pid/cmdline | sed 's/.*127.0.0.1:\([0-9]*\).*/\1/')
    v=$(curl -s -H 'X-Api-Key: hubbub-bench-api-key' http://127.0.0.1:$port/metrics | grep -E "$metric" | awk '{s+=$2} END {print s+0}')
    if [ -z "$FLAT" ]; then
      if [ -n "$v" ] && [ "$v" != 0 ]; then break; fi
    else
      # wait for a rise, then FLAT seconds without change, then a rise again
      if [ "$phase" = 2 ] && [ "$v" != "$last" ]; then break; fi
      if [ "$phase" = 1 ]; then
        if [ "$v" = "$last" ]; then flat=$((flat+1)); else flat=0; fi
        if [ $flat -ge $((FLAT*2)) ]; then phase=2; fi
      fi
      if [ -z "$phase" ] && [ -n "$v" ] && [ "$v" != 0 ]; then phase=1; flat=0; fi
      last=$v
    fi
  fi
  sleep 0.5
done
sleep ${DELAY:-1}
echo "server pid $pid port $port at $(date +%T)" >> /work/cpu-prof/$name.trace.log
perf record -F ${FREQ:-999} -g -p $pid -o /work/cpu-prof/$name.perf.data -- sleep $dur >> /work/cpu-prof/$name.trace.log 2>&1; cp /tmp/perf-$pid.map /work/cpu-prof/$name.perf-$pid.map
wait $bench
echo "bench done $(date +%T)" >> /work/cpu-prof/$name.trace.log
