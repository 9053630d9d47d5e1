#!/usr/bin/env bash
# One line per run of runs2.log: build, figures of the events table.
grep " end " /tmp/ev/runs2.log | while read -r line; do
  which=$(echo "$line" | awk '{print $2}'); f=$(echo "$line" | grep -o '/tmp/ev/results2/[0-9-]*\.md'); load=$(echo "$line" | awk '{print $6}')
  g() { grep -E "^\| $1 \|" $f | head -1 | awk -F'|' '{gsub(/[ ,]/,"",$4); print $4}'; }
  echo "$(basename $f .md) $which eps=$(g event_per_s) writer=$(g event_writer_cpu_us) server=$(g event_server_cpu_us) walloc=$(g event_writer_allocated_kib) salloc=$(g event_allocated_kib) cmds=$(g event_writer_commands) ovt=$(g overtaken_per_event) xp99=$(g xp_gained_p99_ms) lost=$(g lost_xp_gained) extra=$(g extra_xp_gained) load_end=$load"
done
