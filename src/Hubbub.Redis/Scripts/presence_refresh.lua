-- A node's heartbeat for its connections in one channel: pushes their expiry forward, and puts back entries
-- that Redis lost (restarted, flushed) or swept while the node was cut off.
-- ARGV[1] expires at, ARGV[2] key ttl, then pairs (connection id, entry).
for i = 3, #ARGV, 2 do
  local id, entry = ARGV[i], ARGV[i + 1]
  if redis.call('HSETNX', KEYS[1], id, entry) == 1 then
    redis.call('HINCRBY', KEYS[3], user_of(entry), 1)
  end
  redis.call('ZADD', KEYS[2], ARGV[1], id)
end
touch(ARGV[2])
return 0
