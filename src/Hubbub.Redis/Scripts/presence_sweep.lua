-- Removes connections whose node stopped refreshing them (it died). ARGV[1] now (unix ms), ARGV[2] at most this
-- many. Returns how many entries the channel still holds, then for each user who thereby left the channel their
-- entry and its expiry (the dead node's last refresh plus the TTL); the caller announces presence_leave. The
-- script is atomic, so when several nodes sweep the same channel each leave is returned exactly once.
local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local left = {0}
for i = 1, #dead, 2 do
  local id = dead[i]
  redis.call('ZREM', KEYS[2], id)
  local entry = redis.call('HGET', KEYS[1], id)
  if entry then
    redis.call('HDEL', KEYS[1], id)
    local user = user_of(entry)
    if redis.call('HINCRBY', KEYS[3], user, -1) <= 0 then
      redis.call('HDEL', KEYS[3], user)
      table.insert(left, entry)
      table.insert(left, dead[i + 1])
    end
  end
end
left[1] = redis.call('ZCARD', KEYS[2])
return left
