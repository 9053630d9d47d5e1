#!/bin/bash
# usage: pairs.sh TAG SCENARIO NPAIRS -- bench args   (alternates /work/cpu-build and /work/baseline)
tag=$1; scen=$2; n=$3; shift 4
cd /work/wt/cpu
out=/work/wt/cpu/bench/results/features/cpu-wt-cpu
mkdir -p $out
for i in $(seq 1 $n); do
  if [ $((i % 2)) = 1 ]; then order="after before"; else order="before after"; fi
  for who in $order; do
    dll=/work/cpu-build/Hubbub.Server.dll; [ $who = before ] && dll=/work/baseline/Hubbub.Server.dll
    l1=$(cut -d' ' -f1-3 /proc/loadavg); t=$(date +%H%M%S)
    HUBBUB_BENCH_SERVER_DLL=$dll dotnet run -c Release --no-build --project bench/Hubbub.Bench -- "$@" > /work/cpu-prof/runs/$tag-$i-$who.log 2>&1
    l2=$(cut -d' ' -f1-3 /proc/loadavg)
    f=$(grep -o "bench/results/[0-9-]*\.md" /work/cpu-prof/runs/$tag-$i-$who.log | head -1)
    base=$(basename $f .md)
    for x in /work/wt/cpu/bench/results/$base*; do mv $x $out/$(basename $x | sed "s/$base/$base-$tag-$who/"); done
    echo "$tag pair $i $who start $t file $base-$tag-$who load $l1 -> $l2" >> $out/runs.txt
  done
done
git -C /work/wt/cpu checkout bench/results/latest.md bench/results/latest.csv 2>/dev/null
