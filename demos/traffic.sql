-- Smart-city traffic (SCENARIOS.md §5).
-- Once a minute per intersection, Webster's method turns the average approach flows into a signal plan,
-- a congestion forecast, alternative routes and alerts.
--   streamsql demo traffic
--   streamsql run demos/traffic.sql --input traffic=FILE.jsonl

CREATE STREAM traffic;
CREATE TABLE routes PRIMARY KEY (route) FROM FILE 'routes.csv';

-- Step 1: average flows of the last minute per intersection, the latest weather, and the intersection's
-- routes with congestion below 0.5. (Every reading of an intersection matches the same routes, so the
-- averages are unchanged by the join.)
CREATE STREAM flows AS
  SELECT t.intersection_id AS intersection_id,
         AVG(t.traffic_flow.north) AS north, AVG(t.traffic_flow.south) AS south,
         AVG(t.traffic_flow.east) AS east, AVG(t.traffic_flow.west) AS west,
         last_value(t.weather) AS weather, last_value(t.timestamp) AS timestamp,
         array_pluck(array_slice(array_sort_by(array_compact(array_distinct(
           collect(CASE WHEN r.route IS NULL THEN NULL ELSE json_object('route', r.route, 'congestion', r.congestion) END))),
           'congestion'), 0, 2), 'route') AS alternative_routes
  FROM traffic t LEFT JOIN routes r ON r.intersection_id = t.intersection_id AND r.congestion < 0.5
  GROUP BY t.intersection_id, TumblingWindow('1m')
  WITH (TIMESTAMP='timestamp');

-- Step 2: saturation flow (120 vehicles/minute, less in rain, fog and snow), lost time, flow ratios.
CREATE STREAM ratios AS
  SELECT intersection_id, weather, timestamp, alternative_routes,
         10 + CASE WHEN weather = 'clear' THEN 0 ELSE 2 END AS lost,
         greatest(north, south) / (120 * CASE weather WHEN 'snowy' THEN 0.7 WHEN 'rainy' THEN 0.85 WHEN 'foggy' THEN 0.85 ELSE 1 END) AS y_ns,
         greatest(east, west) / (120 * CASE weather WHEN 'snowy' THEN 0.7 WHEN 'rainy' THEN 0.85 WHEN 'foggy' THEN 0.85 ELSE 1 END) AS y_ew
  FROM flows;

-- Step 3: Webster's optimum cycle, clamped to 60–150 s in steps of 5 s (150 when Y ≥ 0.95).
CREATE STREAM cycles AS
  SELECT intersection_id, weather, timestamp, alternative_routes, lost, y_ns, y_ew, y_ns + y_ew AS y,
         CASE WHEN y_ns + y_ew >= 0.95 THEN 150
              ELSE least(150, greatest(60, round((1.5 * lost + 5) / (1 - (y_ns + y_ew)) / 5) * 5)) END AS cycle
  FROM ratios;

-- Uniform delay of one approach (Webster's first term): C(1 − g/C)² / (2(1 − y)).
CREATE FUNCTION uniform_delay(c, g, y) AS c * power(1 - g / c, 2) / (2 * (1 - least(y, 0.99)));

-- Step 4: green split in proportion to the flow ratios.
CREATE STREAM plans AS
  SELECT intersection_id, weather, timestamp, alternative_routes, lost, y_ns, y_ew, y, cycle,
         CAST(round(CASE WHEN y > 0 THEN (cycle - lost) * y_ns / y ELSE (cycle - lost) / 2 END) AS BIGINT) AS g_ns,
         CAST(cycle - lost - round(CASE WHEN y > 0 THEN (cycle - lost) * y_ns / y ELSE (cycle - lost) / 2 END) AS BIGINT) AS g_ew
  FROM cycles;

-- Step 5: the brief's shape. efficiency_improvement compares the flow-weighted uniform delay of the plan
-- with a fixed 90 s cycle with equal greens.
CREATE QUERY signal_plans AS
  SELECT intersection_id,
         json_object('north_south_green_time', g_ns, 'east_west_green_time', g_ew, 'cycle_length', CAST(cycle AS BIGINT),
                     'efficiency_improvement', CAST(greatest(0, round(100 * (1 -
                        (y_ns * uniform_delay(cycle, g_ns, y_ns) + y_ew * uniform_delay(cycle, g_ew, y_ew))
                        / greatest(0.000001, y_ns * uniform_delay(90, (90 - lost) / 2, y_ns) + y_ew * uniform_delay(90, (90 - lost) / 2, y_ew))))) AS BIGINT)) AS signal_optimization,
         json_object('congestion_level', CASE WHEN y < 0.5 THEN 'low' WHEN y < 0.8 THEN 'moderate' WHEN y < 0.95 THEN 'heavy' ELSE 'severe' END,
                     'estimated_wait_time', CAST(round(CASE WHEN y_ns >= y_ew THEN uniform_delay(cycle, g_ns, y_ns) ELSE uniform_delay(cycle, g_ew, y_ew) END) AS BIGINT),
                     'alternative_routes', alternative_routes) AS traffic_predictions,
         array_compact(json_array(
           CASE WHEN weather <> 'clear' THEN json_object('type', 'weather_impact', 'message',
                CASE weather WHEN 'rainy' THEN 'Reduced visibility due to rain' WHEN 'foggy' THEN 'Reduced visibility due to fog'
                             WHEN 'snowy' THEN 'Slippery roads due to snow' ELSE concat('Weather: ', weather) END) END,
           CASE WHEN y >= 0.8 THEN json_object('type', 'congestion', 'message',
                concat('Flow ratio ', CAST(round(y, 2) AS STRING), ' at ', intersection_id)) END)) AS alerts,
         timestamp
  FROM plans;

-- For the dashboard.
CREATE QUERY signal_timeline AS
  SELECT intersection_id, signal_optimization.north_south_green_time AS ns_green,
         signal_optimization.east_west_green_time AS ew_green,
         signal_optimization.cycle_length - signal_optimization.north_south_green_time - signal_optimization.east_west_green_time AS lost_time
  FROM signal_plans;
CREATE QUERY congestion AS
  SELECT intersection_id, round(y, 2) AS flow_ratio FROM plans;
CREATE QUERY traffic_alerts AS
  SELECT intersection_id, alerts[0].type AS type, alerts[0].message AS message,
         CASE WHEN array_length(alerts) > 1 OR alerts[0].type = 'congestion' THEN 'high' ELSE 'warning' END AS severity, timestamp
  FROM signal_plans WHERE array_length(alerts) > 0;

.pane add signals timeline signal_timeline key=intersection_id segments=ns_green,ew_green,lost_time title='Signal plan per intersection (s)'
.pane add heat bars congestion key=intersection_id value=flow_ratio max=1 warn=0.5 alert=0.8 title='Congestion (flow ratio Y)'
.pane add alerts log traffic_alerts columns=intersection_id,type,message severity=severity title='Traffic alerts'
