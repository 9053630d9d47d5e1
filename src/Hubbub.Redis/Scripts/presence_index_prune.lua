-- Takes swept channels off the presence index (KEYS[1], channel -> latest expiry of its entries). ARGV[1] now (unix
-- ms), then channels. A channel whose score moved past now since it was read (a node added or refreshed an entry
-- there meanwhile) stays.
for i = 2, #ARGV do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) <= tonumber(ARGV[1]) then
    redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return 0
