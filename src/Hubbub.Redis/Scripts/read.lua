-- Reads a channel's newest position and, optionally, publications from its history stream.
-- KEYS[1] metadata hash {epoch, offset}   KEYS[2] history stream
-- ARGV[1] epoch to use if the stream is new   ARGV[2] now (unix ms)   ARGV[3] metadata ttl (ms)
-- ARGV[4] since offset (-1: none)   ARGV[5] since epoch ('' : none)   ARGV[6] limit (0: position only)
-- Returns {epoch, offset, complete (1|0), entries}.
local meta, stream = KEYS[1], KEYS[2]
local epoch = ensure_meta(meta, stream, ARGV[1], tonumber(ARGV[3]))
local offset = tonumber(redis.call('HGET', meta, 'offset'))
local since, limit = tonumber(ARGV[4]), tonumber(ARGV[6])
if ARGV[5] ~= '' and ARGV[5] ~= epoch then
  return {epoch, offset, 0, {}}
end
if limit <= 0 and since < 0 then
  return {epoch, offset, 1, {}}
end
trim_expired(stream, tonumber(ARGV[2]))
if since >= 0 then
  if since > offset then
    return {epoch, offset, 0, {}}
  end
  -- Complete only when the oldest publication still held directly follows what the client saw.
  local complete = 1
  if since < offset then
    local first = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
    local oldest = offset + 1
    if #first > 0 then oldest = offset_of(first[1][1]) end
    if oldest > since + 1 then complete = 0 end
  end
  local entries = {}
  if limit > 0 then
    entries = redis.call('XRANGE', stream, string.format('%d-0', since + 1), '+', 'COUNT', limit)
  end
  return {epoch, offset, complete, entries}
end
return {epoch, offset, 1, redis.call('XREVRANGE', stream, '+', '-', 'COUNT', limit)}
