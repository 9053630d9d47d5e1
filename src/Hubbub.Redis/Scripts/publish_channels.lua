-- publish_many.lua for several channels at once: each channel's publications are appended to its history stream and
-- published to every node, in order, with consecutive offsets, and all channels' in ONE atomic step (one round trip
-- for what an event publishes on many channels, e.g. the users a score passed). The keys of different channels are in
-- different Redis Cluster slots, so this runs on a single Redis only (the broker does not use it on a cluster).
-- KEYS[2c-1], KEYS[2c] channel c's metadata hash {epoch, offset} and history stream
-- ARGV[1] now (unix ms), then per channel: pub/sub channel, epoch to use if the stream is new, history size,
-- history ttl (ms), metadata ttl (ms), count n, then its n encoded publications, in order
local now = tonumber(ARGV[1])
local firsts = {}
local a = 2
for c = 1, #KEYS / 2 do
  local meta, stream = KEYS[2 * c - 1], KEYS[2 * c]
  local pubsub, new_epoch = ARGV[a], ARGV[a + 1]
  local size, ttl, meta_ttl, count = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])
  local at = a + 6
  local epoch = ensure_meta(meta, stream, new_epoch, math.max(meta_ttl, ttl))
  local first = redis.call('HINCRBY', meta, 'offset', count) - count + 1
  local keep = size > 0 and ttl > 0
  if keep then
    for i = 0, count - 1 do
      redis.call('XADD', stream, 'MAXLEN', size, string.format('%d-0', first + i), 'x', now + ttl, 'p', ARGV[at + i])
    end
    trim_expired(stream, now)
    redis.call('PEXPIRE', stream, ttl)
  else
    redis.call('DEL', stream)
  end
  for i = 0, count - 1 do
    redis.call('PUBLISH', pubsub, string.format('p%d:', first + i) .. epoch .. ':' .. ARGV[at + i])
  end
  firsts[c] = first
  a = at + count
end
return firsts
