-- wrk script: POST /api/users/login with the credentials in the environment.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"username":"%s","password":"%s"}',
                         os.getenv("BENCH_USER"), os.getenv("BENCH_PASSWORD"))
