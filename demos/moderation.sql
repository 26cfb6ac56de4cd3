-- Social-media content moderation (SCENARIOS.md §6).
-- Each post is scored for spam and toxicity from term tables, its quality estimated, and a moderation
-- status and boost recommendation given.
--   streamsql demo moderation
--   streamsql run demos/moderation.sql --input posts=FILE.jsonl

CREATE STREAM posts;
CREATE TABLE spam_terms PRIMARY KEY (term) FROM FILE 'spam_terms.csv';
CREATE TABLE toxic_terms PRIMARY KEY (term) FROM FILE 'toxic_terms.csv';
CREATE TABLE hashtag_audience PRIMARY KEY (hashtag) FROM FILE 'hashtag_audience.csv';

-- Step 1: per post, the posting rate of its author, the URLs in the text, and the audience of the first
-- hashtag found in hashtag_audience.
CREATE STREAM post_facts AS
  SELECT p.post_id AS post_id, p.user_id AS user_id, p.content AS content, lower(p.content) AS text,
         array_length(p.media_urls) AS media, array_length(p.hashtags) AS tags,
         regexp_count(lower(p.content), 'https?://') AS urls,
         recent_count(p.timestamp, '1m') OVER (PARTITION BY p.user_id) > 10 AS rate_limited,
         coalesce(h.audience, 'general') AS audience,
         p.timestamp AS timestamp
  FROM posts p LEFT JOIN hashtag_audience h ON array_contains(p.hashtags, h.hashtag)
  ORDER BY array_position(p.hashtags, h.hashtag) LIMIT 1;

-- Step 2 and 3: the weights of the spam terms, then of the toxic terms, found in the text. A post matches
-- several terms, so the weights are summed per post (a one-second event-time window closes each post).
CREATE STREAM spam_scored AS
  SELECT f.post_id AS post_id, last_value(f.user_id) AS user_id, last_value(f.content) AS content, last_value(f.text) AS text,
         last_value(f.media) AS media, last_value(f.tags) AS tags, last_value(f.urls) AS urls,
         last_value(f.rate_limited) AS rate_limited, last_value(f.audience) AS audience, last_value(f.timestamp) AS timestamp,
         coalesce(SUM(s.weight), 0) AS spam_terms
  FROM post_facts f LEFT JOIN spam_terms s ON contains(f.text, s.term)
  GROUP BY f.post_id, TumblingWindow('1s') WITH (TIMESTAMP='timestamp');

CREATE STREAM scored AS
  SELECT f.post_id AS post_id, last_value(f.user_id) AS user_id, last_value(f.content) AS content,
         last_value(f.media) AS media, last_value(f.tags) AS tags, last_value(f.rate_limited) AS rate_limited,
         last_value(f.audience) AS audience, last_value(f.timestamp) AS timestamp,
         least(1, last_value(f.spam_terms) + 0.1 * last_value(f.urls) + 0.1 * greatest(0, last_value(f.tags) - 5)
                  + CASE WHEN last_value(f.rate_limited) THEN 0.2 ELSE 0 END) AS spam,
         least(1, coalesce(SUM(t.weight), 0)) AS toxicity
  FROM spam_scored f LEFT JOIN toxic_terms t ON contains(f.text, t.term)
  GROUP BY f.post_id, TumblingWindow('1s') WITH (TIMESTAMP='timestamp');

-- Step 4: quality and status.
CREATE STREAM judged AS
  SELECT post_id, user_id, content, media, tags, rate_limited, audience, timestamp, spam, toxicity,
         greatest(0, 1 - spam - toxicity) * least(1, 0.5 + length(content) / 200.0 + 0.1 * media) AS quality,
         CASE WHEN spam >= 0.8 OR toxicity >= 0.7 THEN 'rejected'
              WHEN spam >= 0.5 OR toxicity >= 0.4 OR rate_limited THEN 'flagged'
              ELSE 'approved' END AS status
  FROM scored;

-- Step 5: the brief's shape. confidence: 0.5 plus the distance of the nearer score from its flag threshold
-- (spam 0.5, toxicity 0.4), at most 0.99 — a post far from both thresholds is judged with confidence.
CREATE QUERY moderation AS
  SELECT post_id,
         json_object('status', status,
                     'confidence', round(0.5 + least(0.49, least(abs(spam - 0.5), abs(toxicity - 0.4))), 2),
                     'flags', array_compact(json_array(CASE WHEN spam >= 0.5 THEN 'spam' END,
                                                       CASE WHEN toxicity >= 0.4 THEN 'toxicity' END,
                                                       CASE WHEN rate_limited THEN 'rate_limit' END)),
                     'content_score', json_object('spam_probability', round(spam, 2), 'toxicity_score', round(toxicity, 2),
                                                  'quality_score', round(quality, 2))) AS moderation_result,
         json_object('boost_eligible', status = 'approved' AND quality >= 0.8,
                     'target_audience', audience,
                     'engagement_prediction', round(least(1, 0.5 * quality + 0.1 * least(tags, 3) + 0.1 * least(media, 2)), 2)) AS recommendations,
         timestamp
  FROM judged;

-- For the dashboard.
CREATE QUERY outcomes AS
  SELECT moderation_result.status AS status, COUNT(*) AS posts FROM moderation
  GROUP BY moderation_result.status, TumblingWindow('10s') WITH (TIMESTAMP='timestamp');
CREATE QUERY flagged_posts AS
  SELECT post_id, status, user_id, round(spam, 2) AS spam, round(toxicity, 2) AS toxicity, content
  FROM judged WHERE status <> 'approved';
-- The minute fills up live: early counts every 5 s of event time, then the minute's final count.
CREATE QUERY top_hashtags AS
  SELECT hashtags[0] AS hashtag, COUNT(*) AS posts FROM posts
  WHERE array_length(hashtags) > 0
  GROUP BY hashtags[0], TumblingWindow('1m') WITH (TIMESTAMP='timestamp') EMIT EVERY '5s';

.pane add outcomes sparkline outcomes value=posts key=status title='Outcomes per 10 s'
.pane add flagged log flagged_posts columns=status,post_id,user_id,spam,toxicity,content severity=status title='Latest flagged posts'
.pane add hashtags bars top_hashtags key=hashtag value=posts title='Top hashtags (this minute, every 5 s)'
