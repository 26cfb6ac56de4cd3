-- Supply-chain optimisation (SCENARIOS.md §3).
-- Every inventory record is analysed: days of stock, reorder point, order quantity, urgency, and the
-- actions to take — an emergency reorder, and stock to move from the warehouse with the largest surplus.
--   streamsql demo supply                     (live, with the generator)
--   streamsql run demos/supply.sql --input inventory=FILE.jsonl

CREATE STREAM inventory;

-- Urgency from days of stock and the supplier's lead time.
CREATE FUNCTION urgency(days, lead) AS
  CASE WHEN days < 2 THEN 'critical' WHEN days < lead THEN 'high' WHEN days < 1.5 * lead THEN 'medium' ELSE 'low' END;

-- Enough to cover the lead time plus ten days, in lots of 50.
CREATE FUNCTION order_quantity(stock, sales, lead) AS
  CAST(greatest(0, floor((sales * (lead + 10) - stock) / 50) * 50) AS BIGINT);

-- The latest record of every product in every warehouse, with its surplus over the reorder point.
CREATE TABLE stock PRIMARY KEY (product_id, warehouse_id) AS
  SELECT product_id, warehouse_id, current_stock, daily_sales_avg * lead_time_days AS reorder_point,
         current_stock - daily_sales_avg * lead_time_days AS surplus
  FROM inventory;

-- Step 1: the analysis of each record, joined with the other warehouse holding the largest surplus of
-- the same product (if any).
CREATE STREAM supply_analysis AS
  SELECT i.product_id AS product_id, i.warehouse_id AS warehouse_id, i.supplier_id AS supplier_id,
         i.current_stock AS current_stock,
         round(i.current_stock / i.daily_sales_avg, 1) AS days_of_stock,
         i.daily_sales_avg * i.lead_time_days AS reorder_point,
         order_quantity(i.current_stock, i.daily_sales_avg, i.lead_time_days) AS quantity,
         urgency(round(i.current_stock / i.daily_sales_avg, 1), i.lead_time_days) AS urgency_level,
         s.warehouse_id AS donor, s.surplus AS donor_surplus,
         i.timestamp AS timestamp
  FROM inventory i
  LEFT JOIN stock s ON s.product_id = i.product_id AND s.warehouse_id <> i.warehouse_id AND s.surplus > 0
  ORDER BY s.surplus DESC LIMIT 1;

-- Step 2: the output in the brief's shape.
CREATE QUERY supply_actions AS
  SELECT product_id, warehouse_id,
         json_object('days_of_stock', days_of_stock, 'reorder_point', reorder_point,
                     'suggested_order_quantity', quantity, 'urgency_level', urgency_level) AS inventory_analysis,
         array_compact(json_array(
           CASE WHEN urgency_level IN ('high', 'critical')
                THEN json_object('action', 'emergency_reorder', 'supplier', supplier_id, 'quantity', quantity) END,
           CASE WHEN urgency_level IN ('high', 'critical') AND donor IS NOT NULL
                THEN json_object('action', 'redistribute_stock', 'from_warehouse', donor,
                                 'quantity', least(donor_surplus, reorder_point - current_stock)) END
         )) AS optimization_actions,
         timestamp
  FROM supply_analysis;

-- Alerts for the dashboard: high and critical records, critical first.
CREATE QUERY stock_alerts AS
  SELECT product_id, warehouse_id, urgency_level AS urgency, days_of_stock AS days, quantity AS reorder,
         donor AS move_from, timestamp
  FROM supply_analysis
  WHERE urgency_level IN ('high', 'critical');

-- Days of stock per warehouse, averaged over the last minute of event time.
CREATE QUERY warehouse_days AS
  SELECT warehouse_id, ROUND(AVG(days_of_stock), 1) AS avg_days, COUNT(*) AS records
  FROM supply_analysis
  GROUP BY warehouse_id, TumblingWindow('1h')
  WITH (TIMESTAMP='timestamp');

.pane add alerts log stock_alerts columns=urgency,product_id,warehouse_id,days,reorder,move_from severity=urgency title='Stock alerts'
.pane add days bars warehouse_days key=warehouse_id value=avg_days low=bad warn=10 alert=5 title='Days of stock per warehouse (last hour)'
.pane add actions table supply_actions columns=product_id,warehouse_id,inventory_analysis.urgency_level,inventory_analysis.days_of_stock,inventory_analysis.suggested_order_quantity key=product_id title='Latest analysis per product'
