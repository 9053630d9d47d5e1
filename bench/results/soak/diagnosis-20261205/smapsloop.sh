#!/bin/bash
pid=$1; d=$2; i=0
while kill -0 $pid 2>/dev/null; do n=$(printf %02d $i); cat /proc/$pid/smaps > $d/smaps-L$n.txt 2>/dev/null; ls -l /proc/$pid/fd > $d/fd-L$n.txt 2>/dev/null; i=$((i+1)); sleep 30; done
