-- Appends one publication to a channel's history stream and publishes it to every node, as ONE atomic step:
-- the offset order in the stream is the order in which every node receives the publications.
-- KEYS[1] metadata hash {epoch, offset}   KEYS[2] history stream
-- ARGV[1] pub/sub channel   ARGV[2] encoded publication   ARGV[3] epoch to use if the stream is new
-- ARGV[4] history size      ARGV[5] now (unix ms)         ARGV[6] history ttl (ms)   ARGV[7] metadata ttl (ms)
local meta, stream = KEYS[1], KEYS[2]
local size, now, ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local epoch, fresh = ensure_meta(meta, stream, ARGV[3], math.max(tonumber(ARGV[7]), ttl))
local offset = redis.call('HINCRBY', meta, 'offset', 1)
if size > 0 and ttl > 0 then
  redis.call('XADD', stream, 'MAXLEN', size, string.format('%d-0', offset), 'x', now + ttl, 'p', ARGV[2])
  -- A fresh stream holds only what was just added, none of it expired.
  if not fresh then trim_expired(stream, now) end
  -- The newest entry expires after ttl, and with it every older one: let an idle stream vanish.
  redis.call('PEXPIRE', stream, ttl)
elseif not fresh then
  redis.call('DEL', stream) -- (a fresh one was deleted already)
end
redis.call('PUBLISH', ARGV[1], string.format('p%d:', offset) .. epoch .. ':' .. ARGV[2])
return {offset, epoch}
