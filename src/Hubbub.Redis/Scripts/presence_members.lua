-- The entries that have not expired. ARGV[1] now (unix ms). Expired ones are left to the sweep, which turns
-- them into presence_leave events.
local live = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf')
local entries = {}
for i = 1, #live, 500 do
  local chunk = redis.call('HMGET', KEYS[1], unpack(live, i, math.min(i + 499, #live)))
  for _, entry in ipairs(chunk) do
    if entry then table.insert(entries, entry) end
  end
end
return entries
