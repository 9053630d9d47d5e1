-- Helpers prepended to every history script (see LuaScripts.cs). Keys of one channel share a hash tag, so
-- each script touches one Redis Cluster slot.

-- Returns the channel's epoch, creating the stream's metadata when it is missing, and whether it did (then the
-- stream is empty: a publish needs no trim). Missing metadata means the stream is new or was lost (Redis flushed
-- or restarted without persistence, or the metadata expired): its offsets restart at 0 under a NEW epoch, which
-- tells recovering clients their history is gone.
local function ensure_meta(meta, stream, new_epoch, meta_ttl_ms)
  local epoch = redis.call('HGET', meta, 'epoch')
  if not epoch then
    redis.call('DEL', stream)
    redis.call('HSET', meta, 'epoch', new_epoch, 'offset', 0)
    -- New: it has no TTL yet (PTTL would answer -1), so no need to ask.
    if tonumber(meta_ttl_ms) > -1 then redis.call('PEXPIRE', meta, meta_ttl_ms) end
    return new_epoch, true
  end
  -- Only ever lengthened: a read passes the bare metadata TTL, a publish the longer of it and the history TTL,
  -- and a read must not cut short what a publish promised (the stream would start over with history left).
  if redis.call('PTTL', meta) < tonumber(meta_ttl_ms) then
    redis.call('PEXPIRE', meta, meta_ttl_ms)
  end
  return epoch, false
end

-- Stream entry ids are '<offset>-0'; entries are {id, {'x', expires_at_ms, 'p', payload}}.
local function offset_of(id)
  return tonumber(string.match(id, '^(%d+)'))
end

-- Drops expired entries from the head of the stream (they expire in order), in bounded batches. Called on every
-- publish: the head alone is looked at first, because it has mostly not expired (reading a batch of 100 entries
-- with their payloads each time was most of the script's cost).
local function trim_expired(stream, now)
  local oldest = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
  if #oldest == 0 or tonumber(oldest[1][2][2]) > now then return end
  for _ = 1, 20 do
    local head = redis.call('XRANGE', stream, '-', '+', 'COUNT', 100)
    if #head == 0 then return end
    for _, entry in ipairs(head) do
      if tonumber(entry[2][2]) > now then
        redis.call('XTRIM', stream, 'MINID', entry[1])
        return
      end
    end
    redis.call('XTRIM', stream, 'MINID', string.format('%d-0', offset_of(head[#head][1]) + 1))
  end
end
