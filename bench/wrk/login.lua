-- POST /login as the benchmark user created by bench/accounts.sh.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"bench_user","password":"bench-password-1"}'
