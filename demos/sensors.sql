-- Sensor monitoring: a small tour of the engine. Feed it with
--   streamsql run demos/sensors.sql --input readings=demos/sensors.jsonl
-- Paths in a script resolve relative to the script's folder.

CREATE STREAM readings (deviceId string, temperature float, humidity float, ts bigint, tags array);

-- Reference data: each device's site and its temperature limit.
CREATE TABLE devices PRIMARY KEY (deviceId) FROM FILE 'devices.csv';

-- Readings over their device's limit, enriched with the site.
CREATE QUERY over_limit AS
  SELECT r.deviceId AS device, d.site AS site, r.temperature AS t, d.max_temp AS limit
  FROM readings r JOIN devices d ON r.deviceId = d.deviceId
  WHERE r.temperature > d.max_temp;

-- Per site, every 30 seconds of event time: readings, mean and peak temperature.
CREATE QUERY per_site AS
  SELECT d.site AS site, COUNT(*) AS readings, ROUND(AVG(r.temperature), 1) AS avg_t, MAX(r.temperature) AS max_t,
         window_start() AS window_start
  FROM readings r JOIN devices d ON r.deviceId = d.deviceId
  GROUP BY d.site, TumblingWindow('30s')
  WITH (TIMESTAMP='ts', TIMEUNIT='ms', MAXOUTOFORDERNESS='1s');

-- Three hot readings in a row on one device within ten seconds.
CREATE QUERY hot_runs AS
  SELECT * FROM readings MATCH_RECOGNIZE (
    PARTITION BY deviceId ORDER BY ts
    MEASURES FIRST(A.ts) AS since, LAST(A.temperature) AS last_t, COUNT(*) AS n
    ONE ROW PER MATCH
    PATTERN (A{3,}) WITHIN '10s'
    DEFINE A AS temperature > 40);
