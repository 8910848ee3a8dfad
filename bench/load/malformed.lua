-- wrk script for make loadtest, phase 2: random malformed paths. Every
-- request is well-formed HTTP (the request target holds only URL-safe
-- characters) but names nothing valid: unknown files, bad tile
-- coordinates and versions, bad dates, boxes and ids, encoded traversal,
-- over-long paths. Counts answers by status class like mixed.lua.
local threads = {}
c2, c3, c4, c5, closes = 0, 0, 0, 0, 0

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(seed or 1)
end

local alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!$&'()*+,;=:@%"

-- junk returns 1..n random characters, some percent-encoded random bytes,
-- always starting with a letter so it is never empty or a valid number.
local function junk(n)
  local out = { string.char(math.random(97, 122)) }
  for _ = 2, math.random(1, n) do
    local r = math.random(10)
    if r <= 2 then
      out[#out + 1] = string.format("%%%02X", math.random(0, 255))
    elseif r == 3 then
      out[#out + 1] = "%zz"
    else
      local k = math.random(#alphabet)
      local ch = alphabet:sub(k, k)
      if ch == "%" then ch = "%25" end
      out[#out + 1] = ch
    end
  end
  return table.concat(out)
end

local function num() return tostring(math.random(-5, 40000)) end

local makers = {
  function() return "/" .. junk(30) end,
  function() return "/x-" .. junk(20) .. "/" .. junk(20) end,
  function() return "/tiles/" .. junk(12) .. ".json" end,
  function() return "/tiles/control/" .. junk(15) .. "/" .. num() .. "/" .. num() .. "/" .. num() .. ".png" end,
  function() return "/tiles/base/r1/" .. math.random(15, 99) .. "/0/0.png" end,
  function() return "/tiles/control/2025-08-15.r" .. math.random(1, 9) .. "/3/" .. math.random(8, 99) .. "/2.mvt" end,
  function() return "/tiles/control/2025-08-15.r1/3/4/2." .. junk(6) end,
  function() return "/tiles/diff/" .. junk(10) .. "_2025-08-15.r1/3/4/2.png" end,
  function() return "/api/control?date=" .. junk(12) end,
  function() return "/api/control?bbox=" .. junk(20) end,
  function() return "/api/control?date=2025-" .. math.random(13, 99) .. "-01" end,
  function() return "/api/boundaries?kind=" .. junk(8) end,
  function() return "/api/scenarios/" .. junk(70) end,
  function() return "/api/scenarios/alaska-2025/layers/" .. junk(10) end,
  function() return "/api/scenarios/alaska-2025?date=" .. junk(10) end,
  function() return "/api/change?from=" .. junk(10) .. "&to=2025-08-15" end,
  function() return "/api/series?oblast=" .. junk(8) end,
  function() return "/api/" .. junk(16) end,
  function() return "/..%2f..%2f" .. junk(10) .. "%2fpasswd" end,
  function() return "/vendor/" .. junk(10) .. "/../../" .. junk(5) end,
  function() return "/" .. string.rep("a/", math.random(100, 3000)) .. junk(5) end,
}

function request()
  return wrk.format("GET", makers[math.random(#makers)]())
end

response = function(status, headers, body)
  if status >= 500 then c5 = c5 + 1
  elseif status >= 400 then c4 = c4 + 1
  elseif status >= 300 then c3 = c3 + 1
  else c2 = c2 + 1 end
  -- the server ends the connection after some answers (a request line it
  -- cannot parse); wrk then counts a read error on the closed socket.
  if headers["Connection"] == "close" then closes = closes + 1 end
end

done = function(summary, latency, requests)
  local t2, t3, t4, t5, tc = 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    t2 = t2 + t:get("c2"); t3 = t3 + t:get("c3"); t4 = t4 + t:get("c4"); t5 = t5 + t:get("c5"); tc = tc + t:get("closes")
  end
  local e = summary.errors
  io.write(string.format("RESULT requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.1f s2xx=%d s3xx=%d s4xx=%d s5xx=%d closes=%d errors=%d read_errors=%d timeouts=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    t2, t3, t4, t5, tc, e.connect + e.read + e.write + e.timeout, e.read, e.timeout))
end
