-- The routing story: streamsql present routing. → / Space next, ← back, p pause, q quit.
.story routing 'Customer service'

.step 'Normal service: tickets go to the least-loaded agent with the skill'
.speed x600
.wait 30m

.step 'A skill shortage: every agent logs off at a shift handover'
.incident skill_shortage
.focus due
.wait 10m

.step 'Tickets wait with nobody to take them: escalations come due'
.zoom due
.wait 10m
