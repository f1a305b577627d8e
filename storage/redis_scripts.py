"""Lua scripts the Redis checkpointer runs atomically on the server."""

# Refresh the idle expiry of every key of a thread: KEYS[1] = the namespace set,
# ARGV[1] = the thread's key base, ARGV[2] = ttl seconds.
REFRESH = """
local namespaces = redis.call('SMEMBERS', KEYS[1])
for _, ns in ipairs(namespaces) do
  for _, part in ipairs({'ids', 'cp', 'w', 'wi', 'refs', 'blobs'}) do
    redis.call('EXPIRE', ARGV[1] .. ':' .. part .. ':' .. ns, ARGV[2])
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', ARGV[1] .. ':runs', ARGV[2])
return #namespaces
"""

# One consistent read of a checkpoint, its writes and its channel blobs:
# KEYS = ids, cp, wi, w, refs, blobs; ARGV[1] = checkpoint id or "" for the latest.
# Returns {id, record, number of writes, write..., blob...}, the blobs in the order of the
# checkpoint's refs (its blob fields joined by \\1; none for records older than blobs).
READ = """
local id = ARGV[1]
if id == '' then
  local latest = redis.call('ZRANGE', KEYS[1], '+', '-', 'BYLEX', 'REV', 'LIMIT', 0, 1)
  if #latest == 0 then return {} end
  id = latest[1]
end
local record = redis.call('HGET', KEYS[2], id)
if not record then return {} end
local writes = {}
local fields = redis.call('ZRANGE', KEYS[3], '[' .. id .. '\\0', '(' .. id .. '\\1', 'BYLEX')
if #fields > 0 then
  for _, value in ipairs(redis.call('HMGET', KEYS[4], unpack(fields))) do
    if value then table.insert(writes, value) end
  end
end
local result = {id, record, #writes}
for _, value in ipairs(writes) do table.insert(result, value) end
local refs = redis.call('HGET', KEYS[5], id)
if refs and #refs > 0 then
  local blob_fields = {}
  for field in string.gmatch(refs, '[^\\1]+') do table.insert(blob_fields, field) end
  for _, value in ipairs(redis.call('HMGET', KEYS[6], unpack(blob_fields))) do
    table.insert(result, value)
  end
end
return result
"""
