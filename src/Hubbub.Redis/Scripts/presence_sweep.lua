-- Removes connections whose node stopped refreshing them (it died). ARGV[1] now (unix ms), ARGV[2] at most this
-- many. Returns the entries of users who thereby left the channel; the caller announces presence_leave. The
-- script is atomic, so when several nodes sweep the same channel each leave is returned exactly once.
local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local left = {}
for _, id in ipairs(dead) do
  redis.call('ZREM', KEYS[2], id)
  local entry = redis.call('HGET', KEYS[1], id)
  if entry then
    redis.call('HDEL', KEYS[1], id)
    local user = user_of(entry)
    if redis.call('HINCRBY', KEYS[3], user, -1) <= 0 then
      redis.call('HDEL', KEYS[3], user)
      table.insert(left, entry)
    end
  end
end
return left
