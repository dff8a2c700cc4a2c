-- wrk script: POSTs docs/examples/signal.json to /v1/signals, each request
-- with its own idempotency id, so every request is a new signal to store.
--
-- Environment (read by every wrk thread):
--   SIGNAL_FILE  the signal JSON to send (its first "id" member, the
--                top-level idempotency id in signal.json, is rewritten)
--   WRITE_KEY    the site's write key, sent as X-Tessera-Key
--   RUN_TAG      a prefix that keeps ids unique across runs on one database
--   DELAY_MS     optional think time (milliseconds, may be fractional)
--                between a response and the next request on a connection:
--                with C connections the offered rate is about
--                C * 1000 / (DELAY_MS + latency) requests per second.

local counter = 0
local id_prefix = "run_0"
local body_before, body_after
local delay_ms = tonumber(os.getenv("DELAY_MS") or "") or 0

local threads = {}

function setup(thread)
  thread:set("thread_tag", tostring(#threads + 1))
  table.insert(threads, thread)
end

function init(args)
  local path = os.getenv("SIGNAL_FILE")
  local file = assert(io.open(path, "r"), "cannot open SIGNAL_FILE " .. tostring(path))
  local text = file:read("*a")
  file:close()
  local first, last = text:find('"id"%s*:%s*"[^"]*"')
  assert(first, "no \"id\" member in " .. path)
  body_before = text:sub(1, first - 1) .. '"id": "'
  body_after = '"' .. text:sub(last + 1)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Tessera-Key"] = os.getenv("WRITE_KEY") or ""
  -- thread_tag is the global that setup() set in this thread's state.
  local tag = thread_tag or "0"
  id_prefix = (os.getenv("RUN_TAG") or "run") .. "_" .. tag
  math.randomseed(os.time() + tonumber(tag) or 0)
end

function request()
  counter = counter + 1
  -- At least 16 characters, as the signal schema requires of an id.
  local id = string.format("bench_%s_%08d", id_prefix, counter)
  local body = body_before .. id .. body_after
  return wrk.format(nil, nil, nil, body)
end

-- wrk waits a whole number of milliseconds; a fractional think time is
-- reached on average by rounding up with the fractional part's probability.
if delay_ms > 0 then
  local whole = math.floor(delay_ms)
  local fraction = delay_ms - whole
  function delay()
    if math.random() < fraction then return whole + 1 end
    return whole
  end
end
