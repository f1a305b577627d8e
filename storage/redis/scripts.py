"""Lua scripts the Redis checkpointer runs atomically on the server.

Every key a script touches belongs to one thread and carries the thread's hash tag
(`<prefix>{thread}`), so each script runs on one Redis Cluster slot: no cross-slot access.
"""

# Shared helpers, prepended to the scripts that need them.
_HELPERS = """
local function del_fields(hash, index, fields)
  -- HDEL/ZREM in chunks: Lua's unpack() has a stack limit of a few thousand values.
  for i = 1, #fields, 500 do
    local chunk = {unpack(fields, i, math.min(i + 499, #fields))}
    redis.call('HDEL', hash, unpack(chunk))
    if index then redis.call('ZREM', index, unpack(chunk)) end
  end
end

local function refresh(ns_key, base, ttl)
  if ttl <= 0 then return end
  for _, ns in ipairs(redis.call('SMEMBERS', ns_key)) do
    for _, part in ipairs({'ids', 'cp', 'w', 'wi', 'refs', 'blobs'}) do
      redis.call('EXPIRE', base .. ':' .. part .. ':' .. ns, ttl)
    end
  end
  redis.call('EXPIRE', ns_key, ttl)
  redis.call('EXPIRE', base .. ':runs', ttl)
end
"""

# Refresh the idle expiry of every key of a thread: KEYS[1] = the namespace set,
# ARGV[1] = the thread's key base, ARGV[2] = ttl seconds.
REFRESH = (
    _HELPERS
    + """
refresh(KEYS[1], ARGV[1], tonumber(ARGV[2]))
return 1
"""
)

# Store one checkpoint, then apply the retention policy, then refresh the thread's expiry.
# KEYS = ns set, ids, cp, refs, blobs, w, wi (all of one thread and namespace)
# ARGV = ns, checkpoint id, record, refs, ttl, keep, base, then (field, value) per value that
# changed in this step. The checkpoint's other values (the fields in refs that come without
# bytes) were stored by an earlier step: if one of those is missing, nothing is written and
# {-1, missing field...} comes back, so the caller sends them in full (values are serialised
# once per version, not once per step, and an unchanged one costs no argument at all).
# keep > 0 keeps only the `keep` newest checkpoints (their unused blobs go too) and the pending
# writes of the newest one: an older checkpoint's writes are already folded into its successor,
# and recovery only ever resumes from the newest. keep = 0 keeps everything.
# Returns the number of checkpoints left in the namespace.
PUT = (
    _HELPERS
    + """
local ns_key, ids, cp, refs, blobs, w, wi = unpack(KEYS)
local id = ARGV[2]
local fresh = {}
for i = 8, #ARGV, 2 do fresh[ARGV[i]] = true end
local missing = {-1}
for field in string.gmatch(ARGV[4], '[^\\1]+') do
  if not fresh[field] and redis.call('HEXISTS', blobs, field) == 0 then
    table.insert(missing, field)
  end
end
if #missing > 1 then return missing end
redis.call('SADD', ns_key, ARGV[1])
for i = 8, #ARGV, 2 do redis.call('HSET', blobs, ARGV[i], ARGV[i + 1]) end
redis.call('HSET', cp, id, ARGV[3])
redis.call('HSET', refs, id, ARGV[4])
redis.call('ZADD', ids, 0, id)
local keep = tonumber(ARGV[6])
local count = redis.call('ZCARD', ids)
if keep > 0 then
  if count > keep then
    local old = redis.call('ZRANGE', ids, 0, count - keep - 1)
    local dropped = {}
    for _, old_refs in ipairs(redis.call('HMGET', refs, unpack(old))) do
      if old_refs then
        for field in string.gmatch(old_refs, '[^\\1]+') do dropped[field] = true end
      end
    end
    del_fields(cp, ids, old)
    del_fields(refs, nil, old)
    for _, kept_refs in ipairs(redis.call('HVALS', refs)) do
      for field in string.gmatch(kept_refs, '[^\\1]+') do dropped[field] = nil end
    end
    local unused = {}
    for field in pairs(dropped) do table.insert(unused, field) end
    if #unused > 0 then del_fields(blobs, nil, unused) end
    count = keep
  end
  local newest = redis.call('ZRANGE', ids, '+', '-', 'BYLEX', 'REV', 'LIMIT', 0, 1)[1]
  local stale = redis.call('ZRANGE', wi, '-', '(' .. newest, 'BYLEX')
  if #stale > 0 then del_fields(w, wi, stale) end
end
refresh(ns_key, ARGV[7], tonumber(ARGV[5]))
return count
"""
)

# Store pending writes of one checkpoint, then refresh the thread's expiry.
# KEYS = ns set, w, wi; ARGV = ns, ttl, base, then (field, value, overwrite) per write.
# Like InMemorySaver: a regular write is kept once (a replay doesn't duplicate it); special
# channels (error, interrupt, resume) overwrite.
PUT_WRITES = (
    _HELPERS
    + """
redis.call('SADD', KEYS[1], ARGV[1])
for i = 4, #ARGV, 3 do
  if ARGV[i + 2] == '1' then
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  else
    redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1])
  end
  redis.call('ZADD', KEYS[3], 0, ARGV[i])
end
refresh(KEYS[1], ARGV[3], tonumber(ARGV[2]))
return 1
"""
)

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
