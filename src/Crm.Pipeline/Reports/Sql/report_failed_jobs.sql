-- Failed pipeline stages since @since, with the latest error of each.
select stage,
       count(*)::bigint as failures,
       max(coalesce(finished_at, started_at)) as last_failed_at,
       (array_agg(error order by coalesce(finished_at, started_at) desc))[1] as last_error
from ops.pipeline_stage
where status = 'failed' and started_at >= @since
group by stage
order by last_failed_at desc;
