-- The energy story: streamsql present energy. → / Space next, ← back, p pause, q quit.
.story energy 'Energy'

.step 'Overnight: consumption is low and steady across 30 buildings'
.speed x300
.wait 1h

.step 'A consumption spike: building B007 draws three times its usual power'
.incident consumption_spike building=B007 count=60
.focus alerts
.wait 30m

.step 'The alert names the building and the load'
.highlight alerts building_id=B007
.wait 10m

.step 'Savings per building move with every plan (EMIT CHANGES), not once an hour'
.focus savings
.wait 10m
