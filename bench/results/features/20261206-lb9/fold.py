import sys, re, collections
# usage: perf script -i X | python3 fold.py PID [filter-substring] 
pid = sys.argv[1]; flt = sys.argv[2] if len(sys.argv) > 2 else None
incl = collections.Counter(); excl = collections.Counter(); total = 0; allsamples=0
stack = []; head = None
def clean(sym):
    sym = re.sub(r'\[(OptimizedTier1|Optimized|Tier0|Tier1|QuickJitted|OptimizedTier1OSR|PreJIT|Instrumented.*?)\]$', '', sym)
    sym = re.sub(r'\(.*\)$', '', sym)
    return sym.strip()
def flush():
    global total, allsamples
    if head is None: return
    allsamples += 1
    if head[1] != pid: return
    frames = [clean(f) for f in stack]
    if flt and not any(flt in f for f in frames): return
    total += 1
    if frames: excl[frames[0]] += 1
    for f in set(frames): incl[f] += 1
for line in sys.stdin:
    line = line.rstrip('\n')
    if not line.strip():
        flush(); head = None; stack = []; continue
    if not line.startswith(('\t', ' ')):
        m = re.match(r'^(.+?)\s+(\d+)/(\d+)\s', line) or re.match(r'^(.+?)\s+(\d+)\s', line)
        head = (m.group(1), m.group(2)) if m else ('?', '?'); stack = []
    else:
        parts = line.strip().split(' ', 1)
        sym = parts[1] if len(parts) > 1 else parts[0]
        sym = re.sub(r'\s+\(.*?\)$', '', sym)  # drop (dso)
        stack.append(sym)
flush()
n = int(sys.argv[3]) if len(sys.argv) > 3 else 60
print(f"samples of pid {pid}: {total} (all pids {allsamples})")
print("--- inclusive")
for s, c in incl.most_common(n): print(f"{100*c/total:6.2f}% {s[:170]}")
print("--- exclusive")
for s, c in excl.most_common(30): print(f"{100*c/total:6.2f}% {s[:170]}")
