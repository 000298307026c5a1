-- wrk script for bench/bench_load.py: a weighted mix of the service's routes.
--
-- Read from the environment (set by bench_load.py):
--   SG_TOKEN      API key (admin scope: reads and writes)
--   SG_PEOPLE     persons in the synthetic world;  SG_PWIDTH digits in a person id (p%0Nd)
--   SG_COMPANIES  companies in the world;          SG_CWIDTH digits in a company id (c%0Nd)
--   SG_TEAM       the first SG_TEAM persons are our team (never intro targets)
--   SG_MIX        weights, e.g. "intro:35,map:35,list:20,create:5,patch:5" (health:N for GET /health)
--   SG_RUN        a tag that keeps created person ids unique across runs
-- done() prints one line "WRK_JSON {...}" with latency percentiles (microseconds) and statuses.

local token = os.getenv("SG_TOKEN") or ""
local people = tonumber(os.getenv("SG_PEOPLE") or "1000")
local pwidth = tonumber(os.getenv("SG_PWIDTH") or "7")
local companies = tonumber(os.getenv("SG_COMPANIES") or "50")
local cwidth = tonumber(os.getenv("SG_CWIDTH") or "5")
local team = tonumber(os.getenv("SG_TEAM") or "20")
local mix = os.getenv("SG_MIX") or "intro:35,map:35,list:20,create:5,patch:5"
local run = os.getenv("SG_RUN") or "0"

local kinds, cumulative, total = {}, {}, 0
for name, weight in string.gmatch(mix, "(%w+):(%d+)") do
  total = total + tonumber(weight)
  table.insert(kinds, name)
  table.insert(cumulative, total)
end

local threads, next_tid = {}, 1

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

local pfmt = "p%0" .. pwidth .. "d"
local cfmt = "c%0" .. cwidth .. "d"
local auth = "Bearer " .. token
local read_headers, json_headers
local counter = 0
statuses = {}

function init(args)
  math.randomseed(os.time() * 1000 + tid)
  read_headers = {["Authorization"] = auth}
  json_headers = {["Authorization"] = auth, ["Content-Type"] = "application/json"}
end

local function person()  -- an external person (not on the team)
  return string.format(pfmt, math.random(team + 1, people))
end

local function pick()
  local r = math.random() * total
  for i, c in ipairs(cumulative) do
    if r < c then return kinds[i] end
  end
  return kinds[#kinds]
end

function request()
  local kind = pick()
  if kind == "intro" then
    return wrk.format("POST", "/intro-paths", json_headers, '{"person_id":"' .. person() .. '"}')
  elseif kind == "map" then
    -- company 1 is our own; the accounts are the others
    return wrk.format("GET", "/accounts/" .. string.format(cfmt, math.random(2, companies)) .. "/map", read_headers)
  elseif kind == "list" then
    if math.random() < 0.5 then
      return wrk.format("GET", "/people?limit=50", read_headers)
    end
    return wrk.format("GET", "/people?limit=50&after=" .. person(), read_headers)
  elseif kind == "create" then
    counter = counter + 1
    local id = "load-" .. run .. "-" .. tid .. "-" .. counter
    return wrk.format("POST", "/people", json_headers,
      '{"id":"' .. id .. '","name":"Load Person ' .. counter .. '","tags":["load"]}')
  elseif kind == "patch" then
    counter = counter + 1
    return wrk.format("PATCH", "/people/" .. person(), json_headers, '{"tags":["load-' .. (counter % 7) .. '"]}')
  end
  return wrk.format("GET", "/health")
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    if s then
      for code, n in pairs(s) do merged[code] = (merged[code] or 0) + n end
    end
  end
  local parts = {}
  for code, n in pairs(merged) do table.insert(parts, string.format('"%d":%d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"stdev":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d},' ..
    '"statuses":{%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max,
    table.concat(parts, ",")))
end
