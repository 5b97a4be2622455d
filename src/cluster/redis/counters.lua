#!lua name=gaia
-- Gaia's counters in Redis: the core limiter's check (src/core/limiter.cc) as one function, so
-- every node shares one set of counters and a check is one atomic FCALL. The semantics are
-- the core's, line for line: see docs/limiter.md ("The Redis backend").
--
-- Keys (all of one principal share the hash tag of its user, so a check touches one slot):
--   rate window   hash  s = newest bucket index, t = total, '0'..'7' = the 8 buckets
--   calendar      hash  e = end of the counted period (ms), u = units used in it
--   concurrency   zset  member '<lease>:<slot>:<cost>', score = when the lease lapses (ms)
--
-- Time is Redis's own (TIME), unless a test passes it as the first argument; then no key is
-- given an expiry, so a test's simulated time never meets Redis's clock.

local BUCKETS = 8
local MAX_LEASE_SLOTS = 4 -- core::Lease::kMaxSlots
local MAX_SHADOW = 4      -- core::Decision::kMaxShadow
local MAX_CALENDAR = 4    -- core::Decision::kMaxCalendar
local LINGER_MS = 1000    -- keeps an idle key a little past the moment it stops mattering

local function clock(arg)
  if arg ~= nil and arg ~= '' then return tonumber(arg), true end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), false
end

local function expire(key, ms, given)
  if not given then redis.call('PEXPIRE', key, math.max(ms, 0) + LINGER_MS) end
end

-- Sliding window (core::RateWindow) ---------------------------------------------------------

local function load_rate(key, window_ms)
  local v = redis.call('HMGET', key, 's', 't', '0', '1', '2', '3', '4', '5', '6', '7')
  local c = { kind = 'r', key = key, stamp = tonumber(v[1]) or 0, total = tonumber(v[2]) or 0,
              width = math.floor((window_ms + BUCKETS - 2) / (BUCKETS - 1)), b = {} }
  for i = 0, BUCKETS - 1 do c.b[i] = tonumber(v[i + 3]) or 0 end
  return c
end

local function advance(c, now)
  local index = math.floor(now / c.width)
  if index <= c.stamp then return end
  if c.total == 0 or index - c.stamp >= BUCKETS then
    for i = 0, BUCKETS - 1 do c.b[i] = 0 end
    c.total = 0
  else
    for j = c.stamp + 1, index do
      local s = j % BUCKETS
      c.total = c.total - c.b[s]
      c.b[s] = 0
    end
  end
  c.stamp = index
end

local function rate_retry_after(c, now, limit, cost)
  if cost > limit then return -1 end
  local counted = c.total
  if counted + cost <= limit then return 0 end
  for j = c.stamp - BUCKETS + 1, c.stamp do
    counted = counted - c.b[j % BUCKETS]
    if counted + cost <= limit then return (j + BUCKETS) * c.width - now end
  end
  return -1
end

local function rate_reset(c, now)
  if c.total == 0 then return 0 end
  return (c.stamp + BUCKETS) * c.width - now
end

