/**
 * A sliding-window log over several counters, all or nothing, in one Lua script (atomic on the
 * server). Each counter is three keys, all declared in KEYS (so the script runs on Redis Cluster):
 * a sorted set of hits `<ms>:<seq>:<cost>` scored by time, the running sum, and a sequence. Hits
 * leave the window `windowMs` after they were made. Time is the Redis server's, so every instance
 * of a fleet agrees on it.
 *
 * KEYS: per counter, its hits, sum and seq keys (3 per counter). ARGV: cost, then limit and
 * windowMs per counter. Returns {1, remaining} when admitted, {0, index, retryAfterMs} when refused.
 */
export const SLIDING_WINDOW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1])
local n = #KEYS / 3
local used = {}
local function costOf(member) return tonumber(string.match(member, ':(%d+)$')) end
for i = 1, n do
  local hits, sumKey = KEYS[3 * i - 2], KEYS[3 * i - 1]
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  local sum = tonumber(redis.call('GET', sumKey) or '0')
  local expired = redis.call('ZRANGEBYSCORE', hits, '-inf', now - window)
  if #expired > 0 then
    for _, member in ipairs(expired) do sum = sum - costOf(member) end
    redis.call('ZREMRANGEBYSCORE', hits, '-inf', now - window)
    redis.call('SET', sumKey, sum, 'PX', window)
  end
  used[i] = sum
  local full
  if cost == 0 then full = sum >= limit else full = sum + cost > limit end
  if full then
    if cost > limit then return {0, i - 1, window} end
    local needed
    if cost == 0 then needed = sum - limit + 1 else needed = sum + cost - limit end
    local all = redis.call('ZRANGE', hits, 0, -1, 'WITHSCORES')
    local freed = 0
    for j = 1, #all, 2 do
      freed = freed + costOf(all[j])
      if freed >= needed then
        local wait = tonumber(all[j + 1]) + window - now
        if wait < 1 then wait = 1 end
        return {0, i - 1, wait}
      end
    end
    return {0, i - 1, window}
  end
end
local remaining = -1
for i = 1, n do
  local hits, sumKey, seqKey = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  if cost > 0 then
    local seq = redis.call('INCR', seqKey)
    redis.call('ZADD', hits, now, now .. ':' .. seq .. ':' .. cost)
    redis.call('SET', sumKey, used[i] + cost, 'PX', window)
    redis.call('PEXPIRE', hits, window)
    redis.call('PEXPIRE', seqKey, window)
  end
  local left = limit - used[i] - cost
  if remaining < 0 or left < remaining then remaining = left end
end
if remaining < 0 then remaining = 0 end
return {1, remaining}
`;

/**
 * Takes back `cost` units from each counter: its most recent hit of exactly that cost still in the
 * window, in one script (atomic on the server). KEYS as above (hits, sum, seq per counter); ARGV:
 * cost. A counter without such a hit is left alone. Returns the number of counters changed.
 */
export const REFUND_SCRIPT = `
local cost = tonumber(ARGV[1])
local n = #KEYS / 3
local changed = 0
for i = 1, n do
  local hits, sumKey = KEYS[3 * i - 2], KEYS[3 * i - 1]
  local members = redis.call('ZREVRANGE', hits, 0, -1)
  for _, member in ipairs(members) do
    if tonumber(string.match(member, ':(%d+)$')) == cost then
      redis.call('ZREM', hits, member)
      if redis.call('EXISTS', sumKey) == 1 then redis.call('DECRBY', sumKey, cost) end
      changed = changed + 1
      break
    end
  end
end
return changed
`;
