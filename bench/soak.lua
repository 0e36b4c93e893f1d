-- The soak's mixed load (bench/bench.py --soak): Get (by id and by ARN), List, Create, Stop, the three tag
-- operations and admin reads, with a reset now and then so that created jobs do not pile up.
-- Every request here is answered 200 by a healthy server, so wrk's "Non-2xx or 3xx responses" and
-- socket errors count the unexpected answers. (No HEAD: wrk would wait for the body a HEAD answer
-- announces but never sends.)
--
-- With a path after `--` (bench/soak.py), each thread also writes its count of answers and of error
-- answers to PATH.<thread> every 200 answers (to a temporary file, then renamed, so a reader never sees
-- half a file), so that the stall catcher can watch progress without opening a connection of its own
-- (a new connection wakes libmicrohttpd's threads and would end a stall).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local answers, errors, progress = 0, 0, nil

function init(args)
  if args[1] then
    progress = args[1] .. "." .. tid
    response = function(status, headers, body)
      answers = answers + 1
      if status >= 400 then errors = errors + 1 end
      if answers % 200 == 0 then
        local file = io.open(progress .. ".tmp", "w")
        file:write(answers, " ", errors, "\n")
        file:close()
        os.rename(progress .. ".tmp", progress)
      end
    end
  end
end

local n = 0
local job = "bench0job001"
local arn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/" .. job
local encoded = "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Amodel-invocation-job%2F" .. job
local json = {["Content-Type"] = "application/json"}

function request()
  n = n + 1
  local k = n % 20
  if k < 8 then
    return wrk.format("GET", "/model-invocation-job/" .. job)
  elseif k < 10 then
    return wrk.format("GET", "/model-invocation-jobs?maxResults=20")
  elseif k < 12 then
    local name = "soak-" .. tid .. "-" .. n
    return wrk.format("POST", "/model-invocation-job", json,
      '{"jobName":"' .. name .. '","clientRequestToken":"' .. name .. '","roleArn":"arn:aws:iam::123456789012:role/R",' ..
      '"modelId":"anthropic.claude-3-haiku-20240307-v1:0","inputDataConfig":{"s3InputDataConfig":{"s3Uri":"s3://in-bucket/x"}},' ..
      '"outputDataConfig":{"s3OutputDataConfig":{"s3Uri":"s3://out-bucket/"}}}')
  elseif k == 12 then
    return wrk.format("POST", "/model-invocation-job/" .. encoded .. "/stop")
  elseif k == 13 then
    return wrk.format("POST", "/tagResource", json, '{"resourceARN":"' .. arn .. '","tags":[{"key":"soak","value":"' .. n .. '"}]}')
  elseif k == 14 then
    return wrk.format("POST", "/listTagsForResource", json, '{"resourceARN":"' .. arn .. '"}')
  elseif k == 15 then
    return wrk.format("POST", "/untagResource", json, '{"resourceARN":"' .. arn .. '","tagKeys":["soak"]}')
  elseif k == 16 then
    return wrk.format("GET", "/_mock/clock")
  elseif k == 17 then
    return wrk.format("GET", "/_mock/requests")
  elseif k == 18 and n % 4000 == 18 then
    return wrk.format("POST", "/_mock/reset", json, "{}")
  elseif k == 18 then
    return wrk.format("GET", "/model-invocation-job/" .. encoded)
  else
    return wrk.format("GET", "/_mock/health")
  end
end
