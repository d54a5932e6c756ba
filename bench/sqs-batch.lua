-- Raw SQS SendMessageBatch of ten entries, query protocol, with submit.sh's SQS_AUTHORIZATION (a signature nobody
-- checks). QUEUE_URL names the queue.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

local body = "Action=SendMessageBatch&Version=2012-11-05&QueueUrl=" .. common.urlencode(os.getenv("QUEUE_URL"))
for i = 1, 10 do
   local entry = "&SendMessageBatchRequestEntry." .. i
   body = body .. entry .. ".Id=m" .. i .. entry .. ".MessageBody=" .. common.urlencode('{"seconds": 1}')
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("SQS_AUTHORIZATION")
wrk.body = body
done = common.report(10)
