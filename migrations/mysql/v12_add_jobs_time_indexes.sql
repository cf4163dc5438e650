-- v12 (this implementation): the admin history (newest end first, filtered by end time) and usage (jobs submitted
-- since a time) read a range of the jobs table instead of all of it.
create index if not exists jobs_created on jobs (created_at);
create index if not exists jobs_finished on jobs (finished_at);
