-- One row per cutoff of ml.customer_features: when it was built and for which customers. Past
-- cutoffs (backtest and training) are built for a hash sample of the golden customers, today's for
-- all of them (Features/FeatureSample.cs); a cutoff is rebuilt when a larger sample is wanted.
create table ml.feature_cutoff (
    cutoff        date        primary key,
    sample_slots  integer     not null check (sample_slots between 1 and 1048576), -- of 1048576; all = every customer
    customers     bigint      not null,                                             -- feature rows written
    computed_at   timestamptz not null default now()
);

-- Cutoffs built before this table existed covered every customer.
insert into ml.feature_cutoff (cutoff, sample_slots, customers, computed_at)
select cutoff, 1048576, count(*), min(computed_at) from ml.customer_features group by cutoff;
