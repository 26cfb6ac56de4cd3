-- The recommendations story: streamsql present recommend. → / Space next, ← back, p pause, q quit.
.story recommend 'Recommendations'

.step 'Normal shopping: views, carts and purchases across eight categories'
.speed x60
.wait 3m

.step 'A buying spree in electronics: shoppers rush to buy'
.incident buying_spree category=electronics count=300
.focus top
.wait 2m

.step 'Purchase probability rises: more shoppers above 0.6'
.zoom probability
.wait 1m
