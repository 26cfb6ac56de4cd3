-- The fraud story: streamsql present fraud (or streamsql demo fraud --story). → / Space next, ← back, p pause, q quit.
.story fraud 'Fraud'

.step 'Normal traffic: each bar is one payment''s risk score; nearly all are approved, a few go to review'
.speed x300
.wait 60m

.step 'Account takeover: user U0042 makes 8 large purchases, each from a new city and a new device'
.incident burst user=U0042 count=8
.focus scores
.wait 30s

.step 'The score crosses 0.8, the decline threshold: those payments are declined'
.highlight alerts decision=decline
.wait 30s

.step 'Why declined: new location, new device, more than 5 payments in 10 minutes; the actions to take'
.zoom alerts
