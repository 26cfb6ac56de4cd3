# Compares streamsql's tumbling, sliding and session windows (event time, in-order events, 5,000 events
# over 7 keys with gaps from 1 ms to 30 s) with the same windows computed by DuckDB over the same file.
#   python3 -m venv /tmp/duck && /tmp/duck/bin/pip install duckdb
#   /tmp/duck/bin/python Tests/DuckDBComparison/compare_windows.py .build/release/streamsql
# Prints one line per window kind and exits 1 when any differs.
import duckdb, json, random, subprocess, sys
binary = sys.argv[1]
random.seed(7)
path = sys.argv[2] if len(sys.argv) > 2 else "/tmp/streamsql-duckdb-events.jsonl"
t = 1_700_000_000_000
with open(path, "w") as f:
    for i in range(5000):
        t += random.choice([1, 5, 20, 100, 400, 2500, 7000]) if random.random() < 0.9 else 30000
        f.write(json.dumps({"deviceId": f"d{random.randint(0, 6)}", "temperature": random.randint(0, 10000) / 100, "ts": t}) + "\n")

def run(sql):
    out = subprocess.run([binary, "query", sql, "--input", path], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        if not line.strip(): continue
        o = json.loads(line)
        for k in ("ws", "we"):
            if k in o: o[k] //= 1_000_000  # nanoseconds -> ms
        rows.append(o)
    return rows

def norm(rows, keys):
    return sorted(tuple((round(r[k], 6) if isinstance(r[k], float) else r[k]) for k in keys) for r in rows)

con = duckdb.connect()
con.execute(f"CREATE TABLE e AS SELECT * FROM read_json_auto('{path}')")
W = "WITH (TIMESTAMP='ts', TIMEUNIT='ms')"
ok = True
def check(name, sql, dsql, keys):
    global ok
    a = norm(run(sql), keys)
    b = norm([dict(zip(keys, r)) for r in con.execute(dsql).fetchall()], keys)
    same = a == b
    ok &= same
    print(f"{name}: streamsql {len(a)} rows, duckdb {len(b)} rows, {'agree' if same else 'DIFFER'}")
    if not same:
        sa, sb = set(a), set(b)
        print("  only streamsql:", sorted(sa - sb)[:5]); print("  only duckdb:", sorted(sb - sa)[:5])

# Tumbling 10 s: window_start/window_end in ms relative (we compare start in ms).
check("tumbling",
  f"SELECT deviceId, window_start() AS ws, COUNT(*) AS c, SUM(temperature) AS s, MAX(temperature) AS m FROM stream GROUP BY deviceId, TumblingWindow('10s') {W}",
  "SELECT deviceId, (ts // 10000) * 10000 AS ws, COUNT(*), SUM(temperature), MAX(temperature) FROM e GROUP BY ALL",
  ["deviceId", "ws", "c", "s", "m"])
# Sliding 10 s every 2 s: each event belongs to windows starting at k*2000 with k*2000 <= ts < k*2000+10000.
check("sliding",
  f"SELECT deviceId, window_start() AS ws, COUNT(*) AS c, SUM(temperature) AS s, MIN(temperature) AS m FROM stream GROUP BY deviceId, SlidingWindow('10s', '2s') {W}",
  "SELECT deviceId, ws, COUNT(*), SUM(temperature), MIN(temperature) FROM (SELECT *, unnest(range((ts // 2000) * 2000 - 8000, (ts // 2000) * 2000 + 1, 2000)) AS ws FROM e) GROUP BY ALL",
  ["deviceId", "ws", "c", "s", "m"])
# Session, gap 5 s: a new session when the previous event of the key is more than 5 s back.
check("session",
  f"SELECT deviceId, window_start() AS ws, window_end() AS we, COUNT(*) AS c, SUM(temperature) AS s FROM stream GROUP BY deviceId, SessionWindow('5s') {W}",
  """WITH g AS (SELECT *, CASE WHEN ts - lag(ts) OVER (PARTITION BY deviceId ORDER BY ts) <= 5000 THEN 0 ELSE 1 END AS nw FROM e),
     s AS (SELECT *, sum(nw) OVER (PARTITION BY deviceId ORDER BY ts ROWS UNBOUNDED PRECEDING) AS sid FROM g)
     SELECT deviceId, min(ts) AS ws, max(ts) + 5000 AS we, COUNT(*), SUM(temperature) FROM s GROUP BY deviceId, sid""",
  ["deviceId", "ws", "we", "c", "s"])
print("ALL AGREE" if ok else "SOME DIFFER")
sys.exit(0 if ok else 1)
