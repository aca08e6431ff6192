-- How many nightly runs started (@finished false) or finished (@finished true) after @since.
select count(*) from ops.pipeline_run
where kind = 'nightly'
  and case when @finished then finished_at > @since else started_at > @since end;
