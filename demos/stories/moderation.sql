-- The moderation story: streamsql present moderation. → / Space next, ← back, p pause, q quit.
.story moderation 'Moderation'

.step 'Normal posting: almost every post is approved; the log lists the few flagged ones'
.speed x30
.wait 3m

.step 'A spam wave: account U0666 posts 20 links with piles of hashtags'
.incident spam_wave user=U0666 count=20
.focus flagged
.wait 30s

.step 'Each spam post is caught and rejected as it arrives'
.highlight flagged user_id=U0666
.wait 10s

.step 'Then a thread turns toxic: abusive posts are flagged or rejected'
.incident toxic_thread count=15
.highlight flagged toxicity>0.5
.wait 30s

.step 'Top hashtags fill up live: early counts every 5 s (EMIT EVERY), then the final count'
.focus hashtags
.wait 1m
