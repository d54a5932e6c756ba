-- Raw SQS SendMessage, query protocol (form-encoded POST to the queue URL), with submit.sh's SQS_AUTHORIZATION (a
-- signature nobody checks): what a client talking to SQS itself does for one job. QUEUE_URL names the queue.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("SQS_AUTHORIZATION")
wrk.body = "Action=SendMessage&Version=2012-11-05&QueueUrl=" .. common.urlencode(os.getenv("QUEUE_URL"))
   .. "&MessageBody=" .. common.urlencode('{"seconds": 1}')
done = common.report(1)