local function save_rate(c, now, given)
  local args = { c.key, 's', c.stamp, 't', c.total }
  for i = 0, BUCKETS - 1 do
    args[#args + 1] = tostring(i)
    args[#args + 1] = c.b[i]
  end
  redis.call('HSET', unpack(args))
  expire(c.key, rate_reset(c, now), given)
end

-- Calendar quota (core::PeriodCount) --------------------------------------------------------

local function load_calendar(key)
  local v = redis.call('HMGET', key, 'e', 'u')
  return { kind = 'c', key = key, e = tonumber(v[1]) or 0, u = tonumber(v[2]) or 0 }
end

-- Enters the period ending at `end_ms`. A counter never goes back to an older period: a node
-- whose clock is behind counts in the period Redis is already in.
local function enter(c, end_ms)
  if end_ms > c.e then
    c.e = end_ms
    c.u = 0
  end
end

-- The node passes the end of the period its clock is in and of the one after; Redis's time
-- picks between them.
local function period_end(now, end_ms, next_end_ms)
  if now >= end_ms then return next_end_ms end
  return end_ms
end

local function save_calendar(c, now, given)
  redis.call('HSET', c.key, 'e', c.e, 'u', c.u)
  expire(c.key, c.e - now, given)
end

-- Concurrency leases ------------------------------------------------------------------------

local function load_running(key, now)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now) -- lapsed leases give their slots back
  local running = 0
  for _, member in ipairs(redis.call('ZRANGE', key, 0, -1)) do
    running = running + tonumber(string.match(member, ':(%d+)$'))
  end
  return { kind = 'n', key = key, running = running }
end

local function lease_member(lease, slot, cost)
  return lease .. ':' .. slot .. ':' .. cost
end

-- The check (core::Limiter::check) ----------------------------------------------------------

local function used_of(lim)
  local c = lim.c
  if lim.kind == 'r' then return c.total end
  if lim.kind == 'c' then return c.u end
  return c.running
end

local function reset_of(lim, now)
  if lim.kind == 'r' then return rate_reset(lim.c, now) end
  if lim.kind == 'c' then return lim.c.e - now end
  return 0
end

-- Ms until `cost` more fits (0: now, -1: never), after bringing the counter up to `now`.
local function refresh(lim, cost, now, concurrency_retry_ms)
  local c = lim.c
  if lim.kind == 'r' then
    advance(c, now)
    return rate_retry_after(c, now, lim.amount, cost)
  end
  if lim.kind == 'c' then
    enter(c, period_end(now, lim.p1, lim.p2))
    if c.u + cost <= lim.amount then return 0 end
    if cost > lim.amount then return -1 end
    return c.e - now
  end
  if c.running + cost <= lim.amount then return 0 end
  if cost > lim.amount then return -1 end
  return concurrency_retry_ms
end

local function consume(lim, cost)
  local c = lim.c
  c.changed = true
  if lim.kind == 'r' then
    local s = c.stamp % BUCKETS
    c.b[s] = c.b[s] + cost
    c.total = c.total + cost
    return c.total
  end
  if lim.kind == 'c' then
    c.u = c.u + cost
    return c.u
  end
  c.running = c.running + cost
  return c.running
end

-- -1 ("never") sorts after every finite wait.
local function frees_later(a, b)
  return b >= 0 and (a < 0 or a > b)
end

local function state(out, i, lim, retry, now)
  out[#out + 1] = i - 1
  out[#out + 1] = used_of(lim)
  out[#out + 1] = retry
  out[#out + 1] = reset_of(lim, now)
end

-- KEYS: one counter per limit, in the policy's order.
-- ARGV: now_ms ('' = Redis TIME), cost, concurrency_retry_ms, lease id, lease ttl ms, then
--       per limit: kind (r|c|n), enforced (1|0), amount, p1, p2 where a rate limit's p1 is
--       its window and a calendar quota's p1 and p2 are the ends of the node's current period
--       and of the next.
-- Returns: allowed (1|0), then the deciding limit as index (0-based, -1: none), used,
--          retry_after_ms, reset_ms; the shadow count and as many (index, used, retry, reset);
--          the lease slot count and the index of each limit that took a slot; admitted, the
--          count of enforced calendar quotas counted in and as many (index, used, retry, reset),
--          for quota warnings (refused: 0).
local function check(keys, args)
  local now, given = clock(args[1])
  local cost = tonumber(args[2])
  local concurrency_retry_ms = tonumber(args[3])
  local lease = args[4]
  local lease_ttl = tonumber(args[5])
  local n = #keys
  local limits, counters, retry = {}, {}, {}
  local refusing, any_waits = nil, false
  for i = 1, n do
    local a = 5 + (i - 1) * 5
    local lim = { kind = args[a + 1], enforced = args[a + 2] == '1', amount = tonumber(args[a + 3]),
                  p1 = tonumber(args[a + 4]), p2 = tonumber(args[a + 5]) }
    local key = keys[i]
    local c = counters[key]
    if c == nil then
      if lim.kind == 'r' then
        c = load_rate(key, lim.p1)
      elseif lim.kind == 'c' then
        c = load_calendar(key)
      else
        c = load_running(key, now)
      end
      counters[key] = c
    end
    lim.c = c
    limits[i] = lim
    retry[i] = refresh(lim, cost, now, concurrency_retry_ms)
    if retry[i] ~= 0 then
      any_waits = true
      if lim.enforced and (refusing == nil or frees_later(retry[i], retry[refusing])) then
        refusing = i
      end
    end
  end

  local shadows = {}
  local function note_shadow(i)
    if #shadows < MAX_SHADOW * 4 then state(shadows, i, limits[i], retry[i], now) end
  end

  local out
  local slots = {}
  local calendars = {}
  if refusing ~= nil then
    out = { 0 }
    state(out, refusing, limits[refusing], retry[refusing], now)
    for i = 1, n do
      if not limits[i].enforced and retry[i] ~= 0 then note_shadow(i) end
    end
  else
    local nearest, nearest_remaining = nil, 0
    for i = 1, n do
      local lim = limits[i]
      if any_waits and retry[i] ~= 0 then
        note_shadow(i) -- only a shadow limit can get here
      elseif lim.kind ~= 'n' or #slots < MAX_LEASE_SLOTS then
        if lim.kind == 'n' then
          slots[#slots + 1] = i - 1
          redis.call('ZADD', lim.c.key, now + lease_ttl, lease_member(lease, #slots - 1, cost))
          expire(lim.c.key, lease_ttl, given)
        end
        local used = consume(lim, cost)
        local remaining = lim.amount - math.min(lim.amount, used)
        if lim.enforced and (nearest == nil or remaining < nearest_remaining) then
          nearest, nearest_remaining = i, remaining
        end
        if lim.enforced and lim.kind == 'c' and #calendars < MAX_CALENDAR * 4 then
          state(calendars, i, lim, 0, now)
        end
      end
    end
    out = { 1 }
    if nearest ~= nil then
      state(out, nearest, limits[nearest], 0, now)
    else
      out = { 1, -1, 0, 0, 0 }
    end
    for _, c in pairs(counters) do
      if c.changed and c.kind == 'r' then save_rate(c, now, given) end
      if c.changed and c.kind == 'c' then save_calendar(c, now, given) end
    end
  end
  out[#out + 1] = #shadows / 4
  for _, v in ipairs(shadows) do out[#out + 1] = v end
  out[#out + 1] = #slots
  for _, v in ipairs(slots) do out[#out + 1] = v end
  out[#out + 1] = #calendars / 4
  for _, v in ipairs(calendars) do out[#out + 1] = v end
  return out
end

-- KEYS: the concurrency counters of a lease's slots, in slot order.
-- ARGV: now_ms ('' = TIME), lease id, cost, ttl ms. Extends each slot that has not lapsed;
-- returns how many it extended. A lapsed slot stays given back: its member may still be in
-- the set (no check has swept it yet), so lapsed members go first and ZADD XX adds nothing.
local function renew(keys, args)
  local now, given = clock(args[1])
  local ttl = tonumber(args[4])
  local renewed = 0
  for slot, key in ipairs(keys) do
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
    local member = lease_member(args[2], slot - 1, args[3])
    if redis.call('ZSCORE', key, member) then
      redis.call('ZADD', key, 'XX', now + ttl, member)
      expire(key, ttl, given)
      renewed = renewed + 1
    end
  end
  return renewed
end

-- KEYS: as renew. ARGV: lease id, cost. Gives the slots back.
local function release(keys, args)
  for slot, key in ipairs(keys) do
    redis.call('ZREM', key, lease_member(args[1], slot - 1, args[2]))
  end
  return #keys
end

-- KEYS: calendar counters. ARGV: now_ms ('' = TIME), cost, then each counter's period end.
-- Counts usage recorded before Redis lost its counters (core::Limiter::restore).
local function restore(keys, args)
  local now, given = clock(args[1])
  local cost = tonumber(args[2])
  for i, key in ipairs(keys) do
    local c = load_calendar(key)
    enter(c, tonumber(args[2 + i]))
    c.u = c.u + cost
    save_calendar(c, now, given)
  end
  return #keys
end

-- KEYS: the epoch key. ARGV: a fresh epoch. Returns the epoch in force, the fresh one when
-- Redis had none: then its counters were lost (or never existed) and the caller restores.
local function epoch(keys, args)
  local current = redis.call('GET', keys[1])
  if current then return current end
  redis.call('SET', keys[1], args[1])
  return args[1]
end

redis.register_function('gaia_check', check)
redis.register_function('gaia_renew', renew)
redis.register_function('gaia_release', release)
redis.register_function('gaia_restore', restore)
redis.register_function('gaia_epoch', epoch)

-- Reading without consuming (core::Limiter::quota_status) ------------------------------------

-- Slots held by leases that have not lapsed, read only: lapsed ones are left for the next
-- check to remove.
local function count_running(key, now)
  local running = 0
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', key, '(' .. now, '+inf')) do
    running = running + tonumber(string.match(member, ':(%d+)$'))
  end
  return running
end

-- KEYS: one counter per limit. ARGV: now_ms ('' = Redis TIME), concurrency_retry_ms, then per
-- limit as gaia_check: kind, enforced, amount, p1, p2.
-- Returns per limit, as a check of one unit would find it now: used, retry_after_ms,
-- reset_ms. Writes nothing (registered no-writes, so a replica or a read-only call may run it).
local function peek(keys, args)
  local now = clock(args[1])
  local concurrency_retry_ms = tonumber(args[2])
  local out = {}
  for i, key in ipairs(keys) do
    local a = 2 + (i - 1) * 5
    local lim = { kind = args[a + 1], amount = tonumber(args[a + 3]), p1 = tonumber(args[a + 4]),
                  p2 = tonumber(args[a + 5]) }
    if lim.kind == 'r' then
      lim.c = load_rate(key, lim.p1)
    elseif lim.kind == 'c' then
      lim.c = load_calendar(key)
    else
      lim.c = { kind = 'n', running = count_running(key, now) }
    end
    local retry = refresh(lim, 1, now, concurrency_retry_ms)
    out[#out + 1] = used_of(lim)
    out[#out + 1] = retry
    out[#out + 1] = reset_of(lim, now)
  end
  return out
end

redis.register_function{ function_name = 'gaia_peek', callback = peek, flags = { 'no-writes' } }
