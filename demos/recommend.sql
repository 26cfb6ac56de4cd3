-- E-commerce recommendations (SCENARIOS.md §1).
-- Every product view and add-to-cart gets up to three recommendations (products often bought with this
-- one, and the most popular products of the shopper's favourite categories), with the shopper's profile:
-- preferred categories, price band and the chance this session ends in a purchase.
--   streamsql demo recommend
--   streamsql run demos/recommend.sql --input user_events=FILE.jsonl

CREATE STREAM user_events;
CREATE TABLE products PRIMARY KEY (product_id) FROM FILE 'products.csv';
CREATE TABLE co_purchase FROM FILE 'co_purchase.csv';

-- Step 1: what each shopper did recently (30 minutes of event time) and in the current session.
-- recent_collect keeps the non-NULL values of the last 30 minutes per user, so the CASEs pick out views.
CREATE STREAM shopper_activity AS
  SELECT user_id, action, product_id, source, timestamp,
         recent_collect(category, timestamp, '30m') OVER (PARTITION BY user_id) AS recent_categories,
         recent_collect(CASE WHEN action = 'view_product' THEN category END, timestamp, '30m') OVER (PARTITION BY user_id) AS viewed_categories,
         recent_collect(CASE WHEN action = 'view_product' THEN price END, timestamp, '30m') OVER (PARTITION BY user_id) AS viewed_prices,
         acc_sum(CASE WHEN action = 'add_to_cart' THEN 1 ELSE 0 END) OVER (PARTITION BY session_id) AS session_carts,
         acc_sum(CASE WHEN action = 'view_product' THEN 1 ELSE 0 END) OVER (PARTITION BY session_id) AS session_views
  FROM user_events;

-- Step 2: the profile, for views and add-to-carts only (the events that get recommendations).
-- price_range is NULL while the shopper has viewed nothing in the last 30 minutes.
CREATE STREAM shopper_profiles AS
  SELECT user_id, product_id, timestamp, viewed_categories,
         array_most_frequent(recent_categories, 2) AS preferred_categories,
         CASE WHEN array_avg(viewed_prices) < 50 THEN '0-50'
              WHEN array_avg(viewed_prices) < 200 THEN '50-200'
              WHEN array_avg(viewed_prices) < 500 THEN '200-500'
              WHEN array_avg(viewed_prices) < 1000 THEN '500-1000'
              WHEN array_avg(viewed_prices) >= 1000 THEN '1000+' END AS price_range,
         round(1 / (1 + exp(-(-2 + 0.8 * session_carts + 0.15 * session_views
                              + CASE WHEN source = 'ad' THEN 0.5 ELSE 0 END))), 2) AS purchase_probability
  FROM shopper_activity
  WHERE action IN ('view_product', 'add_to_cart');

-- Step 3: candidates from both sources, each {product_id, score, reason}.
--   frequently_bought_together: the co-purchased products of this product, score = confidence;
--   similar_category: the products of the two preferred categories, score = popularity × the category's
--   share of the shopper's recent views.
CREATE STREAM candidates AS
  SELECT user_id, product_id, timestamp, preferred_categories, price_range, purchase_probability,
         array_concat(
           array_transform(lookup_rows('co_purchase', 'product_id', product_id),
             c -> json_object('product_id', c.related_id, 'score', round(c.confidence, 2),
                              'reason', 'frequently_bought_together')),
           array_transform(array_concat(lookup_rows('products', 'category', preferred_categories[0]),
                                        lookup_rows('products', 'category', preferred_categories[1])),
             p -> json_object('product_id', p.product_id,
                              'score', round(p.popularity * array_count(viewed_categories, p.category)
                                             / greatest(1.0, array_length(viewed_categories)), 2),
                              'reason', 'similar_category'))) AS candidates
  FROM shopper_profiles;

-- Step 4: the brief's shape. Never the product being looked at, nor one scoring 0 (a category the shopper
-- has not viewed lately); highest score first (a product offered by both sources keeps its higher score);
-- at most three.
CREATE QUERY recommendations AS
  SELECT user_id,
         array_slice(array_distinct_by(array_sort_by(array_filter(candidates, c -> c.product_id <> product_id AND c.score > 0),
                                                     'score', 'desc'), 'product_id'), 0, 3) AS recommendations,
         json_object('preferred_categories', preferred_categories, 'price_range', price_range,
                     'purchase_probability', purchase_probability) AS user_profile,
         timestamp
  FROM candidates;

-- For the dashboard: the products recommended most in the last minute, the purchase-probability
-- distribution over time, and the event rate.
CREATE STREAM recommended_items AS
  SELECT unnest(recommendations), timestamp FROM recommendations;
CREATE QUERY top_recommended AS
  SELECT r.product_id AS product_id, p.name AS name, COUNT(*) AS times, round(AVG(r.score), 2) AS avg_score
  FROM recommended_items r JOIN products p ON p.product_id = r.product_id
  GROUP BY r.product_id, p.name, TumblingWindow('1m') WITH (TIMESTAMP='timestamp')
  ORDER BY times DESC LIMIT 8;
CREATE STREAM probability_of_purchase AS
  SELECT CASE WHEN user_profile.purchase_probability < 0.2 THEN '<0.2'
              WHEN user_profile.purchase_probability < 0.4 THEN '0.2-0.4'
              WHEN user_profile.purchase_probability < 0.6 THEN '0.4-0.6'
              ELSE '>=0.6' END AS band, timestamp
  FROM recommendations;
CREATE QUERY probability_bands AS
  SELECT band, COUNT(*) AS shoppers FROM probability_of_purchase
  GROUP BY band, TumblingWindow('1m') WITH (TIMESTAMP='timestamp');
CREATE QUERY event_rate AS
  SELECT COUNT(*) AS events FROM user_events GROUP BY TumblingWindow('1m') WITH (TIMESTAMP='timestamp');

.pane add top table top_recommended columns=product_id,name,times,avg_score title='Most recommended, last minute'
.pane add probability sparkline probability_bands value=shoppers key=band title='Purchase probability (shoppers per minute)'
.pane add rate counter event_rate value=events unit='events/min' title='Shopper events'
