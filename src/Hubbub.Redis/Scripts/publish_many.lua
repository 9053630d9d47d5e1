-- Appends several publications to one channel's history stream and publishes each to every node, in order, as ONE
-- atomic step (publish.lua for many: one round trip, and nothing of another publisher between them).
-- KEYS[1] metadata hash {epoch, offset}   KEYS[2] history stream
-- ARGV[1] pub/sub channel   ARGV[2] epoch to use if the stream is new   ARGV[3] history size   ARGV[4] now (unix ms)
-- ARGV[5] history ttl (ms)   ARGV[6] metadata ttl (ms)   ARGV[7..] encoded publications, in order
local meta, stream = KEYS[1], KEYS[2]
local size, now, ttl = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local epoch, fresh = ensure_meta(meta, stream, ARGV[2], math.max(tonumber(ARGV[6]), ttl))
local count = #ARGV - 6
local first = redis.call('HINCRBY', meta, 'offset', count) - count + 1
local keep = size > 0 and ttl > 0
for i = 0, count - 1 do
  if keep then
    redis.call('XADD', stream, 'MAXLEN', size, string.format('%d-0', first + i), 'x', now + ttl, 'p', ARGV[7 + i])
  end
end
if keep then
  -- A fresh stream holds only what was just added, none of it expired.
  if not fresh then trim_expired(stream, now) end
  -- The newest entry expires after ttl, and with it every older one: let an idle stream vanish.
  redis.call('PEXPIRE', stream, ttl)
elseif not fresh then
  redis.call('DEL', stream) -- (a fresh one was deleted already)
end
for i = 0, count - 1 do
  redis.call('PUBLISH', ARGV[1], string.format('p%d:', first + i) .. epoch .. ':' .. ARGV[7 + i])
end
return {first, epoch}
