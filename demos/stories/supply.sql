-- The supply-chain story: streamsql present supply. → / Space next, ← back, p pause, q quit.
.story supply 'Supply chain'

.step 'Normal trading: stock runs down with sales and is reordered in time'
.speed x3600
.wait 6h

.step 'A stock-out: product P007 sells out in every warehouse and is not restocked'
.incident stockout product=P007
.focus alerts
.wait 2h

.step 'The alerts: P007 is out everywhere; reorder now'
.highlight alerts product_id=P007
.wait 1h
