-- Adds our server's token (from bench/accounts.sh) to every request.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("OURS_TOKEN")
