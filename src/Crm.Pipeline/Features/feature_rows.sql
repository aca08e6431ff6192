-- Every customer's feature vector at @cutoff_date (Features/FeatureRows.cs).
select f.*
from ml.customer_features f
where f.cutoff = @cutoff_date
order by f.customer_id;
