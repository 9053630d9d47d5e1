#!/bin/bash
# usage: sampler.sh PID OUT  -- every 15 s: time, rss, anon, threads, fds, smaps rollup details
pid=$1; out=$2
echo "t,rss_kb,anon_kb,pss_kb,threads,fds,vmsize_kb,anon_maps_64M" > $out
t0=$(date +%s)
while kill -0 $pid 2>/dev/null; do
  r=$(awk '/^Rss:/{r=$2}/^Anonymous:/{a=$2}/^Pss:/{p=$2}END{print r","a","p}' /proc/$pid/smaps_rollup 2>/dev/null)
  th=$(ls /proc/$pid/task 2>/dev/null | wc -l)
  fd=$(ls /proc/$pid/fd 2>/dev/null | wc -l)
  vs=$(awk '/^VmSize:/{print $2}' /proc/$pid/status)
  # count of 64 MiB-ish reserved regions (glibc arenas reserve 64MiB heaps)
  ar=$(awk '{split($1,a,"-"); s=strtonum("0x" a[2])-strtonum("0x" a[1]); if (s==67108864) n++} END{print n+0}' /proc/$pid/maps)
  echo "$(( $(date +%s)-t0 )),$r,$th,$fd,$vs,$ar" >> $out
  sleep 15
done
