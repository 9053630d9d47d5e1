-- Adds a connection. ARGV[1] connection id, ARGV[2] user, ARGV[3] entry, ARGV[4] expires at, ARGV[5] key ttl.
-- Returns 1 when it is the user's first connection in the channel (a join).
local first = 0
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) == 1 then
  if redis.call('HINCRBY', KEYS[3], ARGV[2], 1) == 1 then first = 1 end
end
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
touch(ARGV[5])
return first
