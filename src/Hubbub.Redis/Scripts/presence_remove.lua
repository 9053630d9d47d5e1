-- Removes a connection. ARGV[1] connection id, ARGV[2] user.
-- Returns 1 when it was the user's last connection in the channel (a leave).
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('HINCRBY', KEYS[3], ARGV[2], -1) <= 0 then
  redis.call('HDEL', KEYS[3], ARGV[2])
  return 1
end
return 0
