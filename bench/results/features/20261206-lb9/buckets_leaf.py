import sys, re, collections
pid = sys.argv[1]
rules = [
 ('tp idle spin/wait', r'LowLevelSpinWaiter::Wait|LowLevelLifoSemaphore::Wait|PortableThreadPool\+WorkerThread::WorkerThreadStart$'),
 ('checkpointer thread', None),
 ('outbox deletions (background)', r'OutboxDeletions'),
 ('prometheus', r'\[Prometheus'),
 ('redis: multiplexer I/O (read loop/parse)', r'PhysicalConnection.*Read|RESPite|PhysicalBridge.*Write|PhysicalConnection.*Flush|PhysicalBridge::TryWrite|PhysicalConnection::Write'),
 ('redis: ExecuteAsync/ScriptEvaluate (issue)', r'RedisDatabase::ScriptEvaluateAsync|ConnectionMultiplexer::ExecuteAsync|RedisConnection\+<ExecuteAsync>d__22`1\[System.__Canon\]::MoveNext$'),
 ('overtaking', r'Overtaking'),
 ('notifications', r'Notification'),
 ('outbox publish', r'OutboxDispatcher|RedisBroker|RedisChannelPublisher|ChannelPublisher'),
 ('ranks read', r'RanksOfScoresAsync|UncommittedScores'),
 ('index apply', r'ApplyAsync'),
 ('player store/state', r'PlayerStore|PlayerState|PlayerChanges'),
 ('idempotency', r'Idempotency'),
 ('event processor other', r'EventProcessor|GamificationService'),
 ('feature tx/outbox write', r'FeatureTransaction|FeatureDatabase'),
 ('sqlite writer other', r'SqliteWriter'),
 ('kestrel/http', r'Kestrel|AspNetCore'),
 ('gc/runtime (no managed frame)', None),
]
cnt = collections.Counter(); total = 0
stack = []; head = None
def classify(comm, frames):
    if comm.startswith('Hubbub SQLite c'): return 'checkpointer thread'
    if comm.startswith('.NET Tiered'): return 'tiered jit'
    if comm.startswith('.NET BGC') or comm.startswith('.NET Server GC'): return 'gc thread'
    if comm.startswith('.NET Sockets'): return 'socket engine'
    if any(re.search(rules[0][1], f) for f in frames): return rules[0][0]
    for f in frames:
        for name, rx in rules[1:]:
            if rx and re.search(rx, f): return name
    if not any('[' in f and '] ' in f for f in frames): return comm + ': native only'
    return comm + ': other managed'
def flush():
    global total
    if head is None or head[1] != pid: return
    total += 1
    cnt[classify(head[0], stack)] += 1
for line in sys.stdin:
    line = line.rstrip('\n')
    if not line.strip():
        flush(); head = None; stack = []; continue
    if not line.startswith(('\t', ' ')):
        m = re.match(r'^(.+?)\s+(\d+)/(\d+)\s', line)
        head = (m.group(1).strip(), m.group(2)) if m else ('?', '?'); stack = []
    else:
        parts = line.strip().split(' ', 1)
        stack.append(re.sub(r'\s+\(.*?\)$', '', parts[1] if len(parts) > 1 else parts[0]))
flush()
print("samples", total)
for s, c in cnt.most_common(): print(f"{100*c/total:6.2f}% {s}")
