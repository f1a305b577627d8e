"""Lua scripts the Redis checkpointer runs atomically on the server."""

# Refresh the idle expiry of every key of a thread: KEYS[1] = the namespace set,
# ARGV[1] = the thread's key base, ARGV[2] = ttl seconds.
REFRESH = """
local namespaces = redis.call('SMEMBERS', KEYS[1])
for _, ns in ipairs(namespaces) do
  for _, part in ipairs({'ids', 'cp', 'w', 'wi'}) do
    redis.call('EXPIRE', ARGV[1] .. ':' .. part .. ':' .. ns, ARGV[2])
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', ARGV[1] .. ':runs', ARGV[2])
return #namespaces
"""

# One consistent read of a checkpoint and its writes: KEYS = ids, cp, wi, w;
# ARGV[1] = checkpoint id or "" for the latest. Returns {id, record, write, write, ...}.
READ = """
local id = ARGV[1]
if id == '' then
  local latest = redis.call('ZRANGE', KEYS[1], '+', '-', 'BYLEX', 'REV', 'LIMIT', 0, 1)
  if #latest == 0 then return {} end
  id = latest[1]
end
local record = redis.call('HGET', KEYS[2], id)
if not record then return {} end
local result = {id, record}
local fields = redis.call('ZRANGE', KEYS[3], '[' .. id .. '\\0', '(' .. id .. '\\1', 'BYLEX')
if #fields > 0 then
  for _, value in ipairs(redis.call('HMGET', KEYS[4], unpack(fields))) do
    if value then table.insert(result, value) end
  end
end
return result
"""
