-- The traffic story: streamsql present traffic. → / Space next, ← back, p pause, q quit.
.story traffic 'Traffic'

.step 'Daytime traffic: the signal plan balances north-south and east-west green'
.speed x120
.wait 10m

.step 'Rush hour and a snowstorm at INT005: flows jump'
.incident rush_hour count=800
.incident snowstorm intersection=INT005
.focus heat
.wait 5m

.step 'The alerts: slippery roads at every intersection, and where congestion builds'
.zoom alerts
.wait 2m
