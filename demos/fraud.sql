-- Financial risk control (SCENARIOS.md §4).
-- Every transaction is scored from the user's own history (kept per user by analytic functions):
-- a new location or device, an amount far above the user's usual range, a burst of transactions, night time.
--   streamsql demo fraud
--   streamsql run demos/fraud.sql --input transactions=FILE.jsonl

CREATE STREAM transactions;

-- Step 1: the risk factors of each transaction. acc_* include the current transaction, so the user's
-- previous history is the running totals minus this one.
CREATE STREAM risk_factors AS
  SELECT transaction_id, user_id, amount, timestamp,
         first_seen(location) OVER (PARTITION BY user_id) AS unusual_location,
         first_seen(device_fingerprint) OVER (PARTITION BY user_id) AS new_device,
         acc_count(amount) OVER (PARTITION BY user_id) - 1 AS prev_n,
         acc_sum(amount) OVER (PARTITION BY user_id) - amount AS prev_sum,
         acc_sum(amount * amount) OVER (PARTITION BY user_id) - amount * amount AS prev_sumsq,
         recent_count(timestamp, '10m') OVER (PARTITION BY user_id) > 5 AS high_velocity,
         hour(timestamp) < 5 AS night_time
  FROM transactions;

-- Step 2: mean + 3 standard deviations (sample) of the previous amounts, once there are five.
CREATE STREAM risk_flags AS
  SELECT transaction_id, user_id, amount, timestamp, unusual_location, new_device, high_velocity, night_time,
         prev_n >= 5 AND amount > prev_sum / prev_n
             + 3 * sqrt(greatest(0, (prev_sumsq - prev_sum * prev_sum / prev_n) / (prev_n - 1))) AS high_amount
  FROM risk_factors;

-- Step 3: weights, score and decision.
CREATE STREAM risk_scores AS
  SELECT transaction_id, user_id, amount, timestamp, unusual_location, new_device, high_velocity, night_time, high_amount,
         round(least(1, 0.1 + CASE WHEN unusual_location THEN 0.30 ELSE 0 END + CASE WHEN high_amount THEN 0.25 ELSE 0 END
                          + CASE WHEN new_device THEN 0.20 ELSE 0 END + CASE WHEN high_velocity THEN 0.20 ELSE 0 END
                          + CASE WHEN night_time THEN 0.05 ELSE 0 END), 2) AS score
  FROM risk_flags;

-- Step 4: the brief's shape.
CREATE QUERY risk_decisions AS
  SELECT transaction_id,
         json_object('overall_score', score,
                     'risk_factors', array_compact(json_array(
                        CASE WHEN unusual_location THEN json_object('factor', 'unusual_location', 'weight', 0.3, 'description', 'Transaction from new location') END,
                        CASE WHEN high_amount THEN json_object('factor', 'high_amount', 'weight', 0.25, 'description', 'Amount above user''s typical range') END,
                        CASE WHEN new_device THEN json_object('factor', 'new_device', 'weight', 0.2, 'description', 'Device never seen for this user') END,
                        CASE WHEN high_velocity THEN json_object('factor', 'high_velocity', 'weight', 0.2, 'description', 'More than 5 transactions in 10 minutes') END,
                        CASE WHEN night_time THEN json_object('factor', 'night_time', 'weight', 0.05, 'description', 'Between 00:00 and 05:00 UTC') END))) AS risk_assessment,
         CASE WHEN score >= 0.8 THEN 'decline' WHEN score >= 0.5 THEN 'manual_review' ELSE 'approve' END AS decision,
         array_compact(json_array(
           CASE WHEN score >= 0.5 AND (unusual_location OR new_device) THEN 'verify_user_identity' END,
           CASE WHEN score >= 0.5 AND (new_device OR high_amount) THEN 'check_device_history' END,
           CASE WHEN score >= 0.8 THEN 'contact_customer' END)) AS recommended_actions,
         timestamp
  FROM risk_scores;

-- For the dashboard.
CREATE QUERY decisions_per_minute AS
  SELECT decision, COUNT(*) AS n FROM risk_decisions
  GROUP BY decision, TumblingWindow('1m') WITH (TIMESTAMP='timestamp');
CREATE QUERY declines AS
  SELECT transaction_id, decision, risk_assessment.overall_score AS score, recommended_actions, timestamp
  FROM risk_decisions WHERE decision <> 'approve';
CREATE QUERY recent_scores AS
  SELECT transaction_id, risk_assessment.overall_score AS score FROM risk_decisions;

.pane add scores gauge recent_scores value=score label=transaction_id warn=0.5 alert=0.8 title='Risk score, latest transactions'
.pane add per_minute sparkline decisions_per_minute value=n key=decision title='Decisions per minute'
.pane add alerts log declines columns=decision,transaction_id,score,recommended_actions severity=decision title='Declines and reviews'
