-- wrk script of tools/galera-check.sh: POST /order with a bearer token,
-- logging every reply. Environment:
--   TOKEN     the bearer token
--   OUT       reply log prefix: thread N writes OUT.N, one line per reply,
--             "<unix ms> <http status> <out_trade_no, or - unless 200>"
--   PRODUCTS  `product:sku` pairs to order from, space-separated, picked
--             at random per request (one unit of that size each)
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_usec; } letao_timeval;
int gettimeofday(letao_timeval *tv, void *tz);
]]
local tv = ffi.new("letao_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + math.floor(tonumber(tv.tv_usec) / 1000)
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local products = {}
for p, s in string.gmatch(os.getenv("PRODUCTS") or "", "(%d+):(%d+)") do
  products[#products + 1] = { p, s }
end
local token = os.getenv("TOKEN") or ""
local out

function init(args)
  out = assert(io.open(os.getenv("OUT") .. "." .. id, "w"))
  math.randomseed(id * 7919 + now_ms() % 100000)
end

function request()
  local p = products[math.random(#products)]
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, '{"items":[{"productId":' .. p[1] .. ',"skuId":' .. p[2] .. ',"quantity":1}]}')
end

function response(status, headers, body)
  local no = "-"
  if status == 200 then
    no = string.match(body, '"out_trade_no"%s*:%s*"([^"]+)"') or "?"
  end
  out:write(now_ms(), " ", status, " ", no, "\n")
  out:flush()
end
