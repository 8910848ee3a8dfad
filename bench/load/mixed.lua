-- wrk script for make loadtest, phase 1: valid requests picked at random
-- from the file given after "--" (tiles, TileJSON, API). Seeding, counting
-- and the RESULT line are in common.lua.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "common.lua")

local paths = {}
local seed_thread = init

function init(args)
  seed_thread(args)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  if #paths == 0 then error("no paths in " .. tostring(args[1])) end
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
