# The bench client's CPU beside the server's, from the per-second samples (cpu2-*.log: epoch, client and server
# utime+stime in ticks of 10 ms). The events phase: from the end of the bare-publish step (the client's busiest
# seconds, > 40 ticks/s) to the run's end; client ÷ server CPU there, and per event from the server's CPU per event.
import sys, glob, re
for f in sorted(glob.glob('cpu2-*.log')):
    rows = [l.split() for l in open(f)]
    t = [(int(r[0]), int(r[2]), int(r[4])) for r in rows]
    d = [(t[i][1]-t[i-1][1], t[i][2]-t[i-1][2]) for i in range(1, len(t)) if t[i][2] >= t[i-1][2]]
    busy = [i for i, (c, s) in enumerate(d) if c > 40]
    if not busy: continue
    phase = d[busy[-1]+1:]
    c = sum(x for x, _ in phase); s = sum(y for _, y in phase)
    print(f"{f}: events phase {len(phase)} s, client {c/len(phase):.1f} ticks/s, server {s/len(phase):.1f} ticks/s, client/server {c/s:.3f}")
