-- Helpers prepended to every presence script. A channel's presence is three keys:
--   KEYS[1] hash  connection id -> entry '<user length>:<user><name length>:<name><since unix ms>'
--   KEYS[2] zset  connection id -> expires at (unix ms); refreshed by the owning node's heartbeat
--   KEYS[3] hash  user -> number of that user's connections in the channel

local function user_of(entry)
  local n, rest = string.match(entry, '^(%d+):(.*)$')
  return string.sub(rest, 1, tonumber(n))
end

local function touch(key_ttl_ms)
  for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], key_ttl_ms) end
end
