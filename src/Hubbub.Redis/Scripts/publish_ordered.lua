-- Publishes a channel's publications in the order of the sequence the feature kit took with each committed change
-- (per channel, in commit order, in the shared database): two nodes that committed one after the other must not get
-- offsets the other way round. The metadata hash keeps 'seq', the channel's last sequence published; a sequence
-- ahead of the next one is held in KEYS[3] until the ones before it arrive, or until its node forces it out.
-- KEYS[1] metadata hash {epoch, offset, seq}   KEYS[2] history stream   KEYS[3] held publications {<seq>: count, <seq>:<i>: payload}
-- ARGV[1] pub/sub channel   ARGV[2] epoch to use if the stream is new   ARGV[3] history size   ARGV[4] now (unix ms)
-- ARGV[5] history ttl (ms)   ARGV[6] metadata ttl (ms)   ARGV[7] sequence   ARGV[8] '1': force out what is held up to
-- the sequence (no payloads then), '0': publish or hold   ARGV[9] how long held ones are kept (ms)   ARGV[10..] payloads
-- Returns {1, first offset, epoch} when published now, {0} when held, {2} when (forcing) another call had published it.
local meta, stream, held = KEYS[1], KEYS[2], KEYS[3]
local size, now, ttl = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local seq, force = tonumber(ARGV[7]), ARGV[8] == '1'
local epoch, fresh = ensure_meta(meta, stream, ARGV[2], math.max(tonumber(ARGV[6]), ttl))
local keep = size > 0 and ttl > 0
local last = tonumber(redis.call('HGET', meta, 'seq'))  -- nil: nothing sequenced yet (or the metadata was lost)

local function key(n) return string.format('%d', n) end

local function append(payload)
  local offset = redis.call('HINCRBY', meta, 'offset', 1)
  if keep then
    redis.call('XADD', stream, 'MAXLEN', size, string.format('%d-0', offset), 'x', now + ttl, 'p', payload)
  end
  redis.call('PUBLISH', ARGV[1], string.format('p%d:', offset) .. epoch .. ':' .. payload)
  return offset
end

-- Publishes the held publications of sequence n, if any; true when there were.
local function release(n)
  local count = redis.call('HGET', held, key(n))
  if not count then return false end
  for i = 1, tonumber(count) do
    local field = key(n) .. ':' .. i
    append(redis.call('HGET', held, field))
    redis.call('HDEL', held, field)
  end
  redis.call('HDEL', held, key(n))
  return true
end

local first = 0
if force then
  if redis.call('HEXISTS', held, key(seq)) == 0 then return {2} end
  -- Given up waiting for what comes before: what is held up to this sequence goes out, in sequence order.
  local ahead = {}
  for _, field in ipairs(redis.call('HKEYS', held)) do
    if not string.find(field, ':', 1, true) and tonumber(field) <= seq then table.insert(ahead, tonumber(field)) end
  end
  table.sort(ahead)
  for _, n in ipairs(ahead) do release(n) end
elseif last == nil or seq <= last + 1 then
  -- The next one, the first one known, or a late one (its successors went out without it): published at once.
  for i = 10, #ARGV do
    local offset = append(ARGV[i])
    if first == 0 then first = offset end
  end
else
  local fields = {key(seq), #ARGV - 9}
  for i = 10, #ARGV do
    table.insert(fields, key(seq) .. ':' .. (i - 9))
    table.insert(fields, ARGV[i])
  end
  redis.call('HSET', held, unpack(fields))
  redis.call('PEXPIRE', held, ARGV[9])
  return {0}
end
if last == nil or seq > last then last = seq end
while release(last + 1) do last = last + 1 end
redis.call('HSET', meta, 'seq', last)
if keep then
  -- A fresh stream holds only what was just added, none of it expired.
  if not fresh then trim_expired(stream, now) end
  -- The newest entry expires after ttl, and with it every older one: let an idle stream vanish.
  redis.call('PEXPIRE', stream, ttl)
elseif not fresh then
  redis.call('DEL', stream) -- (a fresh one was deleted already)
end
return {1, first, epoch}
