-- Energy management (SCENARIOS.md §7).
-- Each reading gets a recommended temperature, an HVAC schedule, the savings from meeting the
-- recommendation, a forecast from the building's last 24 hours, and alerts.
--   streamsql demo energy
--   streamsql run demos/energy.sql --input energy=FILE.jsonl

CREATE STREAM energy;

-- 21.0 while an occupied building works (morning, afternoon), 20.5 in the evening, 18.0 at night or when
-- fewer than 30 % are in.
CREATE FUNCTION recommended_temp(occupancy, time_of_day) AS
  CASE WHEN occupancy < 30 OR time_of_day = 'night' THEN 18.0
       WHEN time_of_day = 'evening' THEN 20.5
       ELSE 21.0 END;

CREATE FUNCTION savings(kw, temp, target) AS round(kw * greatest(0, temp - target) * 0.113, 1);

-- Average consumption of every hour of the day, per building: the table keeps the latest hour of each
-- hour-of-day slot, so it always holds the last 24 hours.
CREATE STREAM hourly AS
  SELECT building_id, hour(window_start()) AS hour, AVG(current_consumption) AS avg_kw
  FROM energy
  GROUP BY building_id, TumblingWindow('1h')
  WITH (TIMESTAMP='timestamp');
CREATE TABLE hourly_profile PRIMARY KEY (building_id, hour) AS
  SELECT building_id, hour, avg_kw FROM hourly;

-- Mean consumption over the last 24 hours (fired every hour) and over the last hour (every 5 minutes).
CREATE TABLE daily PRIMARY KEY (building_id) AS
  SELECT building_id, AVG(current_consumption) AS mean_kw
  FROM energy
  GROUP BY building_id, SlidingWindow('24h', '1h')
  WITH (TIMESTAMP='timestamp');
CREATE TABLE last_hour PRIMARY KEY (building_id) AS
  SELECT building_id, AVG(current_consumption) AS mean_kw
  FROM energy
  GROUP BY building_id, SlidingWindow('1h', '5m')
  WITH (TIMESTAMP='timestamp');

-- Step 1: each reading with its targets and the building's history (the peak hour is the profile row with
-- the highest average).
CREATE STREAM energy_analysis AS
  SELECT e.building_id AS building_id, e.current_consumption AS kw, e.temperature AS temperature,
         e.weather_forecast AS forecast,
         recommended_temp(e.occupancy, e.time_of_day) AS target,
         savings(e.current_consumption, e.temperature, recommended_temp(e.occupancy, e.time_of_day)) AS saved,
         p.hour AS peak_hour, d.mean_kw AS day_mean_kw, h.mean_kw AS hour_mean_kw,
         e.timestamp AS timestamp
  FROM energy e
  LEFT JOIN daily d ON d.building_id = e.building_id
  LEFT JOIN last_hour h ON h.building_id = e.building_id
  LEFT JOIN hourly_profile p ON p.building_id = e.building_id
  ORDER BY p.avg_kw DESC LIMIT 1;

-- Step 2: the brief's shape.
CREATE QUERY energy_plan AS
  SELECT building_id,
         json_object(
           'recommended_temperature', target,
           'hvac_schedule', json_object(
              'next_hour', CASE WHEN temperature > target + 1 THEN 'reduce_by_10_percent'
                                WHEN temperature < target - 1 THEN 'increase_by_10_percent'
                                ELSE 'maintain' END,
              'afternoon', CASE WHEN forecast IN ('sunny', 'hot') THEN 'increase_cooling'
                                WHEN forecast = 'cold' THEN 'increase_heating'
                                ELSE 'maintain' END),
           'estimated_savings', saved) AS energy_optimization,
         json_object(
           'peak_demand_time', CASE WHEN peak_hour IS NULL THEN NULL ELSE concat(lpad(CAST(peak_hour AS STRING), 2, '0'), ':00') END,
           'daily_consumption_forecast', round(day_mean_kw * 24, 1),
           'cost_optimization', round(saved * 0.15 * 24, 2)) AS predictions,
         array_compact(json_array(
           CASE WHEN hour_mean_kw IS NOT NULL AND kw > 1.5 * hour_mean_kw
                THEN json_object('type', 'consumption_spike', 'severity', 'high',
                                 'message', concat('Consumption ', CAST(kw AS STRING), ' kW is over 1.5x the last hour''s average of ',
                                                   CAST(round(hour_mean_kw, 1) AS STRING), ' kW')) END,
           CASE WHEN temperature < 18 OR temperature > 26
                THEN json_object('type', 'comfort', 'severity', 'medium',
                                 'message', concat('Indoor temperature ', CAST(temperature AS STRING), ' C is outside 18-26 C')) END
         )) AS alerts,
         timestamp
  FROM energy_analysis;

-- For the dashboard.
CREATE QUERY energy_alerts AS
  SELECT building_id, alerts[0].type AS type, alerts[0].severity AS severity, alerts[0].message AS message, timestamp
  FROM energy_plan WHERE array_length(alerts) > 0;
-- Each building's bar moves with every plan instead of once an hour (EMIT CHANGES: the previous sum is
-- retracted and the new one shown; the bars keep the latest row per building).
CREATE QUERY savings_board AS
  SELECT building_id, SUM(energy_optimization.estimated_savings) AS savings_kw
  FROM energy_plan GROUP BY building_id, TumblingWindow('1h') WITH (TIMESTAMP='timestamp') EMIT CHANGES;
CREATE QUERY campus_load AS
  SELECT SUM(current_consumption) AS kw, COUNT(*) AS readings FROM energy
  GROUP BY TumblingWindow('1m') WITH (TIMESTAMP='timestamp');

.pane add load sparkline campus_load value=kw title='Campus consumption (kW, per simulated minute)'
.pane add savings bars savings_board key=building_id value=savings_kw title='Savings leaderboard (this hour, live)'
.pane add alerts log energy_alerts columns=building_id,type,message severity=severity title='Energy alerts'
.pane add plan table energy_plan columns=building_id,energy_optimization.recommended_temperature,energy_optimization.hvac_schedule.next_hour,energy_optimization.estimated_savings,predictions.peak_demand_time,predictions.daily_consumption_forecast key=building_id title='Plan per building'
