-- wrk script for make loadtest, phase 2: random malformed paths. Every
-- request is well-formed HTTP (the request target holds only URL-safe
-- characters) but names nothing valid: unknown files, bad tile
-- coordinates and versions, bad dates, boxes and ids, encoded traversal,
-- over-long paths. Seeding, counting and the RESULT line are in common.lua.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "common.lua")

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
