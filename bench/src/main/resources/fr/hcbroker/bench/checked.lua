-- wrk script of the benchmark: each request carries one of the sessions of a file (round-robin, each
-- thread from its own offset) and says whose it is (X-Bench-Expect); every answer is checked.
-- Arguments after "--": the sessions file (lines "username<TAB>cookie") and the field of the app's
-- echo that must equal the username ("gateway", "oidc", or "none" for a peer without identity).
-- Wrk.java appends a delay() when the connections pause between requests (wrk looks for it before
-- init, so it cannot depend on the arguments).
-- Only a 200 from the app (its greeting in the body) carrying the expected identity counts; the
-- others are counted by kind and the first one kept, printed in one line that Wrk.java reads.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  local file, field = args[1], args[2]
  requests = {}
  for line in io.lines(file) do
    local user, cookie = line:match("^([^\t]+)\t(.*)$")
    local headers = { ["X-Bench-Expect"] = user }
    if cookie ~= "" then headers["Cookie"] = cookie end
    requests[#requests + 1] = wrk.format(nil, nil, headers)
  end
  if #requests == 0 then error("no sessions in " .. file) end
  -- Threads start apart so that they do not walk the list in step.
  position = ((id - 1) * math.floor(#requests / 2)) % #requests
  expected = field ~= "none" and ("\n" .. field .. "=([^\n]*)\n") or nil
  redirects, refusals, missing, first = 0, 0, 0, ""
end

function request()
  position = position % #requests + 1
  return requests[position]
end

local function keep(what, status, headers, body)
  if first == "" then
    first = string.format("%s: status %d%s %s", what, status,
      headers["Location"] and (" to " .. headers["Location"]) or "", (body:sub(1, 160):gsub("\n", " | ")))
  end
end

function response(status, headers, body)
  if status >= 300 and status < 400 then
    redirects = redirects + 1
    keep("redirect", status, headers, body)
  elseif status ~= 200 or not body:find("hello from the upstream app", 1, true) then
    refusals = refusals + 1
    keep("refusal", status, headers, body)
  elseif expected then
    local expect = body:match("\nexpect=([^\n]*)\n")
    local got = body:match(expected)
    if expect == nil or expect == "" or got ~= expect then
      missing = missing + 1
      keep("missing identity", status, headers, body)
    end
  end
end

function done(summary, latency, requests)
  local r, f, m, sample = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    r = r + thread:get("redirects")
    f = f + thread:get("refusals")
    m = m + thread:get("missing")
    if sample == "" then sample = thread:get("first") end
  end
  io.write(string.format("bench checks: %d redirects, %d refusals, %d missing identity; first: %s\n",
    r, f, m, sample))
end
